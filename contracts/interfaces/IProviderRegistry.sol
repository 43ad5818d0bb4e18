// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev Events and errors of the provider registry, which only an admin role can change.
interface IProviderRegistry {
    enum ProviderKind {
        None,
        Doctor,
        Lab,
        Insurer
    }

    /**
     * @dev A vetted provider. `credentialHash` commits to the licence or accreditation the admin checked
     * (hash of the credential document, never the licence number itself). `profileHash` is the SHA-256 of
     * its public directory profile (FHIR Practitioner/Organization and PractitionerRole, unencrypted on
     * IPFS: public facts about a professional, never patient data), whose CID is in
     * {ProviderProfileUpdated}.
     */
    struct ProviderInfo {
        bytes32 credentialHash;
        bytes32 encryptionKey;
        ProviderKind kind;
        bool suspended;
        uint40 registeredAt;
        uint32 keyVersion;
        bytes32 profileHash;
    }

    event ProviderRegistered(address indexed provider, ProviderKind kind, bytes32 credentialHash, address indexed by);
    event ProviderSuspended(address indexed provider, address indexed by);
    event ProviderReinstated(address indexed provider, address indexed by);
    event ProviderKeyRotated(address indexed provider, bytes32 encryptionKey, uint32 keyVersion);
    event ProviderProfileUpdated(address indexed provider, bytes profileCid, bytes32 profileHash, address indexed by);

    error ProviderAlreadyRegistered(address provider);
    error ProviderNotRegistered(address account);
    error ProviderIsSuspended(address provider);
    error ProviderNotSuspended(address provider);
    error InvalidProviderKind(ProviderKind kind);
    error InvalidProviderAddress(address provider);
    error InvalidProviderKey();
    error InvalidProviderProfile(uint256 cidLength, bytes32 profileHash);
}
