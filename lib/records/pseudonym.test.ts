import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Address, getAddress, keccak256, toHex } from 'viem';

import { patientPseudonym, pseudonymCode } from './pseudonym';

const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;

/** `count` distinct addresses, deterministic. */
function addresses(count: number): Address[] {
  return Array.from({ length: count }, (_, index) => getAddress(keccak256(toHex(`patient ${index}`)).slice(0, 42)));
}

describe('patientPseudonym', () => {
  it('is "Patient" and a code of six Crockford base-32 characters grouped 4-2', () => {
    assert.match(patientPseudonym(PATIENT), /^Patient [0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$/);
  });

  it('is stable: the same address gives the same pseudonym, whatever its letter case', () => {
    assert.equal(patientPseudonym(PATIENT), patientPseudonym(PATIENT));
    assert.equal(patientPseudonym(PATIENT), patientPseudonym(PATIENT.toLowerCase() as Address));
    // Pinned: a pseudonym a provider wrote down must name the same patient after an upgrade.
    assert.equal(pseudonymCode(PATIENT), 'H8TN-5N');
    assert.equal(patientPseudonym(PATIENT), 'Patient H8TN-5N');
  });

  it('differs for different addresses (1,000 addresses, 1,000 pseudonyms)', () => {
    const many = addresses(1000);
    assert.equal(new Set(many.map(patientPseudonym)).size, many.length);
  });
});
