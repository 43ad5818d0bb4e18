// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev The cheatcodes these tests use, served by Hardhat 3's Solidity test runner.
interface Vm {
    /// @dev A log captured by {recordLogs}.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function prank(address sender) external;
    function warp(uint256 timestamp) external;
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address);
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 revertData) external;
    /// @dev Starts capturing logs afresh (dropping any captured but not read yet).
    function recordLogs() external;
    /// @dev The logs captured since {recordLogs} or the last call to this, in order; clears them.
    function getRecordedLogs() external returns (Log[] memory logs);
}

/// @dev Base for test contracts: the cheatcode handle, invariant targets and minimal assertions.
abstract contract TestBase {
    Vm internal constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address[] private _targets;

    error AssertionFailed(string what);

    /// @dev Queried by the invariant fuzzer: only these contracts receive random calls.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    function _targetContract(address target) internal {
        _targets.push(target);
    }

    function _assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what);
    }

    function _assertEq(uint256 a, uint256 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what);
    }

    function _assertEq(bytes32 a, bytes32 b, string memory what) internal pure {
        if (a != b) revert AssertionFailed(what);
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }

    /// @dev The EIP-712 digest of a MedLedger struct hash for a deployment on `chainId` at `verifyingContract`.
    function _consentDigest(
        uint256 chainId,
        address verifyingContract,
        bytes32 structHash
    ) internal pure returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("MedLedger"),
                keccak256("1"),
                chainId,
                verifyingContract
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }
}
