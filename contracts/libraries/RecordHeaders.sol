// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev The one definition of a packed record header and of a batch's seal, shared by the record index
 * ({Records}) that writes them and by contracts that prove a record against it ({Claims}).
 *
 * Packed header of one record: category (1 byte), supersedes (8 bytes, big-endian), ciphertextHash (32
 * bytes), CID length (1 byte), CID. A batch's seal is `keccak256(abi.encode(patient, firstId, author,
 * createdAt, keccak256(headers)))` with a zero low byte: the ledger stores it with a state byte there.
 */
library RecordHeaders {
    /// @dev Bytes of a packed header before its CID.
    uint256 internal constant FIXED_LENGTH = 42;
    /// @dev The byte of a stored digest that holds state instead of seal.
    bytes32 internal constant LOW_BYTE = bytes32(uint256(0xff));

    /**
     * @dev The fields of the packed header at `offset`, read without bounds checks: the caller ensures
     * `offset + FIXED_LENGTH <= headers.length` (the CID's own length is its business).
     */
    function fieldsAt(
        bytes calldata headers,
        uint256 offset
    ) internal pure returns (uint8 category, uint64 supersedes, bytes32 ciphertextHash, uint256 cidLength) {
        assembly ("memory-safe") {
            let start := add(headers.offset, offset)
            let first := calldataload(start)
            category := shr(248, first)
            supersedes := and(shr(184, first), 0xffffffffffffffff)
            ciphertextHash := calldataload(add(start, 9))
            cidLength := shr(248, calldataload(add(start, 41)))
        }
    }

    /// @dev The seal of a batch (with a zero low byte), given the keccak-256 of its packed headers.
    function seal(
        address patient,
        uint64 firstId,
        address author,
        uint40 createdAt,
        bytes32 headersHash
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(patient, firstId, author, createdAt, headersHash)) & ~LOW_BYTE;
    }
}
