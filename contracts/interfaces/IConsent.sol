// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev Events and errors of patient consent: grants, revocations, requests and signed consent.
interface IConsent {
    /**
     * @dev A patient's grant to one provider; packed in one storage slot. `revocations` counts the
     * patient's revocations of this provider and survives them and any later grant: a signed consent
     * names the count it was signed at, so one signed before a revocation can never be submitted.
     */
    struct Grant {
        uint64 scopes;
        uint40 expiry;
        uint40 grantedAt;
        uint32 revocations;
    }

    /**
     * @dev `keyring` is the CID of the grantee's wrapped category keys on IPFS (opaque to the chain,
     * empty when the grantee already holds the keys it needs).
     */
    event AccessGranted(
        address indexed patient,
        address indexed provider,
        uint64 scopes,
        uint40 expiry,
        bytes keyring
    );
    /**
     * @dev `keyEpoch` is the patient's new key epoch: nothing written from now on is readable with older
     * keys. Also emitted, before {AccessGranted}, when a new grant drops a read scope the old one held.
     */
    event AccessRevoked(address indexed patient, address indexed provider, uint32 keyEpoch);
    event AccessRequested(address indexed patient, address indexed provider, uint64 scopes);
    event AccessRequestDenied(address indexed patient, address indexed provider);
    /// @dev The patient shared keys of a new epoch with a grantee that keeps its access.
    event KeyringShared(address indexed patient, address indexed provider, uint32 keyEpoch, bytes keyring);
    event ConsentSignatureCancelled(address indexed patient, uint256 nonce);

    error InvalidScopes(uint64 scopes);
    error GrantExpiryInPast(uint40 expiry, uint256 currentTime);
    error NoGrant(address patient, address provider);
    error ConsentExpired(address patient, address provider, uint40 expiry);
    error ScopeNotGranted(address patient, address provider, uint64 required, uint64 granted);
    error ConsentSignatureExpired(uint256 deadline, uint256 currentTime);
    error InvalidConsentSignature(address patient);
    error ConsentPredatesRevocation(address patient, address provider, uint32 signedAt, uint32 revocations);
}
