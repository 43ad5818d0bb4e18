// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRecords} from "../interfaces/IRecords.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {Consent} from "./Consent.sol";

/**
 * @dev Append-only index of a patient's encrypted records. Each record costs one storage slot: a
 * 248-bit digest of its full header with the category in the low byte. The header itself is in the
 * {RecordAdded} event, so a client rebuilds the history from logs and proves it complete and untampered
 * against {recordDigests} and the patient's record count. A correction is a new record that supersedes
 * an older one of the same category; nothing is ever rewritten.
 */
abstract contract Records is Consent, IRecords {
    /// @dev Most records one batch may append, so a batch always fits in a block.
    uint256 public constant MAX_BATCH = 100;

    uint256 private constant _CATEGORY_BITS = 0xff;

    mapping(address patient => mapping(uint64 recordId => bytes32 sealedHeader)) private _records;

    /**
     * @notice Appends one record header to `patient`'s history and returns its id.
     * @dev Requirements: the caller is `patient` (registered) or a provider with write scope for
     * `category`; `cid` is a CID; `ciphertextHash` is non-zero; `category` < 32; `supersedes` is 0 or
     * an existing record of the same category.
     * @param cid CID of the encrypted record envelope on IPFS.
     * @param ciphertextHash SHA-256 of the envelope bytes (ciphertext only, never plaintext).
     * @param supersedes The record this one corrects, or 0.
     */
    function addRecord(
        address patient,
        bytes calldata cid,
        bytes32 ciphertextHash,
        uint8 category,
        uint64 supersedes
    ) external returns (uint64 recordId) {
        if (category >= Scopes.CATEGORY_COUNT) revert InvalidCategory(category);
        _checkWriter(patient, Scopes.write(category));
        PatientInfo storage info = _registeredPatient(patient);
        recordId = _reserveRecordIds(info, 1);
        _append(patient, recordId, cid, ciphertextHash, category, supersedes);
    }

    /**
     * @notice Appends several record headers in one transaction and returns the first new id; the
     * others follow consecutively.
     * @dev Requirements: 1 to {MAX_BATCH} inputs; for each, the rules of {addRecord}. A later record may
     * supersede an earlier one of the same batch.
     */
    function addRecords(address patient, RecordInput[] calldata inputs) external returns (uint64 firstId) {
        uint256 count = inputs.length;
        if (count == 0 || count > MAX_BATCH) revert EmptyBatch();
        uint64 required;
        for (uint256 i = 0; i < count; ++i) {
            uint8 category = inputs[i].category;
            if (category >= Scopes.CATEGORY_COUNT) revert InvalidCategory(category);
            required |= Scopes.write(category);
        }
        _checkWriter(patient, required);
        firstId = _reserveRecordIds(_registeredPatient(patient), count);
        for (uint256 i = 0; i < count; ++i) {
            // Cannot overflow: ids fit in uint64 because the record count that reserved them does.
            unchecked {
                RecordInput calldata input = inputs[i];
                _append(patient, firstId + uint64(i), input.cid, input.ciphertextHash, input.category, input.supersedes);
            }
        }
    }

    /**
     * @notice Sealed header digests of records `fromId` to `fromId + limit - 1` (clipped to the last
     * record), for verifying headers read from {RecordAdded} events page by page.
     * @dev Answers only the patient or a provider holding a live read scope. This guard is a courtesy:
     * chain data is public, and confidentiality comes from encryption, not from this check.
     */
    function recordDigests(address patient, uint64 fromId, uint256 limit) external view returns (bytes32[] memory page) {
        if (msg.sender != patient && !_canReadAny(patient, msg.sender)) revert RecordListDenied(patient, msg.sender);
        uint64 recordCount = _registeredPatient(patient).recordCount;
        if (fromId == 0 || fromId > recordCount) return page;
        uint256 available = recordCount - fromId + 1;
        uint256 size = limit < available ? limit : available;
        page = new bytes32[](size);
        for (uint256 i = 0; i < size; ++i) {
            page[i] = _records[patient][fromId + uint64(i)];
        }
    }

    /**
     * @notice The sealed digest {recordDigests} holds for a header: keccak-256 of the ABI-encoded header
     * (with the CID hashed) with its low byte replaced by the category.
     */
    function sealHeader(
        address patient,
        uint64 recordId,
        address author,
        uint8 category,
        uint64 supersedes,
        uint40 createdAt,
        bytes32 ciphertextHash,
        bytes calldata cid
    ) public pure returns (bytes32) {
        bytes32 digest = keccak256(
            abi.encode(patient, recordId, author, category, supersedes, createdAt, ciphertextHash, keccak256(cid))
        );
        return (digest & ~bytes32(_CATEGORY_BITS)) | bytes32(uint256(category));
    }

    /// @dev The category of an existing record; reverts {RecordNotFound} otherwise.
    function _recordCategory(address patient, uint64 recordId) internal view returns (uint8) {
        bytes32 sealedHeader = _records[patient][recordId];
        if (sealedHeader == bytes32(0)) revert RecordNotFound(patient, recordId);
        return uint8(uint256(sealedHeader & bytes32(_CATEGORY_BITS)));
    }

    /// @dev Reverts unless the caller is `patient` or a provider holding every write scope in `required`.
    function _checkWriter(address patient, uint64 required) private view {
        if (msg.sender != patient) _checkAccess(patient, msg.sender, required);
    }

    function _append(
        address patient,
        uint64 recordId,
        bytes calldata cid,
        bytes32 ciphertextHash,
        uint8 category,
        uint64 supersedes
    ) private {
        _checkCid(cid);
        if (ciphertextHash == bytes32(0)) revert InvalidCiphertextHash();
        if (supersedes != 0 && (supersedes >= recordId || _recordCategory(patient, supersedes) != category)) {
            revert InvalidSupersedes(patient, supersedes);
        }
        uint40 createdAt = uint40(block.timestamp);
        _records[patient][recordId] = sealHeader(
            patient,
            recordId,
            msg.sender,
            category,
            supersedes,
            createdAt,
            ciphertextHash,
            cid
        );
        emit RecordAdded(patient, recordId, msg.sender, category, supersedes, createdAt, ciphertextHash, cid);
    }
}
