// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
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
    mapping(address => bytes32[]) private _history;

    bytes[] private _usedSignatures;
    bool public unauthorizedAppend;
    bool public authorizedAppendRefused;
    bool public signatureReused;
    bool public foreignSignatureAccepted;

    struct Terms {
        address patient;
        address provider;
        uint64 scopes;
        uint40 expiry;
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
    }

    function registerPatient(uint256 who) external {
        address patient = patients[who % ACTORS];
        if (patientRegistered[patient]) return;
        VM.prank(patient);
        medLedger.registerPatient(keccak256(abi.encode(patient)), hex"01551220");
        patientRegistered[patient] = true;
    }

    function registerProvider(uint256 who) external {
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

    function revoke(uint256 who, uint256 whom) external {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (grantedScopes[patient][provider] == 0) return;
        VM.prank(patient);
        medLedger.revoke(provider);
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
        VM.prank(actor);
        try medLedger.addRecord(patient, hex"01551220", keccak256(abi.encode(actor, block.timestamp)), category, 0) returns (
            uint64 recordId
        ) {
            if (!allowed) unauthorizedAppend = true;
            VM.prank(patient);
            _history[patient].push(medLedger.recordDigests(patient, recordId, 1)[0]);
        } catch {
            if (allowed) authorizedAppendRefused = true;
        }
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
            terms.nonce,
            terms.deadline,
            signature
        );
    }
}
