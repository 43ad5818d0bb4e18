/**
 * What a provider calls a patient whose profile it may not read: a pseudonym such as "Patient
 * 7F3K-Q9", derived from the address alone, so it is the same on every screen, in every browser and
 * for every provider, and needs no storage. It says nothing about the person; the address it stands
 * for stays one click away.
 */
import { type Address, keccak256 } from 'viem';

/** Crockford's base 32: digits and capitals without I, L, O and U, so it reads aloud and copies by hand. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Characters of the code: 30 bits, so two of a provider's thousand patients share one with odds of about 1 in 2,000. */
const CODE_LENGTH = 6;

/**
 * The code part of a patient's pseudonym, e.g. "7F3K-Q9": the first 30 bits of the Keccak-256 of the
 * address (any letter case), in Crockford base 32, grouped 4-2.
 *
 * @param address - the patient's address
 */
export function pseudonymCode(address: Address): string {
  const digest = keccak256(address.toLowerCase() as Address, 'bytes');
  let bits = 0n;
  for (const byte of digest.subarray(0, 4)) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let index = 0; index < CODE_LENGTH; index++) {
    code += ALPHABET[Number((bits >> BigInt(32 - 5 * (index + 1))) & 31n)];
  }
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * A patient as a provider without their profile calls them: "Patient 7F3K-Q9".
 *
 * @param address - the patient's address
 */
export function patientPseudonym(address: Address): string {
  return `Patient ${pseudonymCode(address)}`;
}
