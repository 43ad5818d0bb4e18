/**
 * Key-encryption keys (KEKs): one per (epoch, category), derived from the patient's identity secret so
 * the patient stores nothing and can always re-derive them. A record's data key is wrapped under the
 * KEK of its epoch and category; a grantee receives KEKs once (in a keyring), not one key per record.
 */
import { hexToBytes, isAddress, type Address } from 'viem';

import { ValidationError } from '../errors';
import { ByteWriter, magicBytes } from './bytes';
import { identityDeriveKey, type IdentityKey } from './identity';

const KEK_SALT = magicBytes('MedLedger KEK v1');

/**
 * Looks up the KEK of an epoch and category; undefined when the holder has none. A keyring answers
 * at once; the patient's own resolver derives, which is asynchronous when the identity secret lives in
 * WebCrypto keys.
 */
export type KekResolver = (epoch: number, category: number) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

/**
 * KEK(epoch, category) = HKDF-SHA256(identity secret, info = patient ‖ epoch ‖ category).
 * @param identity - the patient's identity key
 * @param patient - the patient's account (bound in, so one secret never yields another account's keys)
 * @param epoch - key epoch (uint32)
 * @param category - record category 0..31
 */
export async function deriveKek(
  identity: IdentityKey,
  patient: Address,
  epoch: number,
  category: number,
): Promise<Uint8Array> {
  const issues = [];
  if (!isAddress(patient, { strict: false })) issues.push({ path: 'patient', message: 'not an address' });
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff)
    issues.push({ path: 'epoch', message: 'must be a uint32' });
  if (!Number.isInteger(category) || category < 0 || category > 31) {
    issues.push({ path: 'category', message: 'must be an integer 0..31' });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Cannot derive key-encryption key');
  const info = new ByteWriter().bytes(hexToBytes(patient)).u32(epoch).u8(category).finish();
  return identityDeriveKey(identity, KEK_SALT, info);
}

/**
 * The patient's own resolver: every KEK, derived on demand, each once (a read of many records in few
 * categories derives a handful, not one per record).
 * @param identity - the patient's identity key
 * @param patient - the patient's account
 */
export function patientKekResolver(identity: IdentityKey, patient: Address): KekResolver {
  const derived = new Map<string, Promise<Uint8Array>>();
  return (epoch, category) => {
    const key = `${epoch}/${category}`;
    let kek = derived.get(key);
    if (!kek) {
      kek = deriveKek(identity, patient, epoch, category);
      derived.set(key, kek);
    }
    return kek;
  };
}
