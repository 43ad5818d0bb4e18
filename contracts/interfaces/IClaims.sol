// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Events, errors and types of the insurance claims module. A claim names ciphertext only: the
 * patient's record that holds the encrypted FHIR `Claim`, and that record's ciphertext hash. Amounts,
 * codes and diagnoses never reach the chain.
 */
interface IClaims {
    /// @dev A claim's place in its life; it only ever moves forward, one step at a time.
    enum ClaimStatus {
        None,
        Submitted,
        Approved,
        Denied,
        Paid
    }

    /**
     * @dev Everything that identifies a claim, as {ClaimSubmitted} told it. The contract stores only its
     * digest (with the status in the low byte), so each transition presents it again.
     */
    struct ClaimRef {
        uint64 claimId;
        address patient;
        address provider;
        address insurer;
        uint64 recordId;
        bytes32 ciphertextHash;
    }

    /**
     * @dev Proof that record `recordId` of a patient has a given author and header: the batch of the
     * patient's record index that holds it, as its `RecordsAdded` event told it (`firstId`, `createdAt`,
     * the packed `headers`); the author is the account that acts. It must seal to the digest the ledger
     * stores for that batch.
     */
    struct RecordProof {
        uint64 recordId;
        uint64 firstId;
        uint40 createdAt;
        bytes headers;
    }

    /// @dev `provider` billed `insurer` for care of `patient`; the encrypted FHIR Claim is record `recordId`.
    event ClaimSubmitted(
        uint64 claimId,
        address indexed patient,
        address indexed provider,
        address indexed insurer,
        uint64 recordId,
        bytes32 ciphertextHash
    );
    /**
     * @dev The insurer approved or denied the claim; its encrypted ClaimResponse or ExplanationOfBenefit
     * is the patient's record `responseRecordId`.
     */
    event ClaimAdjudicated(
        uint64 indexed claimId,
        address indexed patient,
        address indexed insurer,
        ClaimStatus status,
        uint64 responseRecordId
    );
    /// @dev The insurer paid an approved claim; `paymentReference` is an opaque hash of its payment reference.
    event ClaimPaid(uint64 indexed claimId, address indexed patient, address indexed insurer, bytes32 paymentReference);
    /// @dev The patient disputed the adjudication; their reasons are the encrypted record `reasonRecordId`.
    event ClaimDisputed(uint64 indexed claimId, address indexed patient, address indexed insurer, uint64 reasonRecordId);

    error InvalidLedger(address ledger);
    error BillingWriteNotGranted(address patient, address provider);
    error BillingReadNotGranted(address patient, address insurer);
    error NotAnInsurer(address account);
    error InactiveParty(address account);
    error ClaimAlreadySubmitted(bytes32 ciphertextHash);
    error RecordNotProven(address patient, uint64 recordId, address author);
    error NotBillingRecord(address patient, uint64 recordId, uint8 category);
    error UnknownClaim(uint64 claimId);
    error NotClaimInsurer(uint64 claimId, address account);
    error NotClaimPatient(uint64 claimId, address account);
    error InvalidClaimTransition(uint64 claimId, ClaimStatus from, ClaimStatus to);
    error ClaimNotAdjudicated(uint64 claimId);
    error ClaimAlreadyDisputed(uint64 claimId);
    error InvalidPaymentReference();
    /// @dev A provider named itself as the insurer of its own claim.
    error ClaimToSelf(address account);
}
