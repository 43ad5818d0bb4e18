// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPatientRegistry} from "../interfaces/IPatientRegistry.sol";
import {ActivityChains} from "./ActivityChains.sol";

/**
 * @dev Self-registration of patients by wallet. A patient publishes only an X25519 encryption public key
 * (set by their own wallet, so no frontend can substitute one) and the CID of their encrypted FHIR
 * profile. No name, age or any other personal data is stored, logged or reverted with.
 */
abstract contract PatientRegistry is ActivityChains, IPatientRegistry {
    /// @dev Longest CID accepted (CIDv1 sha2-256 is 36 bytes; room for other hashes and codecs).
    uint256 public constant MAX_CID_LENGTH = 128;

    mapping(address patient => PatientInfo) private _patients;

    /**
     * @notice Registers the caller as a patient.
     * @dev Requirements: the caller is not registered yet; `encryptionKey` is non-zero; `profileCid` is a
     * CID of 1 to {MAX_CID_LENGTH} bytes.
     * @param encryptionKey X25519 public key records are wrapped to.
     * @param profileCid CID of the patient's encrypted FHIR Patient resource.
     */
    function registerPatient(bytes32 encryptionKey, bytes calldata profileCid) external {
        PatientInfo storage patient = _patients[msg.sender];
        if (patient.registeredAt != 0) revert PatientAlreadyRegistered(msg.sender);
        if (encryptionKey == bytes32(0)) revert InvalidEncryptionKey();
        _checkCid(profileCid);
        patient.encryptionKey = encryptionKey;
        patient.registeredAt = uint40(block.timestamp);
        _openChain(msg.sender);
        emit PatientRegistered(msg.sender, encryptionKey, profileCid);
    }

    /**
     * @notice Replaces the caller's encryption public key, e.g. after moving to a new wallet device.
     * @dev Requirements: the caller is a registered patient; `encryptionKey` is non-zero.
     */
    function rotatePatientKey(bytes32 encryptionKey) external {
        PatientInfo storage patient = _registeredPatient(msg.sender);
        if (encryptionKey == bytes32(0)) revert InvalidEncryptionKey();
        patient.encryptionKey = encryptionKey;
        uint32 keyVersion = ++patient.keyVersion;
        emit PatientKeyRotated(msg.sender, encryptionKey, keyVersion);
    }

    /**
     * @notice Points the caller's profile at a new encrypted FHIR Patient resource.
     * @dev Requirements: the caller is a registered patient; `profileCid` is a valid CID length.
     */
    function updatePatientProfile(bytes calldata profileCid) external {
        _registeredPatient(msg.sender);
        _checkCid(profileCid);
        emit PatientProfileUpdated(msg.sender, profileCid);
    }

    /// @notice Whether `account` is a registered patient.
    function isPatient(address account) public view returns (bool) {
        return _patients[account].registeredAt != 0;
    }

    /// @notice Public key material and counters of `patient` (all zero when not registered).
    function patientInfo(address patient) external view returns (PatientInfo memory) {
        return _patients[patient];
    }

    /// @dev The storage of a registered patient; reverts {PatientNotRegistered} otherwise.
    function _registeredPatient(address account) internal view returns (PatientInfo storage patient) {
        patient = _patients[account];
        if (patient.registeredAt == 0) revert PatientNotRegistered(account);
    }

    /// @dev Starts a new key epoch for `patient` and returns it.
    function _nextKeyEpoch(PatientInfo storage patient) internal returns (uint32) {
        return ++patient.keyEpoch;
    }

    /// @dev Reserves `count` consecutive record ids for `patient` and returns the first.
    function _reserveRecordIds(PatientInfo storage patient, uint256 count) internal returns (uint64 firstId) {
        firstId = patient.recordCount + 1;
        patient.recordCount += uint64(count);
    }

    /// @dev Reverts {InvalidCid} unless `cid` is 1 to {MAX_CID_LENGTH} bytes long.
    function _checkCid(bytes calldata cid) internal pure {
        if (cid.length == 0 || cid.length > MAX_CID_LENGTH) revert InvalidCid(cid.length);
    }
}
