// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Scopes} from "../libraries/Scopes.sol";
import {Records} from "./Records.sol";

/**
 * @dev The access log: a provider records on-chain which of a patient's records it opened, so the patient
 * sees who read what and when. Every other state change already emits its own past-tense event.
 */
abstract contract Audit is Records {
    /**
     * @notice Logs that the caller opened `recordIds` of `patient`, and why.
     * @dev Requirements: 1 to {MAX_BATCH} ids of existing records; the caller holds a live read scope for
     * the category of each; `purpose` is non-zero.
     * @param purpose A small code for the purpose of use (HL7 PurposeOfUse, e.g. treatment, payment,
     * emergency; the table is in `lib/chain/purpose.ts`); never free text.
     */
    function logAccess(address patient, uint64[] calldata recordIds, uint8 purpose) external {
        if (purpose == 0) revert InvalidPurpose(purpose);
        uint256 count = recordIds.length;
        if (count == 0 || count > MAX_BATCH) revert EmptyBatch();
        uint64 required;
        for (uint256 i = 0; i < count; ++i) {
            required |= Scopes.read(_recordCategory(patient, recordIds[i]));
        }
        _checkAccess(patient, msg.sender, required);
        _chainConsentEvent(AccessLogged.selector, patient, msg.sender, abi.encode(recordIds, purpose), false);
        emit AccessLogged(patient, msg.sender, recordIds, purpose);
    }
}
