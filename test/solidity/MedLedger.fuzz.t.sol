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

    /// A batch of any allowed size gets consecutive ids and each stored digest seals its own header.
    function testFuzz_BatchAppendsConsecutiveSealedHeaders(uint256 size, uint256 categorySeed) public {
        size = _bound(size, 1, 100);
        IRecords.RecordInput[] memory batch = new IRecords.RecordInput[](size);
        for (uint256 i = 0; i < size; ++i) {
            batch[i] = IRecords.RecordInput({
                cid: abi.encodePacked(hex"01551220", keccak256(abi.encode(i))),
                ciphertextHash: keccak256(abi.encode("ciphertext", i)),
                category: uint8(uint256(keccak256(abi.encode(categorySeed, i))) % 32),
                supersedes: 0
            });
        }
        VM.prank(_patient);
        uint64 firstId = _medLedger.addRecords(_patient, batch);
        _assertEq(firstId, 1, "first id");
        _assertEq(_medLedger.patientInfo(_patient).recordCount, size, "record count");
        VM.prank(_patient);
        bytes32[] memory stored = _medLedger.recordDigests(_patient, 1, size);
        for (uint256 i = 0; i < size; ++i) {
            bytes32 expected = _medLedger.sealHeader(
                _patient,
                uint64(i + 1),
                _patient,
                batch[i].category,
                0,
                uint40(block.timestamp),
                batch[i].ciphertextHash,
                batch[i].cid
            );
            _assertEq(stored[i], expected, "sealed header");
        }
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
}
