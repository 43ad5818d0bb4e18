// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @dev A minimal smart-contract wallet for tests: it accepts signatures by its owner key (ERC-1271).
contract ERC1271WalletMock is IERC1271 {
    address private immutable _OWNER;

    error NotOwner(address caller);

    constructor(address owner) {
        _OWNER = owner;
    }

    /// @dev Forwards a call from the owner, so the wallet can act as a patient.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != _OWNER) revert NotOwner(msg.sender);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, , ) = ECDSA.tryRecover(hash, signature);
        return recovered == _OWNER ? this.isValidSignature.selector : bytes4(0);
    }
}
