// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IRecords} from "../interfaces/IRecords.sol";
import {RecordHeaders} from "../libraries/RecordHeaders.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {Consent} from "./Consent.sol";

/**
 * @dev Append-only index of a patient's encrypted records, written in batches: one call appends one
 * batch of consecutive record ids, emits one {RecordsAdded} event carrying every header of the batch
 * packed, and stores one 248-bit digest of it under the batch's first id. A client rebuilds the history
 * from the events and proves it complete and untampered against {recordDigests} and the patient's record
 * count. A correction is a new record that supersedes an older one of the same category; nothing is
 * ever rewritten.
 *
 * Packed header of one record: category (1 byte), supersedes (8 bytes, big-endian), ciphertextHash (32
 * bytes), CID length (1 byte), CID. A batch digest is `keccak256(abi.encode(patient, firstId, author,
 * createdAt, keccak256(headers)))` with its low byte replaced by a state byte. Both are defined once, in
 * {RecordHeaders}, which contracts proving a record against {batchDigest} share.
 *
 * Each record has a state byte: its category (bits 0-4), {_PRESENT} (bit 5) and {_SUPERSEDED} (bit 7).
 * A record appended alone ({addRecord}, {correctRecord}) keeps it in the low byte of its digest, so one
 * storage slot holds everything; records of a batch ({addRecords}) keep theirs packed 32 to a slot, and
 * their digest's low byte is {_BATCH}. That packing is what makes a large import cheap.
 *
 * Only the patient, or the record's own author, may correct a record, and only its newest version: each
 * record is superseded at most once, so a history is a line, never a fork a reader must choose from.
 * Setting {_SUPERSEDED} is the one change storage ever sees. A provider proves authorship by presenting
 * the batch that holds the corrected record ({correctRecord}), which must seal to the stored digest with
 * the provider as author.
 */
abstract contract Records is Consent, IRecords {
    /// @dev Most records one batch may append, so a batch always fits in a block.
    uint256 public constant MAX_BATCH = 100;

    /// @dev State bits: the category (< {Scopes.CATEGORY_COUNT}).
    uint256 private constant _CATEGORY_BITS = 0x1f;
    /// @dev State bit: the record exists.
    uint256 private constant _PRESENT = 0x20;
    /// @dev Digest low byte of a batch whose state bytes are packed in `_states`.
    uint256 private constant _BATCH = 0x40;
    /// @dev State bit: a later record supersedes this one.
    uint256 private constant _SUPERSEDED = 0x80;
    uint256 private constant _LOW_BYTE = 0xff;

    mapping(address patient => mapping(uint64 firstId => bytes32 sealedBatch)) private _records;
    /// @dev State bytes of records appended by {addRecords}: record `id` is byte `id % 32` of word `id / 32`.
    mapping(address patient => mapping(uint256 word => uint256 states)) private _states;

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
        recordId = _reserveRecordIds(_registeredPatient(patient), 1);
        _appendOne(patient, recordId, recordId, cid, ciphertextHash, category, supersedes);
    }

    /**
     * @notice Appends a correction of record `input.supersedes`, written by its author, and returns its id.
     * @dev Requirements: the rules of {addRecord}, except that a provider may supersede a record it wrote
     * itself: `prior` is the batch that holds that record, which must seal to the stored digest with the
     * caller as author. The patient needs no proof (they may correct any of their records).
     */
    function correctRecord(
        address patient,
        RecordInput calldata input,
        PriorBatch calldata prior
    ) external returns (uint64 recordId) {
        uint8 category = input.category;
        if (category >= Scopes.CATEGORY_COUNT) revert InvalidCategory(category);
        _checkWriter(patient, Scopes.write(category));
        PatientInfo storage info = _registeredPatient(patient);
        uint64 corrected = input.supersedes;
        if (corrected == 0) revert InvalidSupersedes(patient, corrected);
        if (msg.sender != patient) {
            bytes32 authored = _sealBatch(patient, prior.firstId, msg.sender, prior.createdAt, prior.headers, 0);
            bytes32 stored = _records[patient][prior.firstId];
            if (
                stored == bytes32(0) ||
                stored | bytes32(_LOW_BYTE) != authored | bytes32(_LOW_BYTE) ||
                corrected < prior.firstId ||
                corrected - prior.firstId >= _countHeaders(prior.headers)
            ) revert NotRecordAuthor(patient, corrected, msg.sender);
        }
        recordId = _reserveRecordIds(info, 1);
        _appendOne(patient, recordId, corrected, input.cid, input.ciphertextHash, category, corrected);
    }

    /**
     * @notice Appends a batch of packed record headers (see the contract's description) with
     * consecutive ids, and returns the first id. The cheap path for imports: well under a fresh storage
     * slot per record.
     * @dev Requirements: 1 to {MAX_BATCH} well-formed headers; for each, the rules of {addRecord}. A later
     * record may supersede an earlier one of the same batch (its author is the caller).
     */
    function addRecords(address patient, bytes calldata headers) external returns (uint64 firstId) {
        firstId = _registeredPatient(patient).recordCount + 1;
        uint64 recordId = firstId;
        uint64 required;
        uint256 states = _states[patient][firstId >> 5];
        for (uint256 offset = 0; offset < headers.length; ) {
            uint8 category;
            uint64 supersedes;
            (category, supersedes, offset) = _checkedHeader(headers, offset);
            required |= Scopes.write(category);
            if (supersedes != 0) states = _supersedeFromBatch(patient, supersedes, recordId, firstId, category, states);
            states |= (_PRESENT | category) << ((uint256(recordId) & 31) << 3);
            // Cannot overflow: ids fit in uint64 because the record count that reserves them does.
            unchecked {
                ++recordId;
            }
            if (recordId & 31 == 0) {
                _states[patient][(recordId - 1) >> 5] = states;
                states = 0;
            }
        }
        uint256 count = recordId - firstId;
        if (count == 0 || count > MAX_BATCH) revert EmptyBatch();
        if (states != 0) _states[patient][recordId >> 5] = states;
        _checkWriter(patient, required);
        _reserveRecordIds(_registeredPatient(patient), count);
        uint40 createdAt = uint40(block.timestamp);
        _records[patient][firstId] = _sealBatch(patient, firstId, msg.sender, createdAt, headers, _BATCH);
        emit RecordsAdded(patient, firstId, msg.sender, createdAt, headers);
    }

    /**
     * @notice Stored digests and state bytes of records `fromId` to `fromId + limit - 1` (clipped to the
     * last record), for verifying headers read from {RecordsAdded} events page by page. `digests[i]` is
     * non-zero only for the first record of a batch; `states[i]` is the state byte of a record appended
     * by {addRecords} (0 for one appended alone, whose state is its digest's low byte).
     * @dev Answers only the patient or a provider holding a live read scope. This guard is a courtesy:
     * chain data is public, and confidentiality comes from encryption, not from this check.
     */
    function recordDigests(
        address patient,
        uint64 fromId,
        uint256 limit
    ) external view returns (bytes32[] memory digests, bytes memory states) {
        if (msg.sender != patient && !_canReadAny(patient, msg.sender)) revert RecordListDenied(patient, msg.sender);
        uint64 recordCount = _registeredPatient(patient).recordCount;
        if (fromId == 0 || fromId > recordCount) return (digests, states);
        uint256 available = recordCount - fromId + 1;
        uint256 size = limit < available ? limit : available;
        digests = new bytes32[](size);
        states = new bytes(size);
        for (uint256 i = 0; i < size; ++i) {
            uint64 recordId = fromId + uint64(i);
            digests[i] = _records[patient][recordId];
            states[i] = bytes1(uint8(_states[patient][recordId >> 5] >> ((uint256(recordId) & 31) << 3)));
        }
    }

    /**
     * @notice The digest stored for the batch of `patient`'s records that starts at `firstId`, as
     * {recordDigests} returns it (zero when no batch starts there).
     * @dev It exists so that other contracts (the claims module) can prove a record's header against it
     * (see {sealBatch}); unlike {recordDigests} it asks for no read scope, since chain data is public
     * anyway and a digest says nothing without the headers its {RecordsAdded} event already published.
     */
    function batchDigest(address patient, uint64 firstId) external view returns (bytes32) {
        return _records[patient][firstId];
    }

    /**
     * @notice The digest of a batch as {recordDigests} stores it, but with a zero low byte: keccak-256 of
     * the ABI-encoded patient, first id, author, time and hash of the packed headers.
     */
    function sealBatch(
        address patient,
        uint64 firstId,
        address author,
        uint40 createdAt,
        bytes calldata headers
    ) external pure returns (bytes32) {
        return _sealBatch(patient, firstId, author, createdAt, headers, 0);
    }

    /// @dev The category of an existing record; reverts {RecordNotFound} otherwise.
    function _recordCategory(address patient, uint64 recordId) internal view returns (uint8) {
        (uint256 state, ) = _recordState(patient, recordId);
        if (state & _PRESENT == 0) revert RecordNotFound(patient, recordId);
        return uint8(state & _CATEGORY_BITS);
    }

    /// @dev Reverts unless the caller is `patient` or a provider holding every write scope in `required`.
    function _checkWriter(address patient, uint64 required) private view {
        if (msg.sender != patient) _checkAccess(patient, msg.sender, required);
    }

    /**
     * @dev Appends record `recordId` alone. Records from `ownedFrom` on were written by the caller (in
     * this transaction, or proven by {correctRecord}), so the caller may supersede them.
     */
    function _appendOne(
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
            if (supersedes >= recordId) revert InvalidSupersedes(patient, supersedes);
            _markSuperseded(patient, supersedes, category, msg.sender == patient || supersedes >= ownedFrom);
        }
        uint40 createdAt = uint40(block.timestamp);
        bytes memory header = abi.encodePacked(category, supersedes, ciphertextHash, uint8(cid.length), cid);
        _records[patient][recordId] = _sealBatch(patient, recordId, msg.sender, createdAt, header, _PRESENT | category);
        emit RecordsAdded(patient, recordId, msg.sender, createdAt, header);
    }

    /**
     * @dev Marks `supersedes` as corrected by batch record `recordId` (batch from `firstId`), if the rules
     * allow it, and returns `states`, the unsaved state word of `recordId`, updated if it holds the target.
     */
    function _supersedeFromBatch(
        address patient,
        uint64 supersedes,
        uint64 recordId,
        uint64 firstId,
        uint8 category,
        uint256 states
    ) private returns (uint256) {
        if (supersedes >= recordId) revert InvalidSupersedes(patient, supersedes);
        bool byAuthor = msg.sender == patient || supersedes >= firstId;
        uint256 shift = (uint256(supersedes) & 31) << 3;
        if (supersedes >> 5 == recordId >> 5 && (states >> shift) & _PRESENT != 0) {
            // A record of this batch, or of an earlier one sharing the word: its state is in `states`.
            return states | (_supersededState(patient, supersedes, category, (states >> shift) & _LOW_BYTE, byAuthor) << shift);
        }
        _markSuperseded(patient, supersedes, category, byAuthor);
        return states;
    }

    /// @dev Marks the stored record `supersedes` as corrected, if the rules allow it (see {addRecord}).
    function _markSuperseded(address patient, uint64 supersedes, uint8 category, bool byAuthor) private {
        (uint256 state, bool batched) = _recordState(patient, supersedes);
        state = _supersededState(patient, supersedes, category, state, byAuthor);
        if (batched) {
            _states[patient][supersedes >> 5] |= _SUPERSEDED << ((uint256(supersedes) & 31) << 3);
        } else {
            _records[patient][supersedes] |= bytes32(_SUPERSEDED);
        }
    }

    /// @dev A record's state byte, and whether it sits in `_states` (appended by {addRecords}).
    function _recordState(address patient, uint64 recordId) private view returns (uint256 state, bool batched) {
        state = (_states[patient][recordId >> 5] >> ((uint256(recordId) & 31) << 3)) & _LOW_BYTE;
        if (state != 0) return (state, true);
        uint256 low = uint256(_records[patient][recordId]) & _LOW_BYTE;
        // A batch's first record has its state in `_states`, so a {_BATCH} low byte here never reaches this.
        return (low, false);
    }

    /// @dev `state` with {_SUPERSEDED} set, after checking the record may be superseded by `category`.
    function _supersededState(
        address patient,
        uint64 supersedes,
        uint8 category,
        uint256 state,
        bool byAuthor
    ) private view returns (uint256) {
        if (state & _PRESENT == 0 || state & _CATEGORY_BITS != category) revert InvalidSupersedes(patient, supersedes);
        if (state & _SUPERSEDED != 0) revert RecordAlreadySuperseded(patient, supersedes);
        if (!byAuthor) revert NotRecordAuthor(patient, supersedes, msg.sender);
        return state | _SUPERSEDED;
    }

    /**
     * @dev The fields of the packed header at `offset` and where the next one starts; reverts
     * {MalformedRecordHeaders} or {InvalidCid} when it does not fit or its CID length is out of range.
     */
    function _readHeader(
        bytes calldata headers,
        uint256 offset
    ) private pure returns (uint8 category, uint64 supersedes, bytes32 ciphertextHash, uint256 next) {
        if (headers.length - offset < RecordHeaders.FIXED_LENGTH) revert MalformedRecordHeaders(offset);
        uint256 cidLength;
        (category, supersedes, ciphertextHash, cidLength) = RecordHeaders.fieldsAt(headers, offset);
        if (cidLength == 0 || cidLength > MAX_CID_LENGTH) revert InvalidCid(cidLength);
        next = offset + RecordHeaders.FIXED_LENGTH + cidLength;
        if (next > headers.length) revert MalformedRecordHeaders(offset);
    }

    /// @dev {_readHeader}, also checking the category and the ciphertext hash.
    function _checkedHeader(
        bytes calldata headers,
        uint256 offset
    ) private pure returns (uint8 category, uint64 supersedes, uint256 next) {
        bytes32 ciphertextHash;
        (category, supersedes, ciphertextHash, next) = _readHeader(headers, offset);
        if (category >= Scopes.CATEGORY_COUNT) revert InvalidCategory(category);
        if (ciphertextHash == bytes32(0)) revert InvalidCiphertextHash();
    }

    /// @dev How many packed headers `headers` holds (well-formed: it sealed to a stored digest).
    function _countHeaders(bytes calldata headers) private pure returns (uint256 count) {
        uint256 offset;
        while (offset < headers.length) {
            (, , , offset) = _readHeader(headers, offset);
            ++count;
        }
    }

    function _sealBatch(
        address patient,
        uint64 firstId,
        address author,
        uint40 createdAt,
        bytes memory headers,
        uint256 lowByte
    ) private pure returns (bytes32) {
        return RecordHeaders.seal(patient, firstId, author, createdAt, keccak256(headers)) | bytes32(lowByte);
    }
}
