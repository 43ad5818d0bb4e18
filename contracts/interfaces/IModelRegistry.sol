// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev Events and errors of the registry of approved AI models.
interface IModelRegistry {
    struct Model {
        uint32 version;
        uint40 approvedAt;
        bool deprecated;
        string name;
        bytes cardCid;
    }

    event ModelApproved(bytes32 indexed sha256Hash, string name, uint32 version, bytes cardCid);
    event ModelDeprecated(bytes32 indexed sha256Hash);

    error ModelAlreadyApproved(bytes32 sha256Hash);
    error ModelNotApproved(bytes32 sha256Hash);
    error ModelAlreadyDeprecated(bytes32 sha256Hash);
    error InvalidModel(bytes32 sha256Hash);
}
