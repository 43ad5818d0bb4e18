// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev Events and errors of the append-only record index and the access audit log.
interface IRecords {
    /// @dev What a writer supplies for one record; author and time come from the transaction.
    struct RecordInput {
        bytes cid;
        bytes32 ciphertextHash;
        uint8 category;
        uint64 supersedes;
    }

    /**
     * @dev The header fields of a record its author corrects, so {correctRecord} can prove authorship
     * against the stored digest without a storage slot per author. `cidHash` is keccak-256 of the CID.
     */
    struct PriorHeader {
        uint64 supersedes;
        uint40 createdAt;
        bytes32 ciphertextHash;
        bytes32 cidHash;
    }

    /**
     * @dev The full header of record `recordId` (1-based, per patient). Clients rebuild a patient's
     * history from these events and check each against {recordDigests}. `cid` and `ciphertextHash`
     * name ciphertext only.
     */
    event RecordAdded(
        address indexed patient,
        uint64 indexed recordId,
        address indexed author,
        uint8 category,
        uint64 supersedes,
        uint40 createdAt,
        bytes32 ciphertextHash,
        bytes cid
    );
    /// @dev A provider opened these records of the patient, for the purpose-of-use code `purpose`.
    event AccessLogged(address indexed patient, address indexed provider, uint64[] recordIds, uint8 purpose);

    error InvalidCategory(uint8 category);
    error InvalidCiphertextHash();
    error InvalidSupersedes(address patient, uint64 supersedes);
    error RecordAlreadySuperseded(address patient, uint64 recordId);
    error NotRecordAuthor(address patient, uint64 recordId, address account);
    error RecordNotFound(address patient, uint64 recordId);
    error EmptyBatch();
    error RecordListDenied(address patient, address account);
    error InvalidPurpose(uint8 purpose);
}
