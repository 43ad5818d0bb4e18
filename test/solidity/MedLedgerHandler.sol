// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {IRecords} from "../../contracts/interfaces/IRecords.sol";
import {MedLedger} from "../../contracts/MedLedger.sol";
import {Vm} from "./utils/Vm.sol";

/**
 * @dev Drives MedLedger with random but well-formed actions from a small cast of patients, providers and
 * an outsider, and keeps a plain model (ghost state) of who should have access and which records exist.
 * The invariant test compares the contract with this model after every call.
 */
contract MedLedgerHandler {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 public constant ACTORS = 3;
    uint256 private constant FIRST_PATIENT_KEY = 0xBEEF01;
    bytes private constant CID = hex"01551220";
    bytes32 private constant SUPERSEDED = bytes32(uint256(0x80));

    MedLedger public immutable medLedger;
    /// @dev Same code, other address: consent signed for it must never work on `medLedger`.
    MedLedger public immutable otherDeployment;
    address public constant OUTSIDER = address(0x0BAD);

    address[ACTORS] public patients;
    address[ACTORS] public providers;

    mapping(address => bool) public patientRegistered;
    mapping(address => bool) public providerRegistered;
    mapping(address => bool) public providerSuspended;
    mapping(address => mapping(address => uint64)) public grantedScopes;
    mapping(address => mapping(address => uint40)) public grantExpiry;
    mapping(address => mapping(address => uint32)) public revocations;
    mapping(address => bytes32[]) private _history;
    mapping(address => Rec[]) private _records;

    bytes[] private _usedSignatures;
    /// @dev Consents signed and kept, with the revocation count of their pair when they were signed.
    bytes[] private _unsubmitted;
    bool public unauthorizedAppend;
    bool public authorizedAppendRefused;
    bool public signatureReused;
    bool public foreignSignatureAccepted;
    bool public unauthorizedSupersede;
    bool public authorizedSupersedeRefused;
    bool public consentFromBeforeRevocationAccepted;

    /// @dev What the model knows of a record: enough to check who may supersede it and to prove authorship.
    struct Rec {
        address author;
        uint8 category;
        uint64 supersedes;
        uint40 createdAt;
        bytes32 ciphertextHash;
        bool superseded;
    }

    struct Terms {
        address patient;
        address provider;
        uint64 scopes;
        uint40 expiry;
        uint32 revocations;
        uint256 nonce;
        uint256 deadline;
    }

    constructor() {
        medLedger = new MedLedger(0, address(this));
        otherDeployment = new MedLedger(0, address(this));
        for (uint256 i = 0; i < ACTORS; ++i) {
            patients[i] = VM.addr(FIRST_PATIENT_KEY + i);
            providers[i] = address(uint160(0xC0FFEE00 + i));
        }
        // The first patient and provider start registered, so deep sequences reach grants, records and
        // corrections often; the others start unregistered, so those paths are explored too.
        _registerPatient(0);
        _registerProvider(0);
    }

    function registerPatient(uint256 who) external {
        _registerPatient(who);
    }

    function registerProvider(uint256 who) external {
        _registerProvider(who);
    }

    function _registerPatient(uint256 who) private {
        address patient = patients[who % ACTORS];
        if (patientRegistered[patient]) return;
        VM.prank(patient);
        medLedger.registerPatient(keccak256(abi.encode(patient)), hex"01551220");
        patientRegistered[patient] = true;
    }

    function _registerProvider(uint256 who) private {
        address provider = providers[who % ACTORS];
        if (providerRegistered[provider]) return;
        medLedger.registerProvider(provider, IProviderRegistry.ProviderKind.Doctor, keccak256(abi.encode(provider)));
        providerRegistered[provider] = true;
    }

    function toggleSuspension(uint256 who) external {
        address provider = providers[who % ACTORS];
        if (!providerRegistered[provider]) return;
        if (providerSuspended[provider]) medLedger.reinstateProvider(provider);
        else medLedger.suspendProvider(provider);
        providerSuspended[provider] = !providerSuspended[provider];
    }

    function grant(uint256 who, uint256 whom, uint64 scopes, uint256 lifetime) external {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (!patientRegistered[patient] || !_active(provider) || scopes == 0) return;
        uint40 expiry = uint40(block.timestamp + 1 + (lifetime % 30 days));
        VM.prank(patient);
        medLedger.grant(provider, scopes, expiry, "");
        grantedScopes[patient][provider] = scopes;
        grantExpiry[patient][provider] = expiry;
    }

    /// @dev A grant of every scope, so providers often hold the write scope of the records they meet.
    function grantEverything(uint256 who, uint256 whom, uint256 lifetime) external {
        this.grant(who, whom, type(uint64).max, lifetime);
    }

    function revoke(uint256 who, uint256 whom) external {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (grantedScopes[patient][provider] == 0) return;
        VM.prank(patient);
        medLedger.revoke(provider);
        ++revocations[patient][provider];
        grantedScopes[patient][provider] = 0;
        grantExpiry[patient][provider] = 0;
    }

    function elapse(uint256 time) external {
        VM.warp(block.timestamp + (time % 10 days));
    }

    /// @dev Anyone in the cast (or the outsider) tries to append; the model says whether it may.
    function addRecord(uint256 actorSeed, uint256 who, uint8 category) external {
        address patient = patients[who % ACTORS];
        category = category % 32;
        uint256 pick = actorSeed % (2 * ACTORS + 1);
        address actor = pick < ACTORS ? patients[pick] : pick < 2 * ACTORS ? providers[pick - ACTORS] : OUTSIDER;
        bool allowed = patientRegistered[patient] &&
            (actor == patient || _modelHasAccess(patient, actor, uint64(1) << (32 + category)));
        bytes32 ciphertextHash = keccak256(abi.encode(actor, block.timestamp, _history[patient].length));
        VM.prank(actor);
        try medLedger.addRecord(patient, CID, ciphertextHash, category, 0) returns (uint64 recordId) {
            if (!allowed) unauthorizedAppend = true;
            _recordAppended(patient, recordId, Rec(actor, category, 0, uint40(block.timestamp), ciphertextHash, false));
        } catch {
            if (allowed) authorizedAppendRefused = true;
        }
    }

    /**
     * @dev Anyone in the cast tries to correct a record, by {addRecord} or by {correctRecord} with the
     * record's true header as proof of authorship. Only the patient or the record's author, holding write
     * scope, may supersede it, and only once.
     */
    function correct(uint256 actorSeed, uint256 who, uint256 index, bool withProof) external {
        address patient = patients[who % ACTORS];
        if (_records[patient].length == 0) return;
        uint64 target = uint64(index % _records[patient].length) + 1;
        uint256 pick = actorSeed % (2 * ACTORS + 1);
        address actor = pick < ACTORS ? patients[pick] : pick < 2 * ACTORS ? providers[pick - ACTORS] : OUTSIDER;
        bool allowed = _maySupersede(actor, patient, target, withProof);
        (IRecords.RecordInput memory input, IRecords.PriorHeader memory proof) = _correction(actor, patient, target);
        try this.appendCorrection(actor, patient, input, proof, withProof) returns (uint64 recordId) {
            if (!allowed) unauthorizedSupersede = true;
            _records[patient][target - 1].superseded = true;
            _history[patient][target - 1] |= SUPERSEDED;
            _recordAppended(
                patient,
                recordId,
                Rec(actor, input.category, target, uint40(block.timestamp), input.ciphertextHash, false)
            );
        } catch {
            if (allowed) authorizedSupersedeRefused = true;
        }
    }

    /// @dev {correct} by a provider, the case the author rule is for.
    function correctAsProvider(uint256 whom, uint256 who, uint256 index, bool withProof) external {
        this.correct(ACTORS + (whom % ACTORS), who, index, withProof);
    }

    /// @dev The patient corrects one record twice: the second correction is of a superseded version.
    function patientCorrectsTwice(uint256 who, uint256 index) external {
        this.correct(who % ACTORS, who, index, false);
        this.correct(who % ACTORS, who, index, false);
    }

    /// @dev A provider given every scope tries to correct one of the patient's records, its own or not.
    function grantEverythingThenCorrect(uint256 who, uint256 whom, uint256 index, bool withProof) external {
        this.grant(who, whom, type(uint64).max, 1 days);
        this.correctAsProvider(whom, who, index, withProof);
    }

    /// @dev {addRecord} by the patient, so there are patient-authored records to correct.
    function addRecordAsPatient(uint256 who, uint8 category) external {
        this.addRecord(who % ACTORS, who, category);
    }

    /// @dev {addRecord} by a write-scoped provider, so there are provider-authored records to correct.
    function addRecordAsProvider(uint256 whom, uint256 who, uint8 category) external {
        this.addRecord(ACTORS + (whom % ACTORS), who, category);
    }

    /// @dev What the model says: the patient, or the author proving it, with write scope; once per record.
    function _maySupersede(address actor, address patient, uint64 target, bool withProof) private view returns (bool) {
        Rec storage prior = _records[patient][target - 1];
        bool writer = actor == patient || _modelHasAccess(patient, actor, uint64(1) << (32 + prior.category));
        return writer && !prior.superseded && (actor == patient || (withProof && actor == prior.author));
    }

    /// @dev A fresh correction of record `target`, and that record's true header as proof of authorship.
    function _correction(
        address actor,
        address patient,
        uint64 target
    ) private view returns (IRecords.RecordInput memory input, IRecords.PriorHeader memory proof) {
        Rec storage prior = _records[patient][target - 1];
        input = IRecords.RecordInput({
            cid: CID,
            ciphertextHash: keccak256(abi.encode("correction", actor, block.timestamp, _records[patient].length)),
            category: prior.category,
            supersedes: target
        });
        proof = IRecords.PriorHeader({
            supersedes: prior.supersedes,
            createdAt: prior.createdAt,
            ciphertextHash: prior.ciphertextHash,
            cidHash: keccak256(CID)
        });
    }

    /// @dev External so try/catch can observe a revert; only this handler calls it.
    function appendCorrection(
        address actor,
        address patient,
        IRecords.RecordInput calldata input,
        IRecords.PriorHeader calldata proof,
        bool withProof
    ) external returns (uint64) {
        if (msg.sender != address(this)) return 0;
        VM.prank(actor);
        return
            withProof
                ? medLedger.correctRecord(patient, input, proof)
                : medLedger.addRecord(patient, input.cid, input.ciphertextHash, input.category, input.supersedes);
    }

    /// @dev The patient signs a consent that a provider submits; the signature is kept for replays.
    function grantBySig(uint256 who, uint256 whom, uint64 scopes) external {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (!patientRegistered[patient] || !_active(provider) || scopes == 0) return;
        Terms memory terms = _terms(patient, provider, scopes);
        bytes memory signature = _sign(who % ACTORS, terms, block.chainid, address(medLedger));
        _submit(terms, signature);
        grantedScopes[patient][provider] = scopes;
        grantExpiry[patient][provider] = terms.expiry;
        _usedSignatures.push(abi.encode(terms, signature));
    }

    /// @dev The patient signs a consent and hands it over, but nobody submits it yet.
    function signConsent(uint256 who, uint256 whom, uint64 scopes) external {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (!patientRegistered[patient] || scopes == 0) return;
        Terms memory terms = _terms(patient, provider, scopes);
        _unsubmitted.push(abi.encode(terms, _sign(who % ACTORS, terms, block.chainid, address(medLedger))));
    }

    /**
     * @dev The pattern revocation must defeat: the patient signs a consent for a provider (kept by it),
     * grants the provider another way, and revokes.
     */
    function signGrantRevoke(uint256 who, uint256 whom, uint64 scopes, bool bySignature) external {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (!patientRegistered[patient] || !_active(provider) || scopes == 0) return;
        this.signConsent(who, whom, scopes);
        if (bySignature) this.grantBySig(who, whom, scopes);
        else this.grant(who, whom, scopes, 1 days);
        this.revoke(who, whom);
    }

    /// @dev A provider submits a consent it kept; one signed before a revocation of the pair must fail.
    function submitKeptConsent(uint256 index) external {
        if (_unsubmitted.length == 0) return;
        (Terms memory terms, bytes memory signature) = abi.decode(
            _unsubmitted[index % _unsubmitted.length],
            (Terms, bytes)
        );
        try this.submitExternally(terms, signature) {
            if (revocations[terms.patient][terms.provider] != terms.revocations) {
                consentFromBeforeRevocationAccepted = true;
            }
            grantedScopes[terms.patient][terms.provider] = terms.scopes;
            grantExpiry[terms.patient][terms.provider] = terms.expiry;
        } catch {} // solhint-disable-line no-empty-blocks
    }

    function replaySignature(uint256 index) external {
        if (_usedSignatures.length == 0) return;
        (Terms memory terms, bytes memory signature) = abi.decode(
            _usedSignatures[index % _usedSignatures.length],
            (Terms, bytes)
        );
        try this.submitExternally(terms, signature) {
            signatureReused = true;
        } catch {} // solhint-disable-line no-empty-blocks
    }

    /// @dev A consent signed for another chain id or another deployment, submitted here.
    function submitForeignSignature(uint256 who, uint256 whom, uint64 scopes, bool otherChain) external {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (scopes == 0) return;
        Terms memory terms = _terms(patient, provider, scopes);
        bytes memory signature = otherChain
            ? _sign(who % ACTORS, terms, block.chainid + 1, address(medLedger))
            : _sign(who % ACTORS, terms, block.chainid, address(otherDeployment));
        try this.submitExternally(terms, signature) {
            foreignSignatureAccepted = true;
        } catch {} // solhint-disable-line no-empty-blocks
    }

    /// @dev External so try/catch can observe a revert; only this handler calls it.
    function submitExternally(Terms memory terms, bytes memory signature) external {
        if (msg.sender != address(this)) return;
        _submit(terms, signature);
    }

    function _recordAppended(address patient, uint64 recordId, Rec memory rec) private {
        _records[patient].push(rec);
        VM.prank(patient);
        _history[patient].push(medLedger.recordDigests(patient, recordId, 1)[0]);
    }

    function history(address patient) external view returns (bytes32[] memory) {
        return _history[patient];
    }

    /// @dev What the model says `hasAccess` must answer.
    function modelHasAccess(address patient, address provider, uint64 scopes) external view returns (bool) {
        return patientRegistered[patient] && _modelHasAccess(patient, provider, scopes);
    }

    function _modelHasAccess(address patient, address provider, uint64 scopes) private view returns (bool) {
        uint64 held = grantedScopes[patient][provider];
        return
            _active(provider) &&
            block.timestamp < grantExpiry[patient][provider] &&
            scopes != 0 &&
            held & scopes == scopes;
    }

    function _active(address provider) private view returns (bool) {
        return providerRegistered[provider] && !providerSuspended[provider];
    }

    function _terms(address patient, address provider, uint64 scopes) private view returns (Terms memory) {
        return
            Terms({
                patient: patient,
                provider: provider,
                scopes: scopes,
                expiry: uint40(block.timestamp + 7 days),
                revocations: medLedger.grantOf(patient, provider).revocations,
                nonce: medLedger.nonces(patient),
                deadline: block.timestamp + 1 hours
            });
    }

    function _sign(
        uint256 patientIndex,
        Terms memory terms,
        uint256 chainId,
        address verifyingContract
    ) private view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(
                medLedger.CONSENT_TYPEHASH(),
                terms.patient,
                terms.provider,
                terms.scopes,
                terms.expiry,
                keccak256(""),
                terms.revocations,
                terms.nonce,
                terms.deadline
            )
        );
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("MedLedger"),
                keccak256("1"),
                chainId,
                verifyingContract
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(FIRST_PATIENT_KEY + patientIndex, digest);
        return abi.encodePacked(r, s, v);
    }

    function _submit(Terms memory terms, bytes memory signature) private {
        medLedger.grantBySig(
            terms.patient,
            terms.provider,
            terms.scopes,
            terms.expiry,
            "",
            terms.revocations,
            terms.nonce,
            terms.deadline,
            signature
        );
    }
}
