// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IProviderRegistry} from "./IProviderRegistry.sol";

/**
 * @dev The views of {MedLedger} that companion contracts (the claims module) consult: consent, provider
 * standing and the stored digest of a record batch. MedLedger implements them; it does not inherit this
 * interface, which keeps its ABI and size as they are.
 */
interface IMedLedgerView {
    /// @dev Whether `provider` may use every scope in `scopes` on `patient`'s records right now.
    function hasAccess(address patient, address provider, uint64 scopes) external view returns (bool);

    /// @dev Whether `account` is a registered provider that is not suspended.
    function isActiveProvider(address account) external view returns (bool);

    /// @dev The kind of `provider` (None when not registered), whether or not it is suspended.
    function providerKind(address provider) external view returns (IProviderRegistry.ProviderKind);

    /// @dev The digest stored for the batch of `patient`'s records starting at `firstId` (zero when none).
    function batchDigest(address patient, uint64 firstId) external view returns (bytes32);
}
