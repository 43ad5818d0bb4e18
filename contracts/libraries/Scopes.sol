// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @dev Consent scopes are a 64-bit mask: bit `c` grants read access to record category `c` and bit
 * `32 + c` grants write access to it. Categories are small codes for FHIR resource classes
 * (see `lib/chain/categories.ts`), never free text, so a scope says nothing about a patient's health.
 */
library Scopes {
    /// @dev Number of record categories a scope mask can address.
    uint8 internal constant CATEGORY_COUNT = 32;
    uint64 internal constant READ_MASK = 0x00000000FFFFFFFF;
    uint64 internal constant WRITE_MASK = 0xFFFFFFFF00000000;

    /// @dev The scope bit that lets a provider read records of `category` (which must be < 32).
    function read(uint8 category) internal pure returns (uint64) {
        return uint64(1) << category;
    }

    /// @dev The scope bit that lets a provider append records of `category` (which must be < 32).
    function write(uint8 category) internal pure returns (uint64) {
        return uint64(1) << (32 + category);
    }

    /// @dev True when every bit of `required` is in `held`, and `required` is not empty.
    function covers(uint64 held, uint64 required) internal pure returns (bool) {
        return required != 0 && held & required == required;
    }
}
