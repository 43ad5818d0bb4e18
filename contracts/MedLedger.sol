// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {Audit} from "./modules/Audit.sol";

/**
 * @title MedLedger
 * @notice Patient-owned medical records: patient and provider registries, consent, an append-only index
 * of encrypted records on IPFS, and an access log. No health data is stored, logged or reverted with.
 */
contract MedLedger is Audit {
    /**
     * @param adminDelay Seconds a default-admin transfer must wait before it can be accepted.
     * @param admin First default admin, also given {PROVIDER_ADMIN_ROLE}.
     */
    constructor(
        uint48 adminDelay,
        address admin
    ) AccessControlDefaultAdminRules(adminDelay, admin) EIP712("MedLedger", "1") {
        _grantRole(PROVIDER_ADMIN_ROLE, admin);
    }
}
