// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IClaims} from "./interfaces/IClaims.sol";
import {IMedLedgerView} from "./interfaces/IMedLedgerView.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {RecordHeaders} from "./libraries/RecordHeaders.sol";
import {Scopes} from "./libraries/Scopes.sol";

/**
 * @title Claims
 * @notice Insurance claims between a provider, an insurer and a patient of a {MedLedger} deployment,
 * holding identifiers, states and hashes of ciphertext only. The claim itself (an encrypted FHIR
 * `Claim`), the insurer's answer (`ClaimResponse` or `ExplanationOfBenefit`) and the patient's reasons
 * for a dispute are records of the patient's history in the billing category: amounts, codes and
 * diagnoses never reach the chain.
 *
 * @dev A claim lives in one storage slot, keyed by its provider and the ciphertext hash of its record
 * ({_claimKey}): the seal
 * `keccak256(abi.encode(claimId, patient, provider, insurer, recordId, ciphertextHash))` with its low
 * byte replaced by a state byte, the {ClaimStatus} in bits 0-6 and {_DISPUTED} in bit 7. Each transition
 * presents the claim's {ClaimRef} again (as {ClaimSubmitted} told it), which must seal to what is stored.
 * Keying by provider and ciphertext hash makes a provider's second claim over the same ciphertext
 * impossible at no extra cost, and leaves no one else able to block it: another provider that copies
 * the claim's header into a record of its own files a claim of its own (which the decrypted `Claim`,
 * naming the real provider, gives away to the insurer), never the real provider's.
 *
 * Each record a party brings (the claim, the response, the dispute's reasons) is proven with a
 * {RecordProof}: the batch of the patient's history that holds it, as its `RecordsAdded` event told it,
 * which must seal to {IMedLedgerView-batchDigest} with the acting account as author; the record's packed
 * header then gives its category (which must be billing) and ciphertext hash.
 *
 * Consent is read from the ledger when a claim is submitted: the provider must hold a live billing write
 * scope and the insurer a live billing read scope. Later steps check identities and standing (a
 * suspended insurer can neither adjudicate nor pay), not consent: an insurer whose grant was revoked
 * after it wrote its answer still adjudicates, because it decided on what it was granted.
 *
 * What the chain cannot check: that the encrypted records hold what their category says (a FHIR `Claim`
 * billed to this insurer, a `ClaimResponse` for this claim). The insurer's client checks the claim after
 * decrypting it; the patient's, the answer.
 */
contract Claims is IClaims {
    /// @notice The record category of billing and insurance records (`lib/chain/categories.ts`).
    uint8 public constant BILLING = 12;

    /// @dev Bits of the state byte that hold the {ClaimStatus}.
    uint256 private constant _STATUS_BITS = 0x7f;
    /// @dev State bit: the patient disputed the adjudication.
    uint256 private constant _DISPUTED = 0x80;
    /// @dev The byte of a stored claim that holds its state instead of its seal.
    bytes32 private constant _STATE_BYTE = bytes32(uint256(0xff));

    IMedLedgerView private immutable _LEDGER;

    mapping(bytes32 claimKey => bytes32 seal) private _claims;
    uint64 private _claimCount;

    /**
     * @param medLedger The MedLedger deployment whose patients, providers, consent and records claims
     * refer to.
     */
    constructor(address medLedger) {
        if (medLedger.code.length == 0) revert InvalidLedger(medLedger);
        _LEDGER = IMedLedgerView(medLedger);
    }

    /**
     * @notice Files a claim against `insurer` for care of `patient`: `claimRecord` proves the caller wrote
     * the patient's billing record holding the encrypted FHIR Claim. Returns the new claim's id.
     * @dev Requirements:
     * - the caller is an active provider holding a live billing write scope on `patient`;
     * - `insurer` is a registered provider of kind Insurer, not suspended, other than the caller, and
     *   holds a live billing read scope on `patient`;
     * - `claimRecord` proves a record of `patient`'s history written by the caller, of the billing category;
     * - the caller filed no claim over that record's ciphertext hash yet (a resubmission is a new
     *   encryption).
     */
    function submitClaim(
        address patient,
        address insurer,
        RecordProof calldata claimRecord
    ) external returns (uint64 claimId) {
        if (!_LEDGER.hasAccess(patient, msg.sender, Scopes.write(BILLING))) {
            if (!_LEDGER.isActiveProvider(msg.sender)) revert InactiveParty(msg.sender);
            revert BillingWriteNotGranted(patient, msg.sender);
        }
        if (insurer == msg.sender) revert ClaimToSelf(msg.sender);
        _checkInsurer(patient, insurer);
        bytes32 ciphertextHash = _provenBillingRecord(patient, msg.sender, claimRecord);
        bytes32 key = _claimKey(msg.sender, ciphertextHash);
        if (_claims[key] != bytes32(0)) revert ClaimAlreadySubmitted(ciphertextHash);
        // Cannot overflow: one increment per claim, far below 2^64.
        unchecked {
            claimId = ++_claimCount;
        }
        uint64 recordId = claimRecord.recordId;
        _claims[key] =
            _sealClaim(claimId, patient, msg.sender, insurer, recordId, ciphertextHash) |
            bytes32(uint256(ClaimStatus.Submitted));
        emit ClaimSubmitted(claimId, patient, msg.sender, insurer, recordId, ciphertextHash);
    }

    /**
     * @notice Approves or denies a submitted claim, as its insurer: `response` proves the caller wrote the
     * patient's billing record holding the encrypted ClaimResponse or ExplanationOfBenefit.
     * @dev Requirements:
     * - `claim` is the claim as {ClaimSubmitted} told it;
     * - the caller is its insurer, registered and not suspended (its grant may have been revoked since:
     *   it decides on what it was granted when the claim was filed);
     * - the claim is Submitted;
     * - `response` proves a billing record of the claim's patient written by the caller.
     */
    function adjudicateClaim(ClaimRef calldata claim, bool approved, RecordProof calldata response) external {
        (bytes32 claimSeal, uint256 state) = _storedClaim(claim);
        _checkInsurerActs(claim);
        ClaimStatus status = approved ? ClaimStatus.Approved : ClaimStatus.Denied;
        ClaimStatus current = ClaimStatus(state & _STATUS_BITS);
        if (current != ClaimStatus.Submitted) revert InvalidClaimTransition(claim.claimId, current, status);
        address patient = claim.patient;
        _provenBillingRecord(patient, msg.sender, response);
        _claims[_claimKey(claim.provider, claim.ciphertextHash)] = claimSeal | bytes32(uint256(status));
        emit ClaimAdjudicated(claim.claimId, patient, msg.sender, status, response.recordId);
    }

    /**
     * @notice Records that the insurer paid an approved claim. The payment itself happens off-chain;
     * `paymentReference` is an opaque hash of its reference (never the reference, amount or account).
     * @dev Requirements: `claim` is the claim as {ClaimSubmitted} told it; the caller is its insurer,
     * registered and not suspended; the claim is Approved (a dispute does not stop payment);
     * `paymentReference` is non-zero.
     */
    function payClaim(ClaimRef calldata claim, bytes32 paymentReference) external {
        (bytes32 claimSeal, uint256 state) = _storedClaim(claim);
        _checkInsurerActs(claim);
        ClaimStatus current = ClaimStatus(state & _STATUS_BITS);
        if (current != ClaimStatus.Approved) {
            revert InvalidClaimTransition(claim.claimId, current, ClaimStatus.Paid);
        }
        if (paymentReference == bytes32(0)) revert InvalidPaymentReference();
        _claims[_claimKey(claim.provider, claim.ciphertextHash)] =
            claimSeal |
            bytes32((state & _DISPUTED) | uint256(ClaimStatus.Paid));
        emit ClaimPaid(claim.claimId, claim.patient, msg.sender, paymentReference);
    }

    /**
     * @notice Disputes the insurer's adjudication, as the claim's patient: `reason` proves the caller wrote
     * the billing record holding their encrypted reasons. The status stays as it is; the claim is marked
     * disputed, once.
     * @dev Requirements: `claim` is the claim as {ClaimSubmitted} told it; the caller is its patient; the
     * claim is Approved, Denied or Paid and not disputed yet; `reason` proves a billing record of the
     * caller's history written by the caller.
     */
    function disputeClaim(ClaimRef calldata claim, RecordProof calldata reason) external {
        (, uint256 state) = _storedClaim(claim);
        uint64 claimId = claim.claimId;
        address patient = claim.patient;
        if (msg.sender != patient) revert NotClaimPatient(claimId, msg.sender);
        if (ClaimStatus(state & _STATUS_BITS) == ClaimStatus.Submitted) revert ClaimNotAdjudicated(claimId);
        if (state & _DISPUTED != 0) revert ClaimAlreadyDisputed(claimId);
        _provenBillingRecord(patient, patient, reason);
        _claims[_claimKey(claim.provider, claim.ciphertextHash)] |= bytes32(_DISPUTED);
        emit ClaimDisputed(claimId, patient, claim.insurer, reason.recordId);
    }

    /// @notice The MedLedger deployment this module reads consent, providers and records from.
    function ledger() external view returns (address) {
        return address(_LEDGER);
    }

    /// @notice How many claims were ever submitted; claim ids run from 1 to this.
    function claimCount() external view returns (uint64) {
        return _claimCount;
    }

    /**
     * @notice The stored seal of `provider`'s claim over the record with this ciphertext hash: {sealClaim}
     * of its {ClaimRef} with the state byte (status, and 0x80 when disputed) as low byte; zero when none.
     */
    function claimState(address provider, bytes32 ciphertextHash) external view returns (bytes32) {
        return _claims[_claimKey(provider, ciphertextHash)];
    }

    /**
     * @notice Status of a claim and whether its patient disputed the adjudication.
     * @dev Reverts {UnknownClaim} unless `claim` is the claim as {ClaimSubmitted} told it.
     */
    function claimStatus(ClaimRef calldata claim) external view returns (ClaimStatus status, bool disputed) {
        (, uint256 state) = _storedClaim(claim);
        return (ClaimStatus(state & _STATUS_BITS), state & _DISPUTED != 0);
    }

    /**
     * @notice The seal of a claim as {claimState} stores it, but with a zero low byte: keccak-256 of the
     * ABI-encoded claim id, patient, provider, insurer, record id and ciphertext hash.
     */
    function sealClaim(ClaimRef calldata claim) external pure returns (bytes32) {
        return
            _sealClaim(
                claim.claimId,
                claim.patient,
                claim.provider,
                claim.insurer,
                claim.recordId,
                claim.ciphertextHash
            );
    }

    /**
     * @dev Reverts unless `insurer` is a registered Insurer, not suspended, holding a live billing read
     * scope on `patient`.
     */
    function _checkInsurer(address patient, address insurer) private view {
        if (_LEDGER.providerKind(insurer) != IProviderRegistry.ProviderKind.Insurer) revert NotAnInsurer(insurer);
        if (!_LEDGER.hasAccess(patient, insurer, Scopes.read(BILLING))) {
            if (!_LEDGER.isActiveProvider(insurer)) revert InactiveParty(insurer);
            revert BillingReadNotGranted(patient, insurer);
        }
    }

    /// @dev Reverts unless the caller is `claim`'s insurer and is registered and not suspended.
    function _checkInsurerActs(ClaimRef calldata claim) private view {
        if (msg.sender != claim.insurer) revert NotClaimInsurer(claim.claimId, msg.sender);
        if (!_LEDGER.isActiveProvider(msg.sender)) revert InactiveParty(msg.sender);
    }

    /**
     * @dev The stored seal of `claim` (with a zero low byte) and its state byte; reverts {UnknownClaim}
     * unless `claim` seals to what is stored under its provider and ciphertext hash.
     */
    function _storedClaim(ClaimRef calldata claim) private view returns (bytes32 claimSeal, uint256 state) {
        bytes32 stored = _claims[_claimKey(claim.provider, claim.ciphertextHash)];
        claimSeal = _sealClaim(
            claim.claimId,
            claim.patient,
            claim.provider,
            claim.insurer,
            claim.recordId,
            claim.ciphertextHash
        );
        if (stored == bytes32(0) || stored & ~_STATE_BYTE != claimSeal) revert UnknownClaim(claim.claimId);
        state = uint256(stored & _STATE_BYTE);
    }

    /**
     * @dev The ciphertext hash of record `proof.recordId` of `patient`, after proving that `author` wrote
     * it (its batch seals to the ledger's stored digest) and that it is a billing record. Reverts
     * {RecordNotProven} when the batch does not seal or does not hold the record, {NotBillingRecord} when
     * the record is of another category.
     */
    function _provenBillingRecord(
        address patient,
        address author,
        RecordProof calldata proof
    ) private view returns (bytes32 ciphertextHash) {
        uint64 recordId = proof.recordId;
        uint64 firstId = proof.firstId;
        bytes calldata headers = proof.headers;
        bytes32 stored = _LEDGER.batchDigest(patient, firstId);
        if (
            stored == bytes32(0) ||
            stored & ~RecordHeaders.LOW_BYTE !=
                RecordHeaders.seal(patient, firstId, author, proof.createdAt, keccak256(headers)) ||
            recordId < firstId
        ) revert RecordNotProven(patient, recordId, author);
        // A sealed batch is well-formed (the ledger checked it when it was appended); the bounds checks
        // only find a record id past its last header.
        uint256 offset;
        uint8 category;
        uint256 cidLength;
        for (uint256 skip = recordId - firstId; ; --skip) {
            if (offset + RecordHeaders.FIXED_LENGTH > headers.length) revert RecordNotProven(patient, recordId, author);
            (category, , ciphertextHash, cidLength) = RecordHeaders.fieldsAt(headers, offset);
            if (skip == 0) break;
            offset += RecordHeaders.FIXED_LENGTH + cidLength;
        }
        if (category != BILLING) revert NotBillingRecord(patient, recordId, category);
    }

    /// @dev Where `provider`'s claim over a record with `ciphertextHash` is stored.
    function _claimKey(address provider, bytes32 ciphertextHash) private pure returns (bytes32) {
        return keccak256(abi.encode(provider, ciphertextHash));
    }

    function _sealClaim(
        uint64 claimId,
        address patient,
        address provider,
        address insurer,
        uint64 recordId,
        bytes32 ciphertextHash
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(claimId, patient, provider, insurer, recordId, ciphertextHash)) & ~_STATE_BYTE;
    }
}
