// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev Events and errors of the patient registry. Patients are identified by their wallet only.
interface IPatientRegistry {
    /**
     * @dev Public data of a registered patient. Nothing here describes the patient: the profile itself
     * is an encrypted FHIR Patient on IPFS whose CID is only in events.
     */
    struct PatientInfo {
        bytes32 encryptionKey;
        uint40 registeredAt;
        uint32 keyVersion;
        uint32 keyEpoch;
        uint64 recordCount;
    }

    event PatientRegistered(address indexed patient, bytes32 encryptionKey, bytes profileCid);
    event PatientKeyRotated(address indexed patient, bytes32 encryptionKey, uint32 keyVersion);
    event PatientProfileUpdated(address indexed patient, bytes profileCid);

    error PatientAlreadyRegistered(address patient);
    error PatientNotRegistered(address account);
    error InvalidEncryptionKey();
    error InvalidCid(uint256 length);
}
