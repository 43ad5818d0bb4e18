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
     * (hash of the credential document, never the licence number itself).
     */
    struct ProviderInfo {
        bytes32 credentialHash;
        bytes32 encryptionKey;
        ProviderKind kind;
        bool suspended;
        uint40 registeredAt;
        uint32 keyVersion;
    }

    event ProviderRegistered(address indexed provider, ProviderKind kind, bytes32 credentialHash, address indexed by);
    event ProviderSuspended(address indexed provider, address indexed by);
    event ProviderReinstated(address indexed provider, address indexed by);
    event ProviderKeyRotated(address indexed provider, bytes32 encryptionKey, uint32 keyVersion);

    error ProviderAlreadyRegistered(address provider);
    error ProviderNotRegistered(address account);
    error ProviderIsSuspended(address provider);
    error ProviderNotSuspended(address provider);
    error InvalidProviderKind(ProviderKind kind);
    error InvalidProviderAddress(address provider);
    error InvalidProviderKey();
}
