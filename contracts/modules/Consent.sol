// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IConsent} from "../interfaces/IConsent.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {PatientRegistry} from "./PatientRegistry.sol";
import {ProviderRegistry} from "./ProviderRegistry.sol";

/**
 * @dev Patient consent. A patient grants a provider read/write scopes per record category until an
 * expiry, revokes it, answers access requests, or signs an EIP-712 consent that anyone may submit.
 * {hasAccess} is the one authority every read and write path consults.
 *
 * Access requests are events only: the patient's client lists pending requests from the log, and
 * approving one is a {grant} of the requested (or narrower) scopes; storage sees only the two event
 * chains they extend.
 *
 * Every consent event between a patient and a provider extends the patient's event chain, and all but
 * {KeyringShared} the provider's too ({ActivityChains}), so grant, request and audit lists read from an
 * indexer are checked complete.
 */
abstract contract Consent is PatientRegistry, ProviderRegistry, EIP712, Nonces, IConsent {
    bytes32 public constant CONSENT_TYPEHASH =
        keccak256(
            "Consent(address patient,address provider,uint64 scopes,uint40 expiry,bytes keyring,uint32 revocations,uint256 nonce,uint256 deadline)"
        );

    mapping(address patient => mapping(address provider => Grant)) private _grants;

    /**
     * @notice Grants `provider` the `scopes` on the caller's records until `expiry`, replacing any earlier
     * grant to it. Approving an access request is this call with the requested scopes. A grant that drops
     * a read scope the earlier one held ends the earlier one like {revoke}: a new key epoch starts, so
     * nothing written afterwards in a dropped category opens with keys the provider already holds.
     * @dev Requirements: the caller is a registered patient; `provider` is registered and not suspended;
     * `scopes` is non-empty; `expiry` is in the future; `keyring` is empty or a CID.
     * @param keyring CID of the category keys wrapped to the provider's encryption key (of the new epoch
     * when this grant starts one).
     */
    function grant(address provider, uint64 scopes, uint40 expiry, bytes calldata keyring) external {
        _grant(_registeredPatient(msg.sender), msg.sender, provider, scopes, expiry, keyring);
    }

    /**
     * @notice Applies a consent the patient signed off-chain (EIP-712), so the provider can submit and pay.
     * @dev Requirements: `deadline` has not passed; `signature` is the patient's over the Consent struct
     * for this chain and contract (ECDSA, or ERC-1271 for contract wallets); `nonce` is the patient's
     * current nonce; `revocations` is the number of times the patient has revoked `provider` so far (what
     * {grantOf} said when the patient signed), so no consent signed before a revocation ever restores
     * access; the same requirements as {grant} for the terms.
     */
    function grantBySig(
        address patient,
        address provider,
        uint64 scopes,
        uint40 expiry,
        bytes calldata keyring,
        uint32 revocations,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert ConsentSignatureExpired(deadline, block.timestamp);
        _checkConsentSignature(patient, provider, scopes, expiry, keyring, revocations, nonce, deadline, signature);
        uint32 revoked = _grants[patient][provider].revocations;
        if (revocations != revoked) revert ConsentPredatesRevocation(patient, provider, revocations, revoked);
        _useCheckedNonce(patient, nonce);
        _grant(_registeredPatient(patient), patient, provider, scopes, expiry, keyring);
    }

    /**
     * @notice Withdraws the caller's grant to `provider` and starts a new key epoch, so the provider gets
     * no key to anything written afterwards. What it already decrypted cannot be recalled. Consents the
     * caller signed for `provider` before this moment can no longer be submitted.
     * @dev Requirements: the caller has a grant to `provider` (expired grants included).
     */
    function revoke(address provider) external {
        Grant storage existing = _grants[msg.sender][provider];
        if (existing.scopes == 0) revert NoGrant(msg.sender, provider);
        existing.scopes = 0;
        existing.expiry = 0;
        ++existing.revocations;
        uint32 keyEpoch = _nextKeyEpoch(_registeredPatient(msg.sender));
        _chainConsentEvent(AccessRevoked.selector, msg.sender, provider, abi.encode(keyEpoch), true);
        emit AccessRevoked(msg.sender, provider, keyEpoch);
    }

    /**
     * @notice Asks `patient` for `scopes` on their records. No reason text goes on-chain.
     * @dev Requirements: the caller is a registered, active provider; `patient` is registered; `scopes`
     * is non-empty.
     */
    function requestAccess(address patient, uint64 scopes) external {
        _checkActiveProvider(msg.sender);
        _registeredPatient(patient);
        if (scopes == 0) revert InvalidScopes(scopes);
        _chainConsentEvent(AccessRequested.selector, patient, msg.sender, abi.encode(scopes), true);
        emit AccessRequested(patient, msg.sender, scopes);
    }

    /**
     * @notice Declines the pending access request of `provider`.
     * @dev Requirements: the caller is a registered patient; `provider` is registered.
     */
    function denyRequest(address provider) external {
        _registeredPatient(msg.sender);
        _registeredProvider(provider);
        _chainConsentEvent(AccessRequestDenied.selector, msg.sender, provider, "", true);
        emit AccessRequestDenied(msg.sender, provider);
    }

    /**
     * @notice Hands `provider` the caller's keys of the current epoch (after a revocation) without
     * changing its scopes or expiry.
     * @dev Requirements: the caller has a grant to `provider`; `keyring` is a CID.
     */
    function shareKeyring(address provider, bytes calldata keyring) external {
        PatientInfo storage patient = _registeredPatient(msg.sender);
        if (_grants[msg.sender][provider].scopes == 0) revert NoGrant(msg.sender, provider);
        _checkCid(keyring);
        uint32 keyEpoch = patient.keyEpoch;
        _chainConsentEvent(KeyringShared.selector, msg.sender, provider, abi.encode(keyEpoch, keyring), false);
        emit KeyringShared(msg.sender, provider, keyEpoch, keyring);
    }

    /**
     * @notice Invalidates a consent the caller signed but nobody submitted yet (e.g. a leaked QR code).
     * @dev Requirements: `nonce` is the caller's current nonce.
     */
    function cancelConsentSignature(uint256 nonce) external {
        _useCheckedNonce(msg.sender, nonce);
        emit ConsentSignatureCancelled(msg.sender, nonce);
    }

    /**
     * @notice Whether `provider` may use every scope in `scopes` on `patient`'s records right now: the
     * patient is registered, the provider is registered and not suspended, and an unexpired grant holds
     * all of `scopes`.
     */
    function hasAccess(address patient, address provider, uint64 scopes) public view returns (bool) {
        Grant storage held = _grants[patient][provider];
        return
            isPatient(patient) &&
            isActiveProvider(provider) &&
            held.expiry > block.timestamp &&
            Scopes.covers(held.scopes, scopes);
    }

    /// @notice The grant `patient` gave `provider` (zero when none; it may have expired).
    function grantOf(address patient, address provider) external view returns (Grant memory) {
        return _grants[patient][provider];
    }

    /// @notice The EIP-712 domain separator consent signatures are bound to.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev {hasAccess} as a check that reverts with the reason access is refused.
    function _checkAccess(address patient, address provider, uint64 scopes) internal view {
        _registeredPatient(patient);
        _checkActiveProvider(provider);
        Grant storage held = _grants[patient][provider];
        uint64 heldScopes = held.scopes;
        if (heldScopes == 0) revert NoGrant(patient, provider);
        if (held.expiry <= block.timestamp) revert ConsentExpired(patient, provider, held.expiry);
        if (!Scopes.covers(heldScopes, scopes)) revert ScopeNotGranted(patient, provider, scopes, heldScopes);
    }

    /// @dev Whether `provider` currently holds any read scope on `patient`'s records.
    function _canReadAny(address patient, address provider) internal view returns (bool) {
        Grant storage held = _grants[patient][provider];
        return
            isActiveProvider(provider) && held.expiry > block.timestamp && held.scopes & Scopes.READ_MASK != 0;
    }

    /// @dev Reverts {InvalidConsentSignature} unless `patient` signed these consent terms for this contract.
    function _checkConsentSignature(
        address patient,
        address provider,
        uint64 scopes,
        uint40 expiry,
        bytes calldata keyring,
        uint32 revocations,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) private view {
        bytes32 structHash = keccak256(
            abi.encode(CONSENT_TYPEHASH, patient, provider, scopes, expiry, keccak256(keyring), revocations, nonce, deadline)
        );
        if (!SignatureChecker.isValidSignatureNow(patient, _hashTypedDataV4(structHash), signature)) {
            revert InvalidConsentSignature(patient);
        }
    }

    function _grant(
        PatientInfo storage info,
        address patient,
        address provider,
        uint64 scopes,
        uint40 expiry,
        bytes calldata keyring
    ) private {
        _checkActiveProvider(provider);
        if (scopes == 0) revert InvalidScopes(scopes);
        if (expiry <= block.timestamp) revert GrantExpiryInPast(expiry, block.timestamp);
        if (keyring.length > MAX_CID_LENGTH) revert InvalidCid(keyring.length);
        Grant storage held = _grants[patient][provider];
        bool dropsRead = held.scopes & Scopes.READ_MASK & ~scopes != 0;
        held.scopes = scopes;
        held.expiry = expiry;
        held.grantedAt = uint40(block.timestamp);
        // The provider may hold this epoch's keys of the dropped categories: retire them as a revocation does.
        if (dropsRead) {
            uint32 keyEpoch = _nextKeyEpoch(info);
            _chainConsentEvent(AccessRevoked.selector, patient, provider, abi.encode(keyEpoch), true);
            emit AccessRevoked(patient, provider, keyEpoch);
        }
        _chainConsentEvent(AccessGranted.selector, patient, provider, abi.encode(scopes, expiry, keyring), true);
        emit AccessGranted(patient, provider, scopes, expiry, keyring);
    }
}
