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
     * @dev The batch that holds a record its author corrects, as its {RecordsAdded} event tells it, so
     * {correctRecord} can prove authorship against the stored digest without a storage slot per author.
     */
    struct PriorBatch {
        uint64 firstId;
        uint40 createdAt;
        bytes headers;
    }

    /**
     * @dev Records `firstId` onwards (1-based, per patient), one per packed header in `headers` (layout
     * in {Records}). Clients rebuild a patient's history from these events and check each against
     * {recordDigests}. Headers name ciphertext only: a category code, the record corrected, the hash and
     * the CID of the encrypted envelope.
     */
    event RecordsAdded(
        address indexed patient,
        uint64 indexed firstId,
        address indexed author,
        uint40 createdAt,
        bytes headers
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
    error MalformedRecordHeaders(uint256 offset);
    error RecordListDenied(address patient, address account);
    error InvalidPurpose(uint8 purpose);
}
