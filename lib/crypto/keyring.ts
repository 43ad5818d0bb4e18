/**
 * Keyrings: the KEKs a grantee may use, encrypted to the grantee's X25519 key and pinned on IPFS; the
 * CID goes into `grant` / `shareKeyring` on-chain. A keyring is self-contained: it holds the granted
 * categories for every epoch 0..current, so the latest one a grantee received is all it needs.
 *
 * Format `MLKR` v1: magic "MLKR" | version 1 | patient (20) | grantee (20) | grantee key (32) |
 * epoch u32 | category mask u32 | ephemeral key (32) | iv (12) | length u32 | AES-GCM(KEKs).
 * The KEKs are 32 bytes each, ordered by category then epoch 0..epoch. Everything before the
 * ciphertext is associated data; patient, grantee and both public keys are also in the HKDF info.
 */
import { getAddress, bytesToHex, hexToBytes, isAddress, type Address } from 'viem';

import { IntegrityError, ValidationError, type ValidationIssue } from '../errors';
import { IV_LENGTH, TAG_LENGTH } from './aead';
import { ByteReader, ByteWriter, concatBytes, magicBytes, wipe } from './bytes';
import { openSealed, sealTo } from './ecies';
import type { IdentityKey } from './identity';
import { deriveKek } from './kek';

const MAGIC = magicBytes('MLKR');
const VERSION = 1;
const INFO_LABEL = magicBytes('MedLedger keyring v1');

/** Most epochs one keyring may carry (≈ revocations); bounds allocation when parsing. */
export const MAX_KEYRING_EPOCHS = 65536;

/** Terms of a keyring. */
export interface KeyringTerms {
  readonly patient: Address;
  readonly grantee: Address;
  /** The grantee's published X25519 public key. */
  readonly granteePublicKey: Uint8Array;
  /** The patient's current key epoch (on-chain `keyEpoch`). */
  readonly epoch: number;
  /** Categories 0..31 the grant may read. */
  readonly categories: readonly number[];
}

/** An opened keyring. */
export interface Keyring {
  readonly patient: Address;
  readonly grantee: Address;
  readonly epoch: number;
  readonly categories: readonly number[];
  /** KEKs of the granted categories for epochs 0..epoch; undefined for anything else. */
  readonly kek: (epoch: number, category: number) => Uint8Array | undefined;
}

function maskOf(categories: readonly number[]): number {
  let mask = 0;
  for (const category of categories) mask |= 1 << category;
  return mask >>> 0;
}

function categoriesOf(mask: number): number[] {
  const categories: number[] = [];
  for (let category = 0; category < 32; category++) if ((mask >>> category) & 1) categories.push(category);
  return categories;
}

function infoFor(patient: Uint8Array, grantee: Uint8Array): Uint8Array {
  return concatBytes(INFO_LABEL, patient, grantee);
}

/**
 * Builds a keyring for a grantee, deriving the KEKs from the patient's identity.
 * @param identity - the patient's identity key
 * @param terms - patient, grantee and its key, current epoch, granted categories
 */
export async function createKeyring(identity: IdentityKey, terms: KeyringTerms): Promise<Uint8Array> {
  const issues: ValidationIssue[] = [];
  if (!isAddress(terms.patient, { strict: false })) issues.push({ path: 'patient', message: 'not an address' });
  if (!isAddress(terms.grantee, { strict: false })) issues.push({ path: 'grantee', message: 'not an address' });
  if (terms.granteePublicKey.length !== 32) issues.push({ path: 'granteePublicKey', message: 'must be 32 bytes' });
  if (!Number.isInteger(terms.epoch) || terms.epoch < 0 || terms.epoch >= MAX_KEYRING_EPOCHS) {
    issues.push({ path: 'epoch', message: `must be an integer 0..${MAX_KEYRING_EPOCHS - 1}` });
  }
  terms.categories.forEach((category, index) => {
    if (!Number.isInteger(category) || category < 0 || category > 31) {
      issues.push({ path: `categories[${index}]`, message: 'must be an integer 0..31' });
    }
  });
  if (terms.categories.length === 0) issues.push({ path: 'categories', message: 'at least one category' });
  if (issues.length > 0) throw new ValidationError(issues, 'Cannot create keyring');

  const mask = maskOf(terms.categories);
  const keks: Uint8Array[] = [];
  for (const category of categoriesOf(mask)) {
    for (let epoch = 0; epoch <= terms.epoch; epoch++) {
      keks.push(await deriveKek(identity, terms.patient, epoch, category));
    }
  }
  const plaintext = concatBytes(...keks);
  wipe(...keks);

  const patient = hexToBytes(terms.patient);
  const grantee = hexToBytes(terms.grantee);
  const prefix = new ByteWriter()
    .bytes(MAGIC)
    .u8(VERSION)
    .bytes(patient)
    .bytes(grantee)
    .bytes(terms.granteePublicKey)
    .u32(terms.epoch)
    .u32(mask)
    .finish();
  try {
    const sealed = await sealTo(terms.granteePublicKey, plaintext, infoFor(patient, grantee), prefix);
    return new ByteWriter()
      .bytes(prefix)
      .bytes(sealed.ephemeralPublicKey)
      .bytes(sealed.iv)
      .u32(sealed.ciphertext.length)
      .bytes(sealed.ciphertext)
      .finish();
  } finally {
    wipe(plaintext);
  }
}

/**
 * Opens a keyring with the grantee's identity key. Anything malformed, altered, or addressed to another
 * key throws IntegrityError; `expected` guards against a keyring of another patient or grantee.
 * @param blob - the keyring bytes
 * @param identity - the grantee's identity key
 * @param expected - patient and/or grantee the caller expects
 */
export async function openKeyring(
  blob: Uint8Array,
  identity: IdentityKey,
  expected?: { patient?: Address; grantee?: Address },
): Promise<Keyring> {
  const reader = new ByteReader(blob, 'keyring');
  reader.expectHeader(MAGIC, VERSION);
  const patient = reader.take(20);
  const grantee = reader.take(20);
  reader.take(32);
  const epoch = reader.u32();
  const mask = reader.u32();
  const prefix = reader.since(0);
  const ephemeralPublicKey = reader.take(32);
  const iv = reader.take(IV_LENGTH);
  const length = reader.u32();
  const ciphertext = reader.take(length);
  reader.end();

  const categories = categoriesOf(mask);
  if (categories.length === 0) throw new IntegrityError('keyring grants no category');
  if (epoch >= MAX_KEYRING_EPOCHS) throw new IntegrityError(`keyring epoch ${epoch} is out of range`);
  const expectedLength = categories.length * (epoch + 1) * 32 + TAG_LENGTH;
  if (length !== expectedLength) throw new IntegrityError(`keyring holds ${length} bytes, expected ${expectedLength}`);

  const patientAddress = getAddress(bytesToHex(patient));
  const granteeAddress = getAddress(bytesToHex(grantee));
  if (expected?.patient && expected.patient.toLowerCase() !== patientAddress.toLowerCase()) {
    throw new IntegrityError(`keyring is for patient ${patientAddress}, not ${expected.patient}`);
  }
  if (expected?.grantee && expected.grantee.toLowerCase() !== granteeAddress.toLowerCase()) {
    throw new IntegrityError(`keyring is for grantee ${granteeAddress}, not ${expected.grantee}`);
  }

  const plaintext = await openSealed(
    identity,
    { ephemeralPublicKey, iv, ciphertext },
    infoFor(patient, grantee),
    prefix,
    'keyring (not addressed to this key, or altered)',
  );
  const keks = new Map<string, Uint8Array>();
  let offset = 0;
  for (const category of categories) {
    for (let e = 0; e <= epoch; e++) {
      keks.set(`${category}/${e}`, plaintext.subarray(offset, offset + 32));
      offset += 32;
    }
  }
  return {
    patient: patientAddress,
    grantee: granteeAddress,
    epoch,
    categories,
    kek: (e, category) => keks.get(`${category}/${e}`),
  };
}
