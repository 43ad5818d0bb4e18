// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MedLedger} from "../../contracts/MedLedger.sol";
import {MedLedgerHandler} from "./MedLedgerHandler.sol";
import {TestBase} from "./utils/Vm.sol";

/// @dev Properties that hold after any sequence of patient, provider, admin and relayer actions.
contract MedLedgerInvariantTest is TestBase {
    MedLedgerHandler private _handler;
    MedLedger private _medLedger;

    function setUp() public {
        VM.warp(1_700_000_000);
        _handler = new MedLedgerHandler();
        _medLedger = _handler.medLedger();
        _targetContract(address(_handler));
    }

    /**
     * (a) An unregistered, suspended, revoked or expired provider never has access; a live grant does,
     * for exactly its scopes.
     * hardhat-config: invariant.runs = 48
     * hardhat-config: invariant.depth = 40
     */
    function invariant_AccessFollowsRegistrationSuspensionRevocationAndExpiry() public view {
        uint256 actors = _handler.ACTORS();
        for (uint256 i = 0; i < actors; ++i) {
            address patient = _handler.patients(i);
            for (uint256 j = 0; j < actors; ++j) {
                address provider = _handler.providers(j);
                uint64 held = _handler.grantedScopes(patient, provider);
                uint64[3] memory queries = [held, uint64(1), uint64(1) << 32];
                for (uint256 q = 0; q < queries.length; ++q) {
                    _assertTrue(
                        _medLedger.hasAccess(patient, provider, queries[q]) ==
                            _handler.modelHasAccess(patient, provider, queries[q]),
                        "hasAccess differs from the model"
                    );
                }
            }
            _assertTrue(!_medLedger.hasAccess(patient, _handler.OUTSIDER(), 1), "outsider has access");
        }
    }

    /**
     * (b) A patient's record history is append-only: the count never falls and no header ever changes
     * (but for the one bit that marks a record superseded, set once).
     * hardhat-config: invariant.runs = 48
     * hardhat-config: invariant.depth = 40
     */
    function invariant_RecordHistoryIsAppendOnly() public {
        uint256 actors = _handler.ACTORS();
        for (uint256 i = 0; i < actors; ++i) {
            address patient = _handler.patients(i);
            bytes32[] memory expected = _handler.history(patient);
            _assertEq(_medLedger.patientInfo(patient).recordCount, expected.length, "record count");
            if (expected.length == 0) continue;
            VM.prank(patient);
            bytes32[] memory stored = _medLedger.recordDigests(patient, 1, expected.length);
            for (uint256 k = 0; k < expected.length; ++k) {
                _assertEq(stored[k], expected[k], "a stored header changed");
            }
        }
    }

    /**
     * (c) Only the patient or a provider holding write scope for the category ever appends.
     * hardhat-config: invariant.runs = 48
     * hardhat-config: invariant.depth = 40
     */
    function invariant_OnlyPatientOrWriteScopedProviderAppends() public view {
        _assertTrue(!_handler.unauthorizedAppend(), "an unauthorised account appended a record");
        _assertTrue(!_handler.authorizedAppendRefused(), "an authorised append was refused");
    }

    /**
     * (d) A consent signature is never used twice, nor on another chain or contract.
     * hardhat-config: invariant.runs = 48
     * hardhat-config: invariant.depth = 40
     */
    function invariant_ConsentSignaturesAreSingleUseAndBound() public view {
        _assertTrue(!_handler.signatureReused(), "a consent signature was used twice");
        _assertTrue(!_handler.foreignSignatureAccepted(), "a consent signed for elsewhere was accepted");
    }

    /**
     * (e) A record is superseded only by the patient or its original author (with write scope), and
     * only once; every such correction is accepted.
     * hardhat-config: invariant.runs = 128
     * hardhat-config: invariant.depth = 40
     */
    function invariant_OnlyPatientOrAuthorSupersedes() public view {
        _assertTrue(!_handler.unauthorizedSupersede(), "a record was superseded by someone else or twice");
        _assertTrue(!_handler.authorizedSupersedeRefused(), "a correction by the patient or the author was refused");
    }

    /**
     * (f) After `revoke`, no consent signature created before it ever restores access.
     * hardhat-config: invariant.runs = 48
     * hardhat-config: invariant.depth = 40
     */
    function invariant_RevocationOutlivesEarlierConsents() public view {
        _assertTrue(
            !_handler.consentFromBeforeRevocationAccepted(),
            "a consent signed before a revocation restored access"
        );
    }
}
