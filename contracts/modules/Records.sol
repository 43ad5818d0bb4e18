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
 *
 * Only the patient or the record's own author may correct a record, and only its newest version: each
 * record is superseded at most once, so a history is a line, never a fork a reader must choose from.
 * Bit 7 of a stored digest (above the category's five bits) marks a superseded record; it is the one
 * change storage ever sees. A provider proves authorship by presenting the corrected record's header
 * ({correctRecord}), which must seal to the stored digest with the provider as author.
 */
abstract contract Records is Consent, IRecords {
    /// @dev Most records one batch may append, so a batch always fits in a block.
    uint256 public constant MAX_BATCH = 100;

    /// @dev The low byte of a digest, replaced by the category when sealing.
    uint256 private constant _LOW_BYTE = 0xff;
    /// @dev Where a stored digest keeps the category (< {Scopes.CATEGORY_COUNT}).
    uint256 private constant _CATEGORY_BITS = 0x1f;
    /// @dev Set in a stored digest once a later record supersedes it.
    bytes32 private constant _SUPERSEDED = bytes32(uint256(0x80));

    mapping(address patient => mapping(uint64 recordId => bytes32 sealedHeader)) private _records;

    /**
     * @notice Appends one record header to `patient`'s history and returns its id.
     * @dev Requirements: the caller is `patient` (registered) or a provider with write scope for
     * `category`; `cid` is a CID; `ciphertextHash` is non-zero; `category` < 32; `supersedes` is 0, or
     * (for the patient only: a provider corrects through {correctRecord}) an existing record of the same
     * category that nothing superseded yet.
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
        _append(patient, recordId, recordId, cid, ciphertextHash, category, supersedes);
    }

    /**
     * @notice Appends a correction of record `input.supersedes`, written by its author, and returns its id.
     * @dev Requirements: the rules of {addRecord}, except that a provider may supersede a record it wrote
     * itself: `prior` is that record's header, which must seal to the stored digest with the caller as
     * author. The patient needs no proof (they may correct any of their records).
     */
    function correctRecord(
        address patient,
        RecordInput calldata input,
        PriorHeader calldata prior
    ) external returns (uint64 recordId) {
        uint8 category = input.category;
        if (category >= Scopes.CATEGORY_COUNT) revert InvalidCategory(category);
        _checkWriter(patient, Scopes.write(category));
        PatientInfo storage info = _registeredPatient(patient);
        uint64 corrected = input.supersedes;
        if (corrected == 0) revert InvalidSupersedes(patient, corrected);
        if (msg.sender != patient) {
            bytes32 authored = _seal(
                patient,
                corrected,
                msg.sender,
                category,
                prior.supersedes,
                prior.createdAt,
                prior.ciphertextHash,
                prior.cidHash
            );
            if (_records[patient][corrected] & ~_SUPERSEDED != authored) {
                revert NotRecordAuthor(patient, corrected, msg.sender);
            }
        }
        recordId = _reserveRecordIds(info, 1);
        _append(patient, recordId, corrected, input.cid, input.ciphertextHash, category, corrected);
    }

    /**
     * @notice Appends several record headers in one transaction and returns the first new id; the
     * others follow consecutively.
     * @dev Requirements: 1 to {MAX_BATCH} inputs; for each, the rules of {addRecord}. A later record may
     * supersede an earlier one of the same batch (its author is the caller).
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
                _append(
                    patient,
                    firstId + uint64(i),
                    firstId,
                    input.cid,
                    input.ciphertextHash,
                    input.category,
                    input.supersedes
                );
            }
        }
    }

    /**
     * @notice Sealed header digests of records `fromId` to `fromId + limit - 1` (clipped to the last
     * record), for verifying headers read from {RecordAdded} events page by page. Bit 7 is set in the
     * digest of a record a later one supersedes.
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
        return _seal(patient, recordId, author, category, supersedes, createdAt, ciphertextHash, keccak256(cid));
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

    /**
     * @dev Appends record `recordId`. Records from `ownedFrom` on were written by the caller (in this
     * transaction, or proven by {correctRecord}), so the caller may supersede them.
     */
    function _append(
        address patient,
        uint64 recordId,
        uint64 ownedFrom,
        bytes calldata cid,
        bytes32 ciphertextHash,
        uint8 category,
        uint64 supersedes
    ) private {
        _checkCid(cid);
        if (ciphertextHash == bytes32(0)) revert InvalidCiphertextHash();
        if (supersedes != 0) {
            _markSuperseded(patient, supersedes, recordId, category, msg.sender == patient || supersedes >= ownedFrom);
        }
        uint40 createdAt = uint40(block.timestamp);
        _records[patient][recordId] = _seal(
            patient,
            recordId,
            msg.sender,
            category,
            supersedes,
            createdAt,
            ciphertextHash,
            keccak256(cid)
        );
        emit RecordAdded(patient, recordId, msg.sender, category, supersedes, createdAt, ciphertextHash, cid);
    }

    /// @dev Marks `supersedes` as corrected by `recordId`, if the rules allow it (see {addRecord}).
    function _markSuperseded(
        address patient,
        uint64 supersedes,
        uint64 recordId,
        uint8 category,
        bool byAuthor
    ) private {
        bytes32 sealedHeader = _records[patient][supersedes];
        if (
            supersedes >= recordId ||
            sealedHeader == bytes32(0) ||
            uint8(uint256(sealedHeader) & _CATEGORY_BITS) != category
        ) revert InvalidSupersedes(patient, supersedes);
        if (sealedHeader & _SUPERSEDED != 0) revert RecordAlreadySuperseded(patient, supersedes);
        if (!byAuthor) revert NotRecordAuthor(patient, supersedes, msg.sender);
        _records[patient][supersedes] = sealedHeader | _SUPERSEDED;
    }

    function _seal(
        address patient,
        uint64 recordId,
        address author,
        uint8 category,
        uint64 supersedes,
        uint40 createdAt,
        bytes32 ciphertextHash,
        bytes32 cidHash
    ) private pure returns (bytes32) {
        bytes32 digest = keccak256(
            abi.encode(patient, recordId, author, category, supersedes, createdAt, ciphertextHash, cidHash)
        );
        return (digest & ~bytes32(_LOW_BYTE)) | bytes32(uint256(category));
    }
}
