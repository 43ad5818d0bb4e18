// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsent} from "../../contracts/interfaces/IConsent.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {IRecords} from "../../contracts/interfaces/IRecords.sol";
import {MedLedger} from "../../contracts/MedLedger.sol";
import {Vm} from "./utils/Vm.sol";

/**
 * @dev Drives MedLedger with random but well-formed actions from a small cast of patients, providers and
 * an outsider, and keeps a plain model (ghost state) of who should have access, which records exist and
 * how many chained events each account caused. It also reads back every log MedLedger emits: the record
 * batches as {RecordsAdded} tells them, and each activity chain folded from the logs themselves, the way
 * a client checks an indexer. The invariant test compares the contract with both after every call.
 */
contract MedLedgerHandler {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 public constant ACTORS = 3;
    uint256 private constant FIRST_PATIENT_KEY = 0xBEEF01;
    bytes private constant CID = hex"01551220";
    /// @dev Batches draw from few categories, so a record and the one it supersedes often match.
    uint256 private constant BATCH_CATEGORIES = 3;
    /// @dev Largest batch the handler sends: enough to straddle 32-record state words often.
    uint256 private constant MAX_HANDLER_BATCH = 40;

    MedLedger public immutable medLedger;
    /// @dev Same code, other address: consent signed for it must never work on `medLedger`.
    MedLedger public immutable otherDeployment;
    address public constant OUTSIDER = address(0x0BAD);
    /// @dev The account whose activity chain holds the provider directory's events.
    address public constant DIRECTORY = address(0);

    address[ACTORS] public patients;
    address[ACTORS] public providers;

    mapping(address => bool) public patientRegistered;
    mapping(address => bool) public providerRegistered;
    mapping(address => bool) public providerSuspended;
    mapping(address => mapping(address => uint64)) public grantedScopes;
    mapping(address => mapping(address => uint40)) public grantExpiry;
    mapping(address => mapping(address => uint32)) public revocations;
    mapping(address => Rec[]) private _records;
    /// @dev Whether the batch starting at a record id was appended by {MedLedger-addRecords}.
    mapping(address => mapping(uint64 => bool)) public appendedByAddRecords;
    /// @dev Record batches of each patient as their {RecordsAdded} logs tell them, in log order.
    mapping(address => EventBatch[]) private _eventBatches;
    /// @dev Chained events each account (the directory under the zero address) should have caused.
    mapping(address => uint64) public chainedEvents;
    /// @dev Each account's chain folded from the logs MedLedger emitted.
    mapping(address => Chain) private _foldedChains;

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
    bool public chainedActionMismatch;

    /// @dev What the model knows of a record: enough to check who may supersede it.
    struct Rec {
        address author;
        uint8 category;
        bool superseded;
    }

    /// @dev One {RecordsAdded} log.
    struct EventBatch {
        uint64 firstId;
        address author;
        uint40 createdAt;
        bytes headers;
    }

    struct Chain {
        uint64 length;
        bytes24 head;
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

    /// @dev A batch the handler is about to send, and what the model says of it.
    struct Draft {
        bytes headers;
        Rec[] added;
        uint64[] supersededBefore;
        uint256 supersededBeforeCount;
        uint64 required;
        bool supersedesAllowed;
    }

    /// @dev Folds the logs of the wrapped action into the event model; actions that emit directly use it.
    modifier folded() {
        VM.recordLogs();
        _;
        _foldLogs();
    }

    constructor() {
        VM.recordLogs();
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
        _foldLogs();
    }

    function registerPatient(uint256 who) external folded {
        _registerPatient(who);
    }

    function registerProvider(uint256 who) external folded {
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
        ++chainedEvents[DIRECTORY];
    }

    function toggleSuspension(uint256 who) external folded {
        address provider = providers[who % ACTORS];
        if (!providerRegistered[provider]) return;
        if (providerSuspended[provider]) medLedger.reinstateProvider(provider);
        else medLedger.suspendProvider(provider);
        providerSuspended[provider] = !providerSuspended[provider];
        ++chainedEvents[DIRECTORY];
    }

    /// @dev A registered provider publishes a new key; the admin publishes its profile.
    function updateProviderDirectory(uint256 whom, bytes32 key, bool profile) external folded {
        address provider = providers[whom % ACTORS];
        if (!providerRegistered[provider] || key == bytes32(0)) return;
        if (profile) {
            medLedger.setProviderProfile(provider, CID, key);
        } else {
            VM.prank(provider);
            medLedger.setProviderKey(key);
        }
        ++chainedEvents[DIRECTORY];
    }

    function grant(uint256 who, uint256 whom, uint64 scopes, uint256 lifetime) external folded {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (!patientRegistered[patient] || !_active(provider) || scopes == 0) return;
        uint40 expiry = uint40(block.timestamp + 1 + (lifetime % 30 days));
        VM.prank(patient);
        medLedger.grant(provider, scopes, expiry, "");
        _granted(patient, provider, scopes, expiry);
    }

    /// @dev A grant of every scope, so providers often hold the write scope of the records they meet.
    function grantEverything(uint256 who, uint256 whom, uint256 lifetime) external {
        this.grant(who, whom, type(uint64).max, lifetime);
    }

    function revoke(uint256 who, uint256 whom) external folded {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (grantedScopes[patient][provider] == 0) return;
        VM.prank(patient);
        medLedger.revoke(provider);
        ++revocations[patient][provider];
        grantedScopes[patient][provider] = 0;
        grantExpiry[patient][provider] = 0;
        _consentEvent(patient, provider, 1);
    }

    /// @dev A provider asks a patient for scopes; the patient may deny it.
    function requestThenMaybeDeny(uint256 who, uint256 whom, uint64 scopes, bool deny) external folded {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        bool allowed = patientRegistered[patient] && _active(provider) && scopes != 0;
        VM.prank(provider);
        try medLedger.requestAccess(patient, scopes) {
            if (!allowed) chainedActionMismatch = true;
            _consentEvent(patient, provider, 1);
        } catch {
            if (allowed) chainedActionMismatch = true;
        }
        if (!deny) return;
        allowed = patientRegistered[patient] && providerRegistered[provider];
        VM.prank(patient);
        try medLedger.denyRequest(provider) {
            if (!allowed) chainedActionMismatch = true;
            _consentEvent(patient, provider, 1);
        } catch {
            if (allowed) chainedActionMismatch = true;
        }
    }

    /// @dev The patient hands a grantee the keys of the current epoch: the patient's chain only.
    function shareKeyring(uint256 who, uint256 whom) external folded {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        bool allowed = patientRegistered[patient] && grantedScopes[patient][provider] != 0;
        VM.prank(patient);
        try medLedger.shareKeyring(provider, CID) {
            if (!allowed) chainedActionMismatch = true;
            ++chainedEvents[patient];
        } catch {
            if (allowed) chainedActionMismatch = true;
        }
    }

    /// @dev A provider logs that it opened up to three records (or one that does not exist).
    function logAccess(uint256 who, uint256 whom, uint256 seed, uint8 purpose) external folded {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        uint256 count = _records[patient].length;
        uint64[] memory ids = new uint64[](1 + (seed % 3));
        uint64 required;
        bool exist = true;
        for (uint256 i = 0; i < ids.length; ++i) {
            ids[i] = uint64(1 + (uint256(keccak256(abi.encode(seed, i))) % (count + 1)));
            if (ids[i] > count) exist = false;
            else required |= uint64(1) << _records[patient][ids[i] - 1].category;
        }
        bool allowed = purpose != 0 && exist && patientRegistered[patient] && _modelHasAccess(patient, provider, required);
        VM.prank(provider);
        try medLedger.logAccess(patient, ids, purpose) {
            if (!allowed) chainedActionMismatch = true;
            ++chainedEvents[patient];
        } catch {
            if (allowed) chainedActionMismatch = true;
        }
    }

    /// @dev Patient-registry events and cancelled consents: none of them extends a chain.
    function unchainedPatientAction(uint256 who, uint256 action) external folded {
        address patient = patients[who % ACTORS];
        if (action % 3 == 0) {
            uint256 nonce = medLedger.nonces(patient);
            VM.prank(patient);
            medLedger.cancelConsentSignature(nonce);
            return;
        }
        if (!patientRegistered[patient]) return;
        VM.prank(patient);
        if (action % 3 == 1) medLedger.rotatePatientKey(keccak256(abi.encode(patient, action)));
        else medLedger.updatePatientProfile(CID);
    }

    function elapse(uint256 time) external {
        VM.warp(block.timestamp + (time % 10 days));
    }

    /// @dev Anyone in the cast (or the outsider) tries to append; the model says whether it may.
    function addRecord(uint256 actorSeed, uint256 who, uint8 category) external folded {
        address patient = patients[who % ACTORS];
        category = category % 32;
        address actor = _actor(actorSeed);
        bool allowed = patientRegistered[patient] &&
            (actor == patient || _modelHasAccess(patient, actor, uint64(1) << (32 + category)));
        bytes32 ciphertextHash = keccak256(abi.encode(actor, block.timestamp, _records[patient].length));
        VM.prank(actor);
        try medLedger.addRecord(patient, CID, ciphertextHash, category, 0) {
            if (!allowed) unauthorizedAppend = true;
            _records[patient].push(Rec(actor, category, false));
        } catch {
            if (allowed) authorizedAppendRefused = true;
        }
    }

    /**
     * @dev Anyone in the cast tries to append a batch of 1 to {MAX_HANDLER_BATCH} records, about half of
     * which supersede an earlier one (of the batch or not, of the same category or not). The model says
     * whether the batch must be accepted: the patient, or a provider holding every write scope it needs,
     * superseding only its own records of this batch (a provider proves older authorship through
     * {MedLedger-correctRecord} only), each of the same category and at most once.
     */
    function addRecords(uint256 actorSeed, uint256 who, uint256 size, uint256 seed) external folded {
        address patient = patients[who % ACTORS];
        address actor = _actor(actorSeed);
        Draft memory draft = _draftBatch(patient, actor, 1 + (size % MAX_HANDLER_BATCH), seed);
        bool writerAllowed = patientRegistered[patient] &&
            (actor == patient || _modelHasAccess(patient, actor, draft.required));
        uint64 firstId = uint64(_records[patient].length) + 1;
        VM.prank(actor);
        try medLedger.addRecords(patient, draft.headers) {
            if (!writerAllowed) unauthorizedAppend = true;
            if (!draft.supersedesAllowed) unauthorizedSupersede = true;
            for (uint256 i = 0; i < draft.supersededBeforeCount; ++i) {
                _records[patient][draft.supersededBefore[i] - 1].superseded = true;
            }
            for (uint256 i = 0; i < draft.added.length; ++i) _records[patient].push(draft.added[i]);
            appendedByAddRecords[patient][firstId] = true;
        } catch {
            if (writerAllowed && draft.supersedesAllowed) authorizedAppendRefused = true;
        }
    }

    /**
     * @dev Three batches in four are clean: each supersede names a record the actor may correct (any for
     * the patient, one of the batch for a provider) of its own category, not yet superseded. The fourth
     * supersedes at random, mostly within the category, so every refusal is explored too.
     */
    function _draftBatch(
        address patient,
        address actor,
        uint256 size,
        uint256 seed
    ) private view returns (Draft memory draft) {
        draft.added = new Rec[](size);
        draft.supersededBefore = new uint64[](size);
        draft.supersedesAllowed = true;
        uint64 firstId = uint64(_records[patient].length) + 1;
        bool clean = seed % 4 != 0;
        uint64 lowest = clean && actor != patient ? firstId : 1;
        for (uint256 i = 0; i < size; ++i) {
            uint256 random = uint256(keccak256(abi.encode(seed, i)));
            uint64 recordId = firstId + uint64(i);
            uint8 category = uint8(random % BATCH_CATEGORIES);
            uint64 supersedes;
            if ((random >> 8) % 2 == 1 && recordId > lowest) {
                supersedes = lowest + uint64((random >> 16) % (recordId - lowest));
                if (clean || (random >> 24) % 4 != 0) category = _draftCategory(patient, draft, firstId, supersedes);
                if (clean && _draftSuperseded(patient, draft, firstId, supersedes)) supersedes = 0;
                if (supersedes != 0) _draftSupersede(patient, actor, draft, firstId, supersedes, category);
            }
            draft.added[i] = Rec(actor, category, false);
            draft.required |= uint64(1) << (32 + category);
            draft.headers = abi.encodePacked(
                draft.headers,
                category,
                supersedes,
                keccak256(abi.encode("batch", seed, i)),
                uint8(CID.length),
                CID
            );
        }
    }

    /// @dev Whether record `recordId` is superseded, in the model or earlier in the draft.
    function _draftSuperseded(
        address patient,
        Draft memory draft,
        uint64 firstId,
        uint64 recordId
    ) private view returns (bool already) {
        if (recordId >= firstId) return draft.added[recordId - firstId].superseded;
        already = _records[patient][recordId - 1].superseded;
        for (uint256 k = 0; k < draft.supersededBeforeCount; ++k) {
            if (draft.supersededBefore[k] == recordId) already = true;
        }
    }

    function _draftCategory(
        address patient,
        Draft memory draft,
        uint64 firstId,
        uint64 recordId
    ) private view returns (uint8) {
        return recordId < firstId ? _records[patient][recordId - 1].category : draft.added[recordId - firstId].category;
    }

    /// @dev Whether record `supersedes` may be corrected by the drafted record, in the model.
    function _draftSupersede(
        address patient,
        address actor,
        Draft memory draft,
        uint64 firstId,
        uint64 supersedes,
        uint8 category
    ) private view {
        bool sameCategory = _draftCategory(patient, draft, firstId, supersedes) == category;
        bool already = _draftSuperseded(patient, draft, firstId, supersedes);
        if (supersedes >= firstId) draft.added[supersedes - firstId].superseded = true;
        else draft.supersededBefore[draft.supersededBeforeCount++] = supersedes;
        bool byAuthor = actor == patient || supersedes >= firstId;
        if (!sameCategory || already || !byAuthor) draft.supersedesAllowed = false;
    }

    /**
     * @dev Anyone in the cast tries to correct a record, by {addRecord} or by {correctRecord} with the
     * batch holding the record, as its {RecordsAdded} log tells it, as proof of authorship. Only the
     * patient or the record's author, holding write scope, may supersede it, and only once.
     */
    function correct(uint256 actorSeed, uint256 who, uint256 index, bool withProof) external folded {
        address patient = patients[who % ACTORS];
        if (_records[patient].length == 0) return;
        uint64 target = uint64(index % _records[patient].length) + 1;
        address actor = _actor(actorSeed);
        bool allowed = _maySupersede(actor, patient, target, withProof);
        (IRecords.RecordInput memory input, IRecords.PriorBatch memory proof) = _correction(actor, patient, target);
        try this.appendCorrection(actor, patient, input, proof, withProof) {
            if (!allowed) unauthorizedSupersede = true;
            _records[patient][target - 1].superseded = true;
            _records[patient].push(Rec(actor, input.category, false));
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

    /// @dev {addRecords} by a provider given every scope, so its batches land and supersede each other.
    function grantEverythingThenAddRecords(uint256 who, uint256 whom, uint256 size, uint256 seed) external {
        this.grant(who, whom, type(uint64).max, 1 days);
        this.addRecords(ACTORS + (whom % ACTORS), who, size, seed);
    }

    /// @dev What the model says: the patient, or the author proving it, with write scope; once per record.
    function _maySupersede(address actor, address patient, uint64 target, bool withProof) private view returns (bool) {
        Rec storage prior = _records[patient][target - 1];
        bool writer = actor == patient || _modelHasAccess(patient, actor, uint64(1) << (32 + prior.category));
        return writer && !prior.superseded && (actor == patient || (withProof && actor == prior.author));
    }

    /// @dev A fresh correction of record `target`, and the batch holding it as proof of authorship.
    function _correction(
        address actor,
        address patient,
        uint64 target
    ) private view returns (IRecords.RecordInput memory input, IRecords.PriorBatch memory proof) {
        input = IRecords.RecordInput({
            cid: CID,
            ciphertextHash: keccak256(abi.encode("correction", actor, block.timestamp, _records[patient].length)),
            category: _records[patient][target - 1].category,
            supersedes: target
        });
        EventBatch storage holder = _eventBatchOf(patient, target);
        proof = IRecords.PriorBatch({firstId: holder.firstId, createdAt: holder.createdAt, headers: holder.headers});
    }

    /// @dev The logged batch holding record `recordId`.
    function _eventBatchOf(address patient, uint64 recordId) private view returns (EventBatch storage batch) {
        EventBatch[] storage batches = _eventBatches[patient];
        uint256 k = batches.length;
        while (batches[k - 1].firstId > recordId) --k;
        return batches[k - 1];
    }

    /// @dev External so try/catch can observe a revert; only this handler calls it.
    function appendCorrection(
        address actor,
        address patient,
        IRecords.RecordInput calldata input,
        IRecords.PriorBatch calldata proof,
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
    function grantBySig(uint256 who, uint256 whom, uint64 scopes) external folded {
        address patient = patients[who % ACTORS];
        address provider = providers[whom % ACTORS];
        if (!patientRegistered[patient] || !_active(provider) || scopes == 0) return;
        Terms memory terms = _terms(patient, provider, scopes);
        bytes memory signature = _sign(who % ACTORS, terms, block.chainid, address(medLedger));
        _submit(terms, signature);
        _granted(patient, provider, scopes, terms.expiry);
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
    function submitKeptConsent(uint256 index) external folded {
        if (_unsubmitted.length == 0) return;
        (Terms memory terms, bytes memory signature) = abi.decode(
            _unsubmitted[index % _unsubmitted.length],
            (Terms, bytes)
        );
        try this.submitExternally(terms, signature) {
            if (revocations[terms.patient][terms.provider] != terms.revocations) {
                consentFromBeforeRevocationAccepted = true;
            }
            _granted(terms.patient, terms.provider, terms.scopes, terms.expiry);
        } catch {} // solhint-disable-line no-empty-blocks
    }

    function replaySignature(uint256 index) external folded {
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
    function submitForeignSignature(uint256 who, uint256 whom, uint64 scopes, bool otherChain) external folded {
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

    /// @dev How many records the model holds for `patient`.
    function recordCount(address patient) external view returns (uint256) {
        return _records[patient].length;
    }

    /// @dev The model's record `recordId` (1-based) of `patient`.
    function recordOf(address patient, uint64 recordId) external view returns (Rec memory) {
        return _records[patient][recordId - 1];
    }

    function eventBatchCount(address patient) external view returns (uint256) {
        return _eventBatches[patient].length;
    }

    function eventBatch(address patient, uint256 index) external view returns (EventBatch memory) {
        return _eventBatches[patient][index];
    }

    /// @dev `account`'s chain as folded from the logs.
    function foldedChain(address account) external view returns (Chain memory chain) {
        chain = _foldedChains[account];
        if (chain.head == bytes24(0)) chain.head = medLedger.GENESIS();
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

    /// @dev Anyone in the cast, or the outsider.
    function _actor(uint256 seed) private view returns (address) {
        uint256 pick = seed % (2 * ACTORS + 1);
        return pick < ACTORS ? patients[pick] : pick < 2 * ACTORS ? providers[pick - ACTORS] : OUTSIDER;
    }

    /// @dev A grant was applied: a narrowing one (dropping a read scope) also emitted a revocation.
    function _granted(address patient, address provider, uint64 scopes, uint40 expiry) private {
        bool dropsRead = grantedScopes[patient][provider] & 0xFFFFFFFF & ~scopes != 0;
        _consentEvent(patient, provider, dropsRead ? 2 : 1);
        grantedScopes[patient][provider] = scopes;
        grantExpiry[patient][provider] = expiry;
    }

    /// @dev `count` chained consent events between `patient` and `provider`: both chains grow.
    function _consentEvent(address patient, address provider, uint64 count) private {
        chainedEvents[patient] += count;
        chainedEvents[provider] += count;
    }

    /**
     * @dev Reads MedLedger's logs since {Vm-recordLogs}: keeps each {RecordsAdded} as the model's record
     * batch and folds each chained event into the chains it belongs to, by its topic0 alone (the rule
     * a client applies to an indexer's list).
     */
    function _foldLogs() private {
        Vm.Log[] memory logs = VM.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(medLedger)) continue;
            bytes32 topic0 = log.topics[0];
            if (topic0 == IRecords.RecordsAdded.selector) {
                (uint40 createdAt, bytes memory headers) = abi.decode(log.data, (uint40, bytes));
                _eventBatches[_topicAddress(log, 1)].push(
                    EventBatch(uint64(uint256(log.topics[2])), _topicAddress(log, 3), createdAt, headers)
                );
                continue;
            }
            bytes32 leaf = keccak256(
                abi.encode(topic0, _topicAddress(log, 1), _topicAddress(log, 2), keccak256(log.data))
            );
            if (_isDirectoryEvent(topic0)) {
                _fold(DIRECTORY, leaf);
            } else if (_isTwoPartyEvent(topic0)) {
                _fold(_topicAddress(log, 1), leaf);
                _fold(_topicAddress(log, 2), leaf);
            } else if (topic0 == IConsent.KeyringShared.selector || topic0 == IRecords.AccessLogged.selector) {
                _fold(_topicAddress(log, 1), leaf);
            }
        }
    }

    function _fold(address account, bytes32 leaf) private {
        Chain storage chain = _foldedChains[account];
        bytes24 head = chain.head == bytes24(0) ? medLedger.GENESIS() : chain.head;
        chain.head = bytes24(keccak256(abi.encodePacked(head, leaf)));
        ++chain.length;
    }

    function _isDirectoryEvent(bytes32 topic0) private pure returns (bool) {
        return
            topic0 == IProviderRegistry.ProviderRegistered.selector ||
            topic0 == IProviderRegistry.ProviderSuspended.selector ||
            topic0 == IProviderRegistry.ProviderReinstated.selector ||
            topic0 == IProviderRegistry.ProviderKeyRotated.selector ||
            topic0 == IProviderRegistry.ProviderProfileUpdated.selector;
    }

    function _isTwoPartyEvent(bytes32 topic0) private pure returns (bool) {
        return
            topic0 == IConsent.AccessGranted.selector ||
            topic0 == IConsent.AccessRevoked.selector ||
            topic0 == IConsent.AccessRequested.selector ||
            topic0 == IConsent.AccessRequestDenied.selector;
    }

    /// @dev Indexed argument `index` of `log` as an address, zero when the event has none there.
    function _topicAddress(Vm.Log memory log, uint256 index) private pure returns (address) {
        return index < log.topics.length ? address(uint160(uint256(log.topics[index]))) : address(0);
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
