// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsent} from "../../contracts/interfaces/IConsent.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {IRecords} from "../../contracts/interfaces/IRecords.sol";
import {MedLedger} from "../../contracts/MedLedger.sol";
import {TestBase} from "./utils/Vm.sol";

contract MedLedgerFuzzTest is TestBase {
    uint256 private constant PATIENT_KEY = 0xA11CE;
    uint8 private constant OBSERVATION = 1;

    MedLedger private _medLedger;
    address private _patient;
    address private constant DOCTOR = address(0xD0C);

    function setUp() public {
        _medLedger = new MedLedger(0, address(this));
        _patient = VM.addr(PATIENT_KEY);
        VM.prank(_patient);
        _medLedger.registerPatient(keccak256("patient key"), hex"0155");
        _medLedger.registerProvider(DOCTOR, IProviderRegistry.ProviderKind.Doctor, keccak256("licence"));
        VM.warp(1_700_000_000);
    }

    /// hasAccess answers exactly: every queried scope granted, non-empty query, before expiry.
    function testFuzz_HasAccessMatchesGrantedScopesAndExpiry(
        uint64 scopes,
        uint64 query,
        uint256 lifetime,
        uint256 elapsed
    ) public {
        scopes = uint64(_bound(scopes, 1, type(uint64).max));
        lifetime = _bound(lifetime, 1, 10 * 365 days);
        elapsed = _bound(elapsed, 0, 20 * 365 days);
        uint40 expiry = uint40(block.timestamp + lifetime);
        VM.prank(_patient);
        _medLedger.grant(DOCTOR, scopes, expiry, "");
        VM.warp(block.timestamp + elapsed);
        bool expected = query != 0 && scopes & query == query && block.timestamp < expiry;
        _assertTrue(_medLedger.hasAccess(_patient, DOCTOR, query) == expected, "hasAccess disagrees with the grant");
    }

    /// An expiry that is not in the future is refused, whatever it is.
    function testFuzz_GrantRefusesExpiryNotInFuture(uint256 ago) public {
        uint40 expiry = uint40(block.timestamp - _bound(ago, 0, block.timestamp));
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IConsent.GrantExpiryInPast.selector, expiry, block.timestamp));
        _medLedger.grant(DOCTOR, 1, expiry, "");
    }

    /// A batch of any allowed size gets consecutive ids, one expectedSeal digest and a state byte per record.
    function testFuzz_BatchAppendsConsecutiveSealedHeaders(uint256 size, uint256 categorySeed) public {
        size = _bound(size, 1, 100);
        bytes memory headers;
        uint8[] memory categories = new uint8[](size);
        for (uint256 i = 0; i < size; ++i) {
            categories[i] = uint8(uint256(keccak256(abi.encode(categorySeed, i))) % 32);
            headers = bytes.concat(headers, _header(categories[i], 0, i));
        }
        VM.prank(_patient);
        uint64 firstId = _medLedger.addRecords(_patient, headers);
        _assertEq(firstId, 1, "first id");
        _assertEq(_medLedger.patientInfo(_patient).recordCount, size, "record count");
        VM.prank(_patient);
        (bytes32[] memory digests, bytes memory states) = _medLedger.recordDigests(_patient, 1, size);
        bytes32 expectedSeal = _medLedger.sealBatch(_patient, 1, _patient, uint40(block.timestamp), headers);
        _assertEq(digests[0], expectedSeal | bytes32(uint256(0x40)), "batch digest");
        for (uint256 i = 0; i < size; ++i) {
            if (i > 0) _assertEq(digests[i], bytes32(0), "digest inside the batch");
            _assertEq(uint8(states[i]), 0x20 | uint256(categories[i]), "state byte");
        }
    }

    /**
     * Records appended alone and in two batches of any sizes (so batches start and end anywhere in a
     * 32-record state word), each batch record superseding an earlier record at random: exactly the
     * superseded ones carry bit 7, in their digest or packed state, and nothing else changes.
     */
    function testFuzz_SupersedesInBatchesMarkExactlyTheirTargets(
        uint256 singles,
        uint256[2] memory sizes,
        uint256 seed
    ) public {
        singles = _bound(singles, 0, 40);
        uint256 total = singles + _bound(sizes[0], 1, 100) + _bound(sizes[1], 1, 100);
        bool[] memory superseded = new bool[](total + 1);
        for (uint256 id = 1; id <= singles; ++id) {
            VM.prank(_patient);
            _medLedger.addRecord(_patient, hex"0155", keccak256(abi.encode(id)), OBSERVATION, 0);
        }
        uint64 nextId = uint64(singles) + 1;
        for (uint256 b = 0; b < 2; ++b) {
            uint256 size = _bound(sizes[b], 1, 100);
            bytes memory headers;
            for (uint256 i = 0; i < size; ++i) {
                uint256 random = uint256(keccak256(abi.encode(seed, b, i)));
                uint64 target = nextId + uint64(i) > 1 ? uint64(1 + (random % (nextId + i - 1))) : 0;
                if (random & (1 << 200) == 0 || target == 0 || superseded[target]) target = 0;
                else superseded[target] = true;
                headers = bytes.concat(headers, _header(OBSERVATION, target, nextId + i));
            }
            VM.prank(_patient);
            _assertEq(_medLedger.addRecords(_patient, headers), nextId, "first id");
            nextId += uint64(size);
        }
        VM.prank(_patient);
        (bytes32[] memory digests, bytes memory states) = _medLedger.recordDigests(_patient, 1, total);
        for (uint256 id = 1; id <= total; ++id) {
            uint256 state = 0x20 | OBSERVATION | (superseded[id] ? 0x80 : 0);
            if (id <= singles) {
                _assertEq(uint256(digests[id - 1]) & 0xff, state, "state of a record appended alone");
                _assertEq(uint8(states[id - 1]), 0, "no packed state for a record appended alone");
            } else {
                _assertEq(uint8(states[id - 1]), state, "packed state");
            }
        }
    }

    /// Headers cut anywhere but at a record boundary revert at the offset of the record cut short.
    function testFuzz_TruncatedHeadersAreMalformed(uint256 cut) public {
        bytes memory headers = bytes.concat(_header(OBSERVATION, 0, 1), _header(OBSERVATION, 0, 2), _header(OBSERVATION, 0, 3));
        uint256 recordLength = headers.length / 3;
        cut = _bound(cut, 1, headers.length - 1);
        if (cut % recordLength == 0) cut -= 1;
        bytes memory truncated = new bytes(cut);
        for (uint256 i = 0; i < cut; ++i) truncated[i] = headers[i];
        VM.prank(_patient);
        VM.expectRevert(
            abi.encodeWithSelector(IRecords.MalformedRecordHeaders.selector, (cut / recordLength) * recordLength)
        );
        _medLedger.addRecords(_patient, truncated);
    }

    /// Categories beyond the 32 a scope mask addresses are refused.
    function testFuzz_RefusesCategoryOutOfRange(uint8 category) public {
        category = uint8(_bound(category, 32, 255));
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecords.InvalidCategory.selector, category));
        _medLedger.addRecord(_patient, hex"0155", keccak256("c"), category, 0);
    }

    /// A consent signed for any other chain id is worthless here.
    function testFuzz_ConsentSignedForAnotherChainIsRejected(uint256 chainId) public {
        if (chainId == block.chainid) chainId = block.chainid + 1;
        bytes32 structHash = keccak256(
            abi.encode(
                _medLedger.CONSENT_TYPEHASH(),
                _patient,
                DOCTOR,
                uint64(1),
                uint40(block.timestamp + 1 days),
                keccak256(""),
                uint32(0),
                uint256(0),
                block.timestamp + 1 hours
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(
            PATIENT_KEY,
            _consentDigest(chainId, address(_medLedger), structHash)
        );
        VM.expectRevert(abi.encodeWithSelector(IConsent.InvalidConsentSignature.selector, _patient));
        _medLedger.grantBySig(
            _patient,
            DOCTOR,
            1,
            uint40(block.timestamp + 1 days),
            "",
            0,
            0,
            block.timestamp + 1 hours,
            abi.encodePacked(r, s, v)
        );
    }

    /// Write scope for one category never lets a provider append to another.
    function testFuzz_WriteScopeIsPerCategory(uint8 granted, uint8 attempted) public {
        granted = uint8(_bound(granted, 0, 31));
        attempted = uint8(_bound(attempted, 0, 31));
        VM.prank(_patient);
        _medLedger.grant(DOCTOR, uint64(1) << (32 + granted), uint40(block.timestamp + 1 days), "");
        if (granted != attempted) {
            VM.expectRevert(
                abi.encodeWithSelector(
                    IConsent.ScopeNotGranted.selector,
                    _patient,
                    DOCTOR,
                    uint64(1) << (32 + attempted),
                    uint64(1) << (32 + granted)
                )
            );
        }
        VM.prank(DOCTOR);
        _medLedger.addRecord(_patient, hex"0155", keccak256("c"), attempted, 0);
    }

    /// @dev A packed record header with a 36-byte CID and a ciphertext hash unique to `salt`.
    function _header(uint8 category, uint64 supersedes, uint256 salt) private pure returns (bytes memory) {
        bytes memory cid = abi.encodePacked(hex"01551220", keccak256(abi.encode("cid", salt)));
        return abi.encodePacked(category, supersedes, keccak256(abi.encode("ciphertext", salt)), uint8(cid.length), cid);
    }
}
