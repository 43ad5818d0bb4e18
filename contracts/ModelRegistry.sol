// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/**
 * @title ModelRegistry
 * @notice AI models that clients may run, by SHA-256 of the ONNX file. A client computes the hash of the
 * model it loaded and refuses to run it unless {isApproved} says so.
 */
contract ModelRegistry is AccessControlDefaultAdminRules, IModelRegistry {
    bytes32 public constant MODEL_ADMIN_ROLE = keccak256("MODEL_ADMIN_ROLE");

    mapping(bytes32 sha256Hash => Model) private _models;

    /**
     * @param adminDelay Seconds a default-admin transfer must wait before it can be accepted.
     * @param admin First default admin, also given {MODEL_ADMIN_ROLE}.
     */
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {
        _grantRole(MODEL_ADMIN_ROLE, admin);
    }

    /**
     * @notice Approves the model whose ONNX file hashes to `sha256Hash`.
     * @dev Requirements: the caller has {MODEL_ADMIN_ROLE}; the hash, name and card CID are non-empty;
     * the hash was never approved before (a new version is a new file, hence a new hash).
     * @param name Model identifier, e.g. "framingham-2008-lipid".
     * @param cardCid CID of the model card (metrics, intended use, limits).
     */
    function approveModel(
        bytes32 sha256Hash,
        string calldata name,
        uint32 version,
        bytes calldata cardCid
    ) external onlyRole(MODEL_ADMIN_ROLE) {
        if (sha256Hash == bytes32(0) || bytes(name).length == 0 || cardCid.length == 0) {
            revert InvalidModel(sha256Hash);
        }
        Model storage model = _models[sha256Hash];
        if (model.approvedAt != 0) revert ModelAlreadyApproved(sha256Hash);
        model.version = version;
        model.approvedAt = uint40(block.timestamp);
        model.name = name;
        model.cardCid = cardCid;
        emit ModelApproved(sha256Hash, name, version, cardCid);
    }

    /**
     * @notice Withdraws approval of a model; clients stop running it.
     * @dev Requirements: the caller has {MODEL_ADMIN_ROLE}; the model is approved and not deprecated.
     */
    function deprecateModel(bytes32 sha256Hash) external onlyRole(MODEL_ADMIN_ROLE) {
        Model storage model = _models[sha256Hash];
        if (model.approvedAt == 0) revert ModelNotApproved(sha256Hash);
        if (model.deprecated) revert ModelAlreadyDeprecated(sha256Hash);
        model.deprecated = true;
        emit ModelDeprecated(sha256Hash);
    }

    /// @notice Whether the model with this ONNX SHA-256 is approved and not deprecated.
    function isApproved(bytes32 sha256Hash) external view returns (bool) {
        Model storage model = _models[sha256Hash];
        return model.approvedAt != 0 && !model.deprecated;
    }

    /// @notice Everything recorded about a model (zero values when never approved).
    function modelOf(bytes32 sha256Hash) external view returns (Model memory) {
        return _models[sha256Hash];
    }
}
