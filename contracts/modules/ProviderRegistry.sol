// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {ActivityChains} from "./ActivityChains.sol";

/**
 * @dev Providers (doctors, labs, insurers) are vetted off-chain and registered, suspended and reinstated
 * by holders of {PROVIDER_ADMIN_ROLE}. Suspension takes effect on every grant at once because
 * {Consent-hasAccess} checks it on each read. The default admin is transferred in two steps with a delay.
 * Every registry event extends the directory's chain ({ActivityChains}), so a directory read from an
 * indexer is checked complete.
 */
abstract contract ProviderRegistry is AccessControlDefaultAdminRules, ActivityChains, IProviderRegistry {
    bytes32 public constant PROVIDER_ADMIN_ROLE = keccak256("PROVIDER_ADMIN_ROLE");

    /// @dev Longest profile CID accepted, as for patient profiles and records.
    uint256 private constant _MAX_PROFILE_CID_LENGTH = 128;

    mapping(address provider => ProviderInfo) private _providers;

    /**
     * @notice Registers a vetted provider.
     * @dev Requirements: the caller has {PROVIDER_ADMIN_ROLE}; `provider` is non-zero and not registered;
     * `kind` is Doctor, Lab or Insurer.
     * @param credentialHash Hash of the credential the admin checked, never the licence number itself.
     */
    function registerProvider(
        address provider,
        ProviderKind kind,
        bytes32 credentialHash
    ) external onlyRole(PROVIDER_ADMIN_ROLE) {
        if (provider == address(0)) revert InvalidProviderAddress(provider);
        if (kind == ProviderKind.None) revert InvalidProviderKind(kind);
        ProviderInfo storage info = _providers[provider];
        if (info.kind != ProviderKind.None) revert ProviderAlreadyRegistered(provider);
        info.kind = kind;
        info.credentialHash = credentialHash;
        info.registeredAt = uint40(block.timestamp);
        _openChain(provider);
        _chainDirectoryEvent(ProviderRegistered.selector, provider, msg.sender, abi.encode(kind, credentialHash));
        emit ProviderRegistered(provider, kind, credentialHash, msg.sender);
    }

    /**
     * @notice Suspends a provider: it loses every access it was granted, immediately.
     * @dev Requirements: the caller has {PROVIDER_ADMIN_ROLE}; `provider` is registered and active.
     */
    function suspendProvider(address provider) external onlyRole(PROVIDER_ADMIN_ROLE) {
        ProviderInfo storage info = _registeredProvider(provider);
        if (info.suspended) revert ProviderIsSuspended(provider);
        info.suspended = true;
        _chainDirectoryEvent(ProviderSuspended.selector, provider, msg.sender, "");
        emit ProviderSuspended(provider, msg.sender);
    }

    /**
     * @notice Lifts a suspension; grants that have not expired or been revoked apply again.
     * @dev Requirements: the caller has {PROVIDER_ADMIN_ROLE}; `provider` is registered and suspended.
     */
    function reinstateProvider(address provider) external onlyRole(PROVIDER_ADMIN_ROLE) {
        ProviderInfo storage info = _registeredProvider(provider);
        if (!info.suspended) revert ProviderNotSuspended(provider);
        info.suspended = false;
        _chainDirectoryEvent(ProviderReinstated.selector, provider, msg.sender, "");
        emit ProviderReinstated(provider, msg.sender);
    }

    /**
     * @notice Publishes the calling provider's X25519 encryption public key.
     * @dev Requirements: the caller is a registered provider; `encryptionKey` is non-zero.
     */
    function setProviderKey(bytes32 encryptionKey) external {
        ProviderInfo storage info = _registeredProvider(msg.sender);
        if (encryptionKey == bytes32(0)) revert InvalidProviderKey();
        info.encryptionKey = encryptionKey;
        uint32 keyVersion = ++info.keyVersion;
        _chainDirectoryEvent(ProviderKeyRotated.selector, msg.sender, address(0), abi.encode(encryptionKey, keyVersion));
        emit ProviderKeyRotated(msg.sender, encryptionKey, keyVersion);
    }

    /**
     * @notice Publishes or replaces `provider`'s public directory profile: its CID on IPFS and the
     * SHA-256 of its bytes, which readers check what they fetch against.
     * @dev Requirements: the caller has {PROVIDER_ADMIN_ROLE}; `provider` is registered (suspended ones
     * included); `profileCid` is 1 to 128 bytes; `profileHash` is non-zero.
     */
    function setProviderProfile(
        address provider,
        bytes calldata profileCid,
        bytes32 profileHash
    ) external onlyRole(PROVIDER_ADMIN_ROLE) {
        ProviderInfo storage info = _registeredProvider(provider);
        if (profileCid.length == 0 || profileCid.length > _MAX_PROFILE_CID_LENGTH || profileHash == bytes32(0)) {
            revert InvalidProviderProfile(profileCid.length, profileHash);
        }
        info.profileHash = profileHash;
        _chainDirectoryEvent(
            ProviderProfileUpdated.selector,
            provider,
            msg.sender,
            abi.encode(profileCid, profileHash)
        );
        emit ProviderProfileUpdated(provider, profileCid, profileHash, msg.sender);
    }

    /// @notice Registration data of `provider` (kind None when not registered).
    function providerInfo(address provider) external view returns (ProviderInfo memory) {
        return _providers[provider];
    }

    /**
     * @notice The kind of `provider` (None when not registered), whether or not it is suspended.
     * @dev One storage read where {providerInfo} takes four: for contracts that check a provider's kind
     * on every call (the claims module checks that a claim's insurer is one).
     */
    function providerKind(address provider) external view returns (ProviderKind) {
        return _providers[provider].kind;
    }

    /// @notice Whether `account` is a registered provider that is not suspended.
    function isActiveProvider(address account) public view returns (bool) {
        ProviderInfo storage info = _providers[account];
        return info.kind != ProviderKind.None && !info.suspended;
    }

    /// @dev The storage of a registered provider; reverts {ProviderNotRegistered} otherwise.
    function _registeredProvider(address account) internal view returns (ProviderInfo storage info) {
        info = _providers[account];
        if (info.kind == ProviderKind.None) revert ProviderNotRegistered(account);
    }

    /// @dev Appends a registry event to the directory's chain.
    function _chainDirectoryEvent(bytes32 topic0, address provider, address by, bytes memory data) private {
        _extendChain(_DIRECTORY, _eventLeaf(topic0, provider, by, data));
    }

    /// @dev Reverts unless `account` is a registered provider that is not suspended.
    function _checkActiveProvider(address account) internal view {
        if (_registeredProvider(account).suspended) revert ProviderIsSuspended(account);
    }
}
