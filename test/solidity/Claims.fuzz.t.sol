// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Claims} from "../../contracts/Claims.sol";
import {IClaims} from "../../contracts/interfaces/IClaims.sol";
import {IProviderRegistry} from "../../contracts/interfaces/IProviderRegistry.sol";
import {MedLedger} from "../../contracts/MedLedger.sol";
import {TestBase} from "./utils/Vm.sol";

/// @dev Record proofs and claim references of every shape: only the genuine ones are accepted.
contract ClaimsFuzzTest is TestBase {
    uint8 private constant BILLING = 12;
    address private constant PATIENT = address(0xA11CE);
    address private constant LAB = address(0x1AB);
    address private constant INSURER = address(0x1A5E);

    MedLedger private _medLedger;
    Claims private _claims;

    function setUp() public {
        VM.warp(1_700_000_000);
        _medLedger = new MedLedger(0, address(this));
        _claims = new Claims(address(_medLedger));
        VM.prank(PATIENT);
        _medLedger.registerPatient(keccak256("patient key"), hex"0155");
        _medLedger.registerProvider(LAB, IProviderRegistry.ProviderKind.Lab, keccak256("lab licence"));
        _medLedger.registerProvider(INSURER, IProviderRegistry.ProviderKind.Insurer, keccak256("insurer licence"));
        VM.prank(PATIENT);
        _medLedger.grant(LAB, uint64(1) << (32 + BILLING), uint40(block.timestamp + 365 days), "");
        VM.prank(PATIENT);
        _medLedger.grant(INSURER, uint64(1) << BILLING, uint40(block.timestamp + 365 days), "");
    }

    /// Any record of a batch of any size, with CIDs of any allowed length, proves as the claim record.
    function testFuzz_ProvesAnyRecordOfABatch(uint256 size, uint256 index, uint256 cidSeed) public {
        size = _bound(size, 1, 100);
        index = _bound(index, 0, size - 1);
        IClaims.RecordProof memory proof = _labBatch(size, cidSeed);
        proof.recordId = proof.firstId + uint64(index);
        VM.prank(LAB);
        uint64 claimId = _claims.submitClaim(PATIENT, INSURER, proof);
        IClaims.ClaimRef memory ref = IClaims.ClaimRef(claimId, PATIENT, LAB, INSURER, proof.recordId, _hashOf(index));
        _assertEq(_claims.claimState(LAB, _hashOf(index)), _claims.sealClaim(ref) | bytes32(uint256(1)), "stored claim");
    }

    /// A record id outside the batch is refused, whatever it is.
    function testFuzz_RefusesAnIdOutsideTheBatch(uint256 size, uint64 recordId) public {
        size = _bound(size, 1, 20);
        IClaims.RecordProof memory proof = _labBatch(size, size);
        if (recordId >= proof.firstId && recordId < proof.firstId + size) recordId = uint64(proof.firstId + size);
        proof.recordId = recordId;
        VM.prank(LAB);
        VM.expectRevert(abi.encodeWithSelector(IClaims.RecordNotProven.selector, PATIENT, recordId, LAB));
        _claims.submitClaim(PATIENT, INSURER, proof);
    }

    /// Headers with any byte changed, or anything appended, no longer prove the batch.
    function testFuzz_RefusesAlteredHeaders(uint256 size, uint256 position, uint8 flip, bytes memory extra) public {
        size = _bound(size, 1, 10);
        IClaims.RecordProof memory proof = _labBatch(size, position);
        proof.recordId = proof.firstId;
        if (flip == 0 && extra.length == 0) flip = 1;
        position = _bound(position, 0, proof.headers.length - 1);
        proof.headers[position] ^= bytes1(flip);
        proof.headers = bytes.concat(proof.headers, extra);
        VM.prank(LAB);
        VM.expectRevert(abi.encodeWithSelector(IClaims.RecordNotProven.selector, PATIENT, proof.recordId, LAB));
        _claims.submitClaim(PATIENT, INSURER, proof);
    }

    /// A claim reference with any field changed is unknown.
    function testFuzz_ForgedReferenceIsUnknown(uint256 field, uint256 value) public {
        IClaims.RecordProof memory proof = _labBatch(1, 0);
        proof.recordId = proof.firstId;
        VM.prank(LAB);
        uint64 claimId = _claims.submitClaim(PATIENT, INSURER, proof);
        IClaims.ClaimRef memory genuine = IClaims.ClaimRef(claimId, PATIENT, LAB, INSURER, proof.recordId, _hashOf(0));
        IClaims.ClaimRef memory forged = IClaims.ClaimRef(claimId, PATIENT, LAB, INSURER, proof.recordId, _hashOf(0));
        field %= 6;
        if (field == 0) forged.claimId = uint64(value);
        else if (field == 1) forged.patient = address(uint160(value));
        else if (field == 2) forged.provider = address(uint160(value));
        else if (field == 3) forged.insurer = address(uint160(value));
        else if (field == 4) forged.recordId = uint64(value);
        else forged.ciphertextHash = bytes32(value);
        if (keccak256(abi.encode(forged)) == keccak256(abi.encode(genuine))) return; // the genuine value
        VM.expectRevert(abi.encodeWithSelector(IClaims.UnknownClaim.selector, forged.claimId));
        _claims.claimStatus(forged);
    }

    /// The lab appends `size` billing records in one batch (CID lengths drawn from `cidSeed`); their proof.
    function _labBatch(uint256 size, uint256 cidSeed) private returns (IClaims.RecordProof memory proof) {
        bytes memory headers;
        for (uint256 i = 0; i < size; ++i) {
            uint256 cidLength = 1 + (uint256(keccak256(abi.encode(cidSeed, i))) % 128);
            headers = bytes.concat(
                headers,
                abi.encodePacked(BILLING, uint64(0), _hashOf(i), uint8(cidLength), new bytes(cidLength))
            );
        }
        VM.prank(LAB);
        uint64 firstId = _medLedger.addRecords(PATIENT, headers);
        proof = IClaims.RecordProof(0, firstId, uint40(block.timestamp), headers);
    }

    function _hashOf(uint256 index) private pure returns (bytes32) {
        return keccak256(abi.encode("claim ciphertext", index));
    }
}
