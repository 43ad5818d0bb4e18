/**
 * The record context every ciphertext is bound to (AES-GCM associated data): which patient, which
 * record, which version, which category and which key epoch. Moving a ciphertext to another record or
 * patient therefore fails authentication instead of decrypting into the wrong place.
 */
import { bytesToHex, getAddress, hexToBytes, isAddress, isHex, type Address, type Hex } from 'viem';

import { IntegrityError, ValidationError, type ValidationIssue } from '../errors';
import { randomBytes } from './aead';
import { ByteReader, ByteWriter } from './bytes';

/** Byte length of an encoded {@link RecordContext}. */
export const CONTEXT_LENGTH = 20 + 16 + 4 + 1 + 4;

/** Record categories a scope mask can address (contract `Scopes.CATEGORY_COUNT`). */
const CATEGORY_LIMIT = 32;

/**
 * Where a ciphertext belongs. `recordUid` is a random 128-bit id chosen by the writer before the
 * transaction: the on-chain record id is only known after it is mined, and the same uid stays with a
 * record across its corrected versions.
 */
export interface RecordContext {
  readonly patient: Address;
  /** 16 random bytes as 0x-hex, see {@link newRecordUid}. */
  readonly recordUid: Hex;
  /** Version of the record, 1 for the original, +1 for each correction that supersedes it. */
  readonly version: number;
  /** Record category 0..31 (`lib/chain/categories`). */
  readonly category: number;
  /** The patient's key epoch when this was written (bumped on every revocation). */
  readonly epoch: number;
}

/** A fresh random record uid. */
export function newRecordUid(): Hex {
  return bytesToHex(randomBytes(16));
}

const isUint32 = (value: number) => Number.isInteger(value) && value >= 0 && value <= 0xffffffff;

/**
 * Serializes a context; invalid fields throw one ValidationError listing each.
 * @param context - the context to encode
 */
export function encodeContext(context: RecordContext): Uint8Array {
  const issues: ValidationIssue[] = [];
  if (!isAddress(context.patient, { strict: false })) issues.push({ path: 'patient', message: 'not an address' });
  if (!isHex(context.recordUid, { strict: true }) || context.recordUid.length !== 34) {
    issues.push({ path: 'recordUid', message: 'must be 16 bytes of 0x-hex' });
  }
  if (!isUint32(context.version)) issues.push({ path: 'version', message: 'must be a uint32' });
  if (!Number.isInteger(context.category) || context.category < 0 || context.category >= CATEGORY_LIMIT) {
    issues.push({ path: 'category', message: `must be an integer 0..${CATEGORY_LIMIT - 1}` });
  }
  if (!isUint32(context.epoch)) issues.push({ path: 'epoch', message: 'must be a uint32' });
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid record context');
  return new ByteWriter()
    .bytes(hexToBytes(context.patient))
    .bytes(hexToBytes(context.recordUid))
    .u32(context.version)
    .u8(context.category)
    .u32(context.epoch)
    .finish();
}

/**
 * Reads a context from an envelope.
 * @param reader - positioned at the context
 */
export function readContext(reader: ByteReader): RecordContext {
  const patient = getAddress(bytesToHex(reader.take(20)));
  const recordUid = bytesToHex(reader.take(16));
  const version = reader.u32();
  const category = reader.u8();
  const epoch = reader.u32();
  if (category >= CATEGORY_LIMIT)
    throw new IntegrityError(`envelope names category ${category}, above ${CATEGORY_LIMIT - 1}`);
  return { patient, recordUid, version, category, epoch };
}

/**
 * Throws IntegrityError when the envelope's context differs from what the caller expects (e.g. the
 * on-chain header says another patient or category): a swapped blob must not be accepted.
 * @param found - context read from the envelope
 * @param expected - fields the caller knows independently
 * @param what - what the context was read from, for the message
 */
export function checkContext(
  found: RecordContext,
  expected: Partial<RecordContext> | undefined,
  what = 'envelope',
): void {
  if (!expected) return;
  const mismatches: string[] = [];
  if (expected.patient !== undefined && expected.patient.toLowerCase() !== found.patient.toLowerCase()) {
    mismatches.push('patient');
  }
  if (expected.recordUid !== undefined && expected.recordUid.toLowerCase() !== found.recordUid.toLowerCase()) {
    mismatches.push('recordUid');
  }
  for (const field of ['version', 'category', 'epoch'] as const) {
    if (expected[field] !== undefined && expected[field] !== found[field]) mismatches.push(field);
  }
  if (mismatches.length > 0) {
    throw new IntegrityError(`${what} belongs elsewhere: ${mismatches.join(', ')} differ from the expected record`);
  }
}
