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
     * (b) A patient's record history is what its {RecordsAdded} logs say, rebuilt the way a client does:
     * the logged batches tile ids 1 to the record count; each batch's first id stores the seal of its
     * logged header bytes (author, time) and every other id a zero digest; each record's state byte (in
     * the digest's low byte when appended alone, in `states` when appended by addRecords) holds its
     * logged category, the present bit, and the superseded bit exactly when the model says it was
     * corrected. So the history is append-only: logs never change, and only that bit is ever set.
     * hardhat-config: invariant.runs = 48
     * hardhat-config: invariant.depth = 40
     */
    function invariant_RecordHistoryMatchesItsEvents() public {
        uint256 actors = _handler.ACTORS();
        for (uint256 i = 0; i < actors; ++i) {
            address patient = _handler.patients(i);
            uint64 count = _medLedger.patientInfo(patient).recordCount;
            _assertEq(count, _handler.recordCount(patient), "record count");
            if (count == 0) continue;
            VM.prank(patient);
            (bytes32[] memory digests, bytes memory states) = _medLedger.recordDigests(patient, 1, count);
            uint64 nextId = 1;
            uint256 batches = _handler.eventBatchCount(patient);
            for (uint256 k = 0; k < batches; ++k) {
                nextId = _checkBatch(patient, _handler.eventBatch(patient, k), nextId, digests, states);
            }
            _assertEq(nextId - 1, count, "logged batches cover every record");
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

    /**
     * (g) Every account's activity chain has exactly as many links as the chained events the handler's
     * actions caused (grants, narrowing grants' revocations, revocations, requests, denials, shared
     * keyrings, logged reads; directory events under the zero address), and its head is the one folded
     * from the logs emitted: nothing else extends a chain.
     * hardhat-config: invariant.runs = 48
     * hardhat-config: invariant.depth = 40
     */
    function invariant_ActivityChainsCountAndFoldTheirEvents() public view {
        _assertTrue(!_handler.chainedActionMismatch(), "a request, denial, keyring or access log outcome differs");
        uint256 actors = _handler.ACTORS();
        for (uint256 i = 0; i < actors; ++i) {
            _checkChain(_handler.patients(i));
            _checkChain(_handler.providers(i));
        }
        _checkChain(_handler.DIRECTORY());
    }

    function _checkChain(address account) private view {
        (uint64 length, bytes24 head) = _medLedger.activityChain(account);
        MedLedgerHandler.Chain memory folded = _handler.foldedChain(account);
        _assertEq(length, _handler.chainedEvents(account), "chain length differs from the events caused");
        _assertEq(length, folded.length, "chain length differs from the logs");
        _assertEq(bytes32(head), bytes32(folded.head), "chain head differs from the logs folded");
    }

    /// @dev Checks one logged batch against storage and the model; returns the id after it.
    function _checkBatch(
        address patient,
        MedLedgerHandler.EventBatch memory batch,
        uint64 firstId,
        bytes32[] memory digests,
        bytes memory states
    ) private view returns (uint64 nextId) {
        _assertEq(batch.firstId, firstId, "logged batches tile the record ids");
        bool batched = _handler.appendedByAddRecords(patient, firstId);
        bytes32 stored = digests[firstId - 1];
        bytes32 expectedSeal = keccak256(abi.encode(patient, firstId, batch.author, batch.createdAt, keccak256(batch.headers)));
        _assertEq(stored >> 8, expectedSeal >> 8, "stored digest does not seal the logged batch");
        nextId = firstId;
        bytes memory headers = batch.headers;
        for (uint256 offset = 0; offset < headers.length; offset += 42 + uint8(headers[offset + 41])) {
            MedLedgerHandler.Rec memory rec = _handler.recordOf(patient, nextId);
            uint8 category = uint8(headers[offset]);
            _assertEq(category, rec.category, "logged category differs from the model");
            _assertTrue(batch.author == rec.author, "logged author differs from the model");
            uint256 state = 0x20 | uint256(category) | (rec.superseded ? 0x80 : 0);
            if (batched) {
                _assertEq(uint8(states[nextId - 1]), state, "packed state byte");
            } else {
                _assertEq(uint8(states[nextId - 1]), 0, "a record appended alone has no packed state");
                _assertEq(uint256(stored) & 0xff, state, "state byte of a record appended alone");
            }
            if (nextId != firstId) _assertEq(digests[nextId - 1], bytes32(0), "digest inside a batch");
            ++nextId;
        }
        if (batched) _assertEq(uint256(stored) & 0xff, 0x40, "batch marker");
        else _assertEq(nextId - firstId, 1, "a record appended alone is its own batch");
    }
}
