// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Claims} from "../../contracts/Claims.sol";
import {IClaims} from "../../contracts/interfaces/IClaims.sol";
import {ClaimsHandler} from "./ClaimsHandler.sol";
import {TestBase} from "./utils/Vm.sol";

/// @dev Properties of the claims module that hold after any sequence of actions by anyone.
contract ClaimsInvariantTest is TestBase {
    /// @dev Functions of a target contract the invariant fuzzer calls (the handler's actions, not its views).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    ClaimsHandler private _handler;
    Claims private _claims;

    function setUp() public {
        VM.warp(1_700_000_000);
        _handler = new ClaimsHandler();
        _claims = _handler.claims();
        _targetContract(address(_handler));
    }

    /// @dev Queried by the invariant fuzzer: it calls only the handler's actions.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory actions = new bytes4[](7);
        actions[0] = ClaimsHandler.submit.selector;
        actions[1] = ClaimsHandler.adjudicate.selector;
        actions[2] = ClaimsHandler.pay.selector;
        actions[3] = ClaimsHandler.dispute.selector;
        actions[4] = ClaimsHandler.forge.selector;
        actions[5] = ClaimsHandler.toggleSuspension.selector;
        actions[6] = ClaimsHandler.toggleGrant.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(_handler), actions);
    }

    /**
     * (a) A claim's status only moves forward — Submitted to Approved or Denied, Approved to Paid — and
     * the disputed mark is set once, only after adjudication, and never cleared; every claim is stored
     * as its own reference's seal, and claim ids count from 1 with no gap.
     * hardhat-config: invariant.runs = 64
     * hardhat-config: invariant.depth = 60
     */
    function invariant_ClaimStatusOnlyMovesForward() public view {
        _assertTrue(!_handler.illegalTransition(), "a claim moved backwards, sideways or twice");
        uint256 count = _handler.ghostCount();
        _assertEq(_claims.claimCount(), count, "claim count");
        for (uint256 i = 0; i < count; ++i) {
            ClaimsHandler.Ghost memory model = _handler.ghost(i);
            _assertEq(model.ref.claimId, i + 1, "claim ids count from 1");
            (IClaims.ClaimStatus status, bool disputed) = _claims.claimStatus(model.ref);
            _assertEq(uint256(status), uint256(model.status), "status differs from the model");
            _assertTrue(disputed == model.disputed, "disputed mark differs from the model");
            _assertTrue(!disputed || status != IClaims.ClaimStatus.Submitted, "disputed before adjudication");
        }
    }

    /**
     * (b) Only the rightful actor moves a claim: the active provider with billing write scope submits
     * to an active insurer with billing read scope, with its own billing record; only the claim's active
     * insurer adjudicates and pays; only its patient disputes. Every such call is accepted, no other is,
     * and no forged reference is ever taken for the claim.
     * hardhat-config: invariant.runs = 64
     * hardhat-config: invariant.depth = 60
     */
    function invariant_OnlyRightfulActorsMoveClaims() public view {
        _assertTrue(!_handler.wrongfulMove(), "a claim moved by the wrong actor, in the wrong status or proof");
        _assertTrue(!_handler.rightfulRefused(), "a rightful step was refused");
        _assertTrue(!_handler.forgeryAccepted(), "a forged claim reference was accepted");
    }

    /**
     * (c) One claim per provider and ciphertext: no provider holds two claims over one ciphertext hash.
     * hardhat-config: invariant.runs = 64
     * hardhat-config: invariant.depth = 60
     */
    function invariant_OneClaimPerProviderAndCiphertext() public view {
        uint256 count = _handler.ghostCount();
        for (uint256 i = 0; i < count; ++i) {
            IClaims.ClaimRef memory ref = _handler.ghost(i).ref;
            for (uint256 j = i + 1; j < count; ++j) {
                IClaims.ClaimRef memory other = _handler.ghost(j).ref;
                _assertTrue(
                    other.ciphertextHash != ref.ciphertextHash || other.provider != ref.provider,
                    "two claims of one provider over one ciphertext"
                );
            }
        }
    }
}
