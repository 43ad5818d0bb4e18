// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Claims} from "../../contracts/Claims.sol";
import {IClaims} from "../../contracts/interfaces/IClaims.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {MedLedger} from "../../contracts/MedLedger.sol";
import {Vm} from "./utils/Vm.sol";

/**
 * @dev Drives the claims module with random actors: two patients, two billing providers (a doctor and a
 * lab), two insurers and an outsider try to submit, adjudicate, pay and dispute claims, with record
 * proofs that are sound, tampered with or someone else's, and with references that are genuine or
 * forged, while the admin suspends and reinstates providers and patients revoke and restore grants.
 *
 * A plain model (ghost state) says which calls must succeed: exactly those by the rightful actor, in the
 * right status, with a sound proof. After every action the handler reads every claim's stored state
 * back, checks that it moved only along Submitted -> Approved | Denied, Approved -> Paid, and
 * not-disputed -> disputed after adjudication, and that it equals the model.
 */
contract ClaimsHandler {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 public constant PATIENTS = 2;
    uint256 public constant PROVIDERS = 2;
    /// @dev Patients, billing providers, insurers and the outsider.
    uint256 public constant CAST = 2 * PATIENTS + PROVIDERS + 1;
    address public constant OUTSIDER = address(0x0BAD);

    uint8 private constant BILLING = 12;
    uint8 private constant OBSERVATION = 1;
    uint64 private constant READ_BILLING = uint64(1) << BILLING;
    uint64 private constant WRITE_BILLING = uint64(1) << (32 + BILLING);
    uint64 private constant WRITE_OBSERVATION = uint64(1) << (32 + OBSERVATION);
    uint40 private constant EXPIRY = type(uint40).max;
    bytes private constant CID = hex"01551220";
    uint256 private constant DISPUTED = 0x80;

    MedLedger public immutable medLedger;
    Claims public immutable claims;

    address[PATIENTS] public patients;
    address[PROVIDERS] public providers;
    address[PROVIDERS] public insurers;

    /// @dev What the model knows of a claim.
    struct Ghost {
        IClaims.ClaimRef ref;
        IClaims.ClaimStatus status;
        bool disputed;
    }

    /// @dev A proof of a billing record an account wrote, and the record's ciphertext hash.
    struct Proven {
        IClaims.RecordProof proof;
        bytes32 ciphertextHash;
    }

    Ghost[] private _ghosts;
    /// @dev The state byte of each claim as last read from the contract.
    uint256[] private _observed;
    mapping(address account => bool) public suspended;
    mapping(address patient => mapping(address provider => bool)) public granted;
    mapping(bytes32 providerAndCiphertext => bool) public claimed;
    /// @dev The newest billing record each account wrote in each patient's history.
    mapping(address patient => mapping(address author => Proven)) private _lastBilling;
    uint256 private _labels;

    /// @dev A claim changed although the model says the call must fail, or another claim changed.
    bool public wrongfulMove;
    /// @dev A call the model says must succeed was refused.
    bool public rightfulRefused;
    /// @dev A stored state moved other than forward (or an id, seal or count is off).
    bool public illegalTransition;
    /// @dev A forged claim reference was accepted by a transition or by {Claims-claimStatus}.
    bool public forgeryAccepted;
    /// @dev Transitions that happened, so a run that moved nothing is visible.
    uint256 public moves;

    constructor() {
        medLedger = new MedLedger(0, address(this));
        claims = new Claims(address(medLedger));
        for (uint256 i = 0; i < PATIENTS; ++i) {
            patients[i] = address(uint160(0xA11CE0 + i));
            VM.prank(patients[i]);
            medLedger.registerPatient(keccak256(abi.encode(patients[i])), CID);
        }
        for (uint256 i = 0; i < PROVIDERS; ++i) {
            providers[i] = address(uint160(0xB111E0 + i));
            insurers[i] = address(uint160(0x1A5E0 + i));
            IProviderRegistry.ProviderKind kind =
                i == 0 ? IProviderRegistry.ProviderKind.Doctor : IProviderRegistry.ProviderKind.Lab;
            medLedger.registerProvider(providers[i], kind, keccak256(abi.encode(providers[i])));
            medLedger.registerProvider(
                insurers[i],
                IProviderRegistry.ProviderKind.Insurer,
                keccak256(abi.encode(insurers[i]))
            );
        }
        // Everyone starts granted and with a billing record in each history, so a party that later loses
        // its grant or is suspended still holds a proof to present.
        for (uint256 p = 0; p < PATIENTS; ++p) {
            for (uint256 i = 0; i < PROVIDERS; ++i) {
                _grant(patients[p], providers[i]);
                _grant(patients[p], insurers[i]);
                _writeBilling(patients[p], providers[i]);
                _writeBilling(patients[p], insurers[i]);
            }
        }
    }

    /**
     * @dev `actor` bills an insurer (usually a real one) for care of a patient, with a claim record it
     * writes now (alone or inside a batch, sometimes not a billing record, sometimes carrying the
     * ciphertext of an existing claim), or one it wrote before; the proof is sometimes tampered with.
     */
    function submit(uint256 actorSeed, uint256 patientSeed, uint256 insurerSeed, uint256 shape) external {
        address actor = actorSeed % 2 == 0 ? _provider(actorSeed >> 1) : _actor(actorSeed >> 1);
        address patient = patients[patientSeed % PATIENTS];
        address insurer = insurerSeed % 3 != 0 ? insurers[insurerSeed % PROVIDERS] : _actor(insurerSeed >> 8);
        // The fuzzer favours small numbers: mix them, so every bit field below varies.
        shape = uint256(keccak256(abi.encode(shape)));
        bytes32 ciphertextHash =
            _ghosts.length > 0 && shape % 5 == 0
                ? _ghosts[(shape >> 8) % _ghosts.length].ref.ciphertextHash
                : _freshHash();
        (IClaims.RecordProof memory proof, bytes32 proven, bool sound) = _proofFor(
            patient,
            actor,
            shape >> 16,
            ciphertextHash
        );
        bool tampered = _tamper(proof, shape >> 32);
        bool rightful =
            _active(actor) &&
                granted[patient][actor] &&
                insurer != actor &&
                _isInsurer(insurer) &&
                _active(insurer) &&
                granted[patient][insurer] &&
                sound &&
                !tampered &&
                !claimed[keccak256(abi.encode(actor, proven))];
        VM.prank(actor);
        try claims.submitClaim(patient, insurer, proof) returns (uint64 claimId) {
            if (!rightful) wrongfulMove = true;
            if (claimId != _ghosts.length + 1) illegalTransition = true;
            claimed[keccak256(abi.encode(actor, proven))] = true;
            _ghosts.push(
                Ghost(
                    IClaims.ClaimRef(claimId, patient, actor, insurer, proof.recordId, proven),
                    IClaims.ClaimStatus.Submitted,
                    false
                )
            );
            _observed.push(uint256(IClaims.ClaimStatus.Submitted));
            ++moves;
        } catch {
            if (rightful) rightfulRefused = true;
        }
        _checkClaims();
    }

    /// @dev The claim's insurer (half the time) or anyone approves or denies it with a response record.
    function adjudicate(uint256 claimSeed, uint256 actorSeed, bool approved, uint256 shape) external {
        if (_ghosts.length == 0) return;
        Ghost storage model = _ghosts[claimSeed % _ghosts.length];
        IClaims.ClaimRef memory ref = model.ref;
        address actor = actorSeed % 2 == 0 ? ref.insurer : _actor(actorSeed >> 1);
        (IClaims.RecordProof memory response, , bool sound) = _proofFor(ref.patient, actor, shape, _freshHash());
        bool rightful =
            actor == ref.insurer && _active(actor) && model.status == IClaims.ClaimStatus.Submitted && sound;
        VM.prank(actor);
        try claims.adjudicateClaim(ref, approved, response) {
            if (!rightful) wrongfulMove = true;
            model.status = approved ? IClaims.ClaimStatus.Approved : IClaims.ClaimStatus.Denied;
            ++moves;
        } catch {
            if (rightful) rightfulRefused = true;
        }
        _checkClaims();
    }

    /// @dev The claim's insurer (half the time) or anyone records a payment, sometimes with a zero reference.
    function pay(uint256 claimSeed, uint256 actorSeed, uint256 referenceSeed) external {
        if (_ghosts.length == 0) return;
        Ghost storage model = _ghosts[claimSeed % _ghosts.length];
        IClaims.ClaimRef memory ref = model.ref;
        address actor = actorSeed % 2 == 0 ? ref.insurer : _actor(actorSeed >> 1);
        bytes32 paymentReference = referenceSeed % 4 == 0 ? bytes32(0) : keccak256(abi.encode(referenceSeed));
        bool rightful =
            actor == ref.insurer &&
                _active(actor) &&
                model.status == IClaims.ClaimStatus.Approved &&
                paymentReference != bytes32(0);
        VM.prank(actor);
        try claims.payClaim(ref, paymentReference) {
            if (!rightful) wrongfulMove = true;
            model.status = IClaims.ClaimStatus.Paid;
            ++moves;
        } catch {
            if (rightful) rightfulRefused = true;
        }
        _checkClaims();
    }

    /// @dev The claim's patient (half the time) or anyone disputes it with a record of reasons.
    function dispute(uint256 claimSeed, uint256 actorSeed, uint256 shape) external {
        if (_ghosts.length == 0) return;
        Ghost storage model = _ghosts[claimSeed % _ghosts.length];
        IClaims.ClaimRef memory ref = model.ref;
        address actor = actorSeed % 2 == 0 ? ref.patient : _actor(actorSeed >> 1);
        (IClaims.RecordProof memory reason, , bool sound) = _proofFor(ref.patient, actor, shape, _freshHash());
        bool rightful =
            actor == ref.patient && model.status != IClaims.ClaimStatus.Submitted && !model.disputed && sound;
        VM.prank(actor);
        try claims.disputeClaim(ref, reason) {
            if (!rightful) wrongfulMove = true;
            model.disputed = true;
            ++moves;
        } catch {
            if (rightful) rightfulRefused = true;
        }
        _checkClaims();
    }

    /**
     * @dev The rightful actor of a step presents a reference with one field changed and an otherwise
     * sound call: no transition and no status query may accept it.
     */
    function forge(uint256 claimSeed, uint256 field, uint256 value, uint256 step) external {
        if (_ghosts.length == 0) return;
        IClaims.ClaimRef memory ref = _ghosts[claimSeed % _ghosts.length].ref;
        IClaims.ClaimRef memory forged = _forged(ref, field, value);
        if (keccak256(abi.encode(forged)) == keccak256(abi.encode(ref))) return;
        try claims.claimStatus(forged) {
            forgeryAccepted = true;
        } catch {} // solhint-disable-line no-empty-blocks
        step %= 3;
        address actor = step == 2 ? ref.patient : ref.insurer;
        (IClaims.RecordProof memory proof, , ) = _proofFor(ref.patient, actor, value, _freshHash());
        VM.prank(actor);
        if (step == 0) {
            try claims.adjudicateClaim(forged, true, proof) {
                forgeryAccepted = true;
            } catch {} // solhint-disable-line no-empty-blocks
        } else if (step == 1) {
            try claims.payClaim(forged, keccak256("reference")) {
                forgeryAccepted = true;
            } catch {} // solhint-disable-line no-empty-blocks
        } else {
            try claims.disputeClaim(forged, proof) {
                forgeryAccepted = true;
            } catch {} // solhint-disable-line no-empty-blocks
        }
        _checkClaims();
    }

    /// @dev The admin suspends or reinstates a billing provider or an insurer.
    function toggleSuspension(uint256 who) external {
        address provider = _provider(who);
        if (suspended[provider]) medLedger.reinstateProvider(provider);
        else medLedger.suspendProvider(provider);
        suspended[provider] = !suspended[provider];
        _checkClaims();
    }

    /// @dev A patient revokes a provider's or an insurer's grant, or grants it again.
    function toggleGrant(uint256 patientSeed, uint256 who) external {
        address patient = patients[patientSeed % PATIENTS];
        address party = _provider(who);
        if (granted[patient][party]) {
            VM.prank(patient);
            medLedger.revoke(party);
            granted[patient][party] = false;
        } else if (!suspended[party]) {
            _grant(patient, party);
        }
        _checkClaims();
    }

    function ghostCount() external view returns (uint256) {
        return _ghosts.length;
    }

    function ghost(uint256 index) external view returns (Ghost memory) {
        return _ghosts[index];
    }

    /**
     * @dev Reads every claim back: its stored seal must be its reference's, its state byte the model's,
     * and the change since the last read one of the forward moves (or none).
     */
    function _checkClaims() private {
        if (claims.claimCount() != _ghosts.length) illegalTransition = true;
        for (uint256 i = 0; i < _ghosts.length; ++i) {
            Ghost storage model = _ghosts[i];
            bytes32 stored = claims.claimState(model.ref.provider, model.ref.ciphertextHash);
            uint256 state = uint256(stored) & 0xff;
            if (stored >> 8 != claims.sealClaim(model.ref) >> 8) illegalTransition = true;
            if (!_isForward(_observed[i], state)) illegalTransition = true;
            if (state != uint256(model.status) | (model.disputed ? DISPUTED : 0)) wrongfulMove = true;
            _observed[i] = state;
        }
    }

    /// @dev Whether a claim's state byte may go from `before` to `afterwards` in one step (or stay).
    function _isForward(uint256 before, uint256 afterwards) private pure returns (bool) {
        if (before == afterwards) return true;
        uint256 from = before & 0x7f;
        uint256 to = afterwards & 0x7f;
        bool wasDisputed = before & DISPUTED != 0;
        bool isDisputed = afterwards & DISPUTED != 0;
        if (wasDisputed && !isDisputed) return false;
        if (from == to) return !wasDisputed && isDisputed && from != uint256(IClaims.ClaimStatus.Submitted);
        if (wasDisputed != isDisputed) return false;
        if (from == uint256(IClaims.ClaimStatus.Submitted)) {
            return
                !isDisputed &&
                (to == uint256(IClaims.ClaimStatus.Approved) || to == uint256(IClaims.ClaimStatus.Denied));
        }
        return from == uint256(IClaims.ClaimStatus.Approved) && to == uint256(IClaims.ClaimStatus.Paid);
    }

    /**
     * @dev A proof of a record `author` wrote in `patient`'s history, its ciphertext hash, and whether it
     * proves a billing record of theirs. The author tries to write one now (alone or in a batch of up to
     * three, the proven one `hashAtIndex`, now and then an observation); failing that, it presents the last
     * billing record it wrote, or a proof of nothing.
     */
    function _proofFor(
        address patient,
        address author,
        uint256 shape,
        bytes32 hashAtIndex
    ) private returns (IClaims.RecordProof memory proof, bytes32 ciphertextHash, bool sound) {
        shape = uint256(keccak256(abi.encode(shape)));
        uint256 count = 1 + (shape % 3);
        uint256 index = (shape >> 4) % count;
        uint8 category = (shape >> 8) % 6 == 0 ? OBSERVATION : BILLING;
        bytes memory headers;
        for (uint256 i = 0; i < count; ++i) {
            headers = bytes.concat(
                headers,
                abi.encodePacked(
                    i == index ? category : BILLING,
                    uint64(0),
                    i == index ? hashAtIndex : _freshHash(),
                    uint8(CID.length),
                    CID
                )
            );
        }
        VM.prank(author);
        try medLedger.addRecords(patient, headers) returns (uint64 firstId) {
            proof = IClaims.RecordProof(firstId + uint64(index), firstId, uint40(block.timestamp), headers);
            if (category == BILLING) _lastBilling[patient][author] = Proven(proof, hashAtIndex);
            return (proof, hashAtIndex, category == BILLING);
        } catch {
            Proven storage last = _lastBilling[patient][author];
            if (last.ciphertextHash != bytes32(0)) return (last.proof, last.ciphertextHash, true);
            return (IClaims.RecordProof(1, 1, uint40(block.timestamp), headers), bytes32(0), false);
        }
    }

    /// @dev `author` appends one billing record to `patient`'s history, kept as its last one.
    function _writeBilling(address patient, address author) private {
        bytes32 ciphertextHash = _freshHash();
        VM.prank(author);
        uint64 recordId = medLedger.addRecord(patient, CID, ciphertextHash, BILLING, 0);
        bytes memory header = abi.encodePacked(BILLING, uint64(0), ciphertextHash, uint8(CID.length), CID);
        _lastBilling[patient][author] = Proven(
            IClaims.RecordProof(recordId, recordId, uint40(block.timestamp), header),
            ciphertextHash
        );
    }

    /// @dev Tampers with `proof` now and then: trailing bytes, an id past or before the batch, a wrong time.
    function _tamper(IClaims.RecordProof memory proof, uint256 seed) private pure returns (bool) {
        uint256 how = seed % 16;
        if (how == 0) proof.headers = bytes.concat(proof.headers, hex"00");
        else if (how == 1) proof.recordId = proof.firstId + uint64(_countHeaders(proof.headers));
        else if (how == 2) proof.recordId = proof.firstId - 1;
        else if (how == 3) proof.createdAt += 1;
        return how < 4;
    }

    function _countHeaders(bytes memory headers) private pure returns (uint256 count) {
        for (uint256 offset = 0; offset < headers.length; offset += 42 + uint8(headers[offset + 41])) ++count;
    }

    function _forged(
        IClaims.ClaimRef memory ref,
        uint256 field,
        uint256 value
    ) private view returns (IClaims.ClaimRef memory forged) {
        forged = IClaims.ClaimRef(
            ref.claimId,
            ref.patient,
            ref.provider,
            ref.insurer,
            ref.recordId,
            ref.ciphertextHash
        );
        field %= 6;
        if (field == 0) forged.claimId = uint64(value);
        else if (field == 1) forged.patient = _actor(value);
        else if (field == 2) forged.provider = _actor(value);
        else if (field == 3) forged.insurer = _actor(value);
        else if (field == 4) forged.recordId = uint64(value);
        else forged.ciphertextHash = _ghosts[value % _ghosts.length].ref.ciphertextHash;
    }

    function _grant(address patient, address party) private {
        uint64 scopes = WRITE_BILLING | WRITE_OBSERVATION | (_isInsurer(party) ? READ_BILLING : 0);
        VM.prank(patient);
        medLedger.grant(party, scopes, EXPIRY, "");
        granted[patient][party] = true;
    }

    function _freshHash() private returns (bytes32) {
        return keccak256(abi.encode("ciphertext", ++_labels));
    }

    /// @dev Anyone in the cast: a patient, a billing provider, an insurer or the outsider.
    function _actor(uint256 seed) private view returns (address) {
        uint256 pick = seed % CAST;
        if (pick < PATIENTS) return patients[pick];
        if (pick < PATIENTS + PROVIDERS) return providers[pick - PATIENTS];
        if (pick < PATIENTS + 2 * PROVIDERS) return insurers[pick - PATIENTS - PROVIDERS];
        return OUTSIDER;
    }

    /// @dev A billing provider or an insurer: the accounts that may bill.
    function _provider(uint256 seed) private view returns (address) {
        return seed % 2 == 0 ? providers[(seed >> 1) % PROVIDERS] : insurers[(seed >> 1) % PROVIDERS];
    }

    function _isInsurer(address account) private view returns (bool) {
        return account == insurers[0] || account == insurers[1];
    }

    /// @dev A registered provider (billing provider or insurer) that is not suspended.
    function _active(address account) private view returns (bool) {
        return (_isInsurer(account) || account == providers[0] || account == providers[1]) && !suspended[account];
    }
}
