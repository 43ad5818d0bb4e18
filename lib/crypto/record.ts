/**
 * Record envelopes: one FHIR resource (or any small payload) of one record version, encrypted under a
 * fresh random data key, with that key wrapped in "slots" for whoever may read it.
 *
 * Format `MLRE` v1:
 *   magic "MLRE" | version 1 | context (45: patient, record uid, version, category, epoch) |
 *   key commitment (32) | slot count u8 (1..16) | slots | iv (12) | length u32 | AES-GCM(payload)
 * Slots:
 *   0x01 KEK:       iv (12) | AES-GCM_KEK(epoch, category)(data key) (48)
 *   0x02 recipient: X25519 public key (32) | ephemeral key (32) | iv (12) | wrapped data key (48)
 * The payload's associated data is every byte before its IV (context, commitment and all slots), so
 * no byte of the envelope can change unnoticed. The commitment (HKDF of the data key) makes every
 * slot open to the same key: a writer cannot show the patient one record and a grantee another.
 */
import { IntegrityError, AccessDeniedError, ValidationError } from '../errors';
import { aesGcmDecrypt, aesGcmEncrypt, deriveKey, IV_LENGTH, KEY_LENGTH, randomBytes, TAG_LENGTH } from './aead';
import { ByteReader, ByteWriter, concatBytes, equalBytes, magicBytes } from './bytes';
import { checkContext, encodeContext, readContext, type RecordContext } from './context';
import { openSealed, sealTo } from './ecies';
import type { IdentityKey } from './identity';
import type { KekResolver } from './kek';

const MAGIC = magicBytes('MLRE');
const VERSION = 1;
const SLOT_KEK = 0x01;
const SLOT_RECIPIENT = 0x02;
const MAX_SLOTS = 16;
const WRAPPED_LENGTH = KEY_LENGTH + TAG_LENGTH;
const PAYLOAD_SALT = magicBytes('MedLedger record payload v1');
const COMMIT_SALT = magicBytes('MedLedger key commitment v1');
const RECIPIENT_INFO = magicBytes('MedLedger record key v1');

/** A fresh random 256-bit data key; use one per record version, never twice. */
export function generateDataKey(): Uint8Array {
  return randomBytes(KEY_LENGTH);
}

/**
 * Who can unwrap the data key. The patient's own records use the KEK of their epoch and category
 * (the patient re-derives it; grantees hold it in their keyring). A provider writing to a patient who
 * has no KEK adds the patient's public key as a recipient; extra recipients (e.g. the author) too.
 */
export interface KeyWrapping {
  readonly kek?: Uint8Array;
  readonly recipients?: readonly Uint8Array[];
}

/** Keys a reader holds: KEKs (patient or keyring) and/or its identity for recipient slots. */
export interface ReaderKeys {
  readonly kek?: KekResolver;
  readonly identity?: IdentityKey;
}

/** A decrypted record. `dataKey` also opens the record's attachments (see ./file). */
export interface OpenedRecord {
  readonly context: RecordContext;
  readonly plaintext: Uint8Array;
  readonly dataKey: Uint8Array;
}

function commitment(dataKey: Uint8Array, context: Uint8Array): Uint8Array {
  return deriveKey(dataKey, COMMIT_SALT, context);
}

function recipientInfo(context: Uint8Array): Uint8Array {
  return concatBytes(RECIPIENT_INFO, context);
}

/**
 * Encrypts a record version.
 * @param plaintext - the serialized resource
 * @param context - patient, record uid, version, category, epoch (validated)
 * @param wrapping - KEK and/or recipient public keys; at least one
 * @param dataKey - the record version's data key (default: a fresh one); pass it when the record has
 *   attachments encrypted with {@link encryptFile} under the same key
 */
export async function sealRecord(
  plaintext: Uint8Array,
  context: RecordContext,
  wrapping: KeyWrapping,
  dataKey: Uint8Array = generateDataKey(),
): Promise<Uint8Array> {
  const encodedContext = encodeContext(context);
  const recipients = wrapping.recipients ?? [];
  const issues = [];
  if (dataKey.length !== KEY_LENGTH) issues.push({ path: 'dataKey', message: 'must be 32 bytes' });
  if (wrapping.kek !== undefined && wrapping.kek.length !== KEY_LENGTH)
    issues.push({ path: 'kek', message: 'must be 32 bytes' });
  recipients.forEach((key, index) => {
    if (key.length !== 32) issues.push({ path: `recipients[${index}]`, message: 'must be a 32-byte X25519 key' });
  });
  const slotCount = recipients.length + (wrapping.kek ? 1 : 0);
  if (slotCount === 0 || slotCount > MAX_SLOTS) {
    issues.push({ path: 'wrapping', message: `needs 1..${MAX_SLOTS} key slots, got ${slotCount}` });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Cannot seal record');

  const header = new ByteWriter()
    .bytes(MAGIC)
    .u8(VERSION)
    .bytes(encodedContext)
    .bytes(commitment(dataKey, encodedContext))
    .u8(slotCount);
  if (wrapping.kek) {
    const iv = randomBytes(IV_LENGTH);
    const wrapped = await aesGcmEncrypt(
      wrapping.kek,
      iv,
      dataKey,
      concatBytes(encodedContext, Uint8Array.of(SLOT_KEK)),
    );
    header.u8(SLOT_KEK).bytes(iv).bytes(wrapped);
  }
  for (const recipient of recipients) {
    const sealed = await sealTo(recipient, dataKey, recipientInfo(encodedContext), encodedContext);
    header
      .u8(SLOT_RECIPIENT)
      .bytes(recipient)
      .bytes(sealed.ephemeralPublicKey)
      .bytes(sealed.iv)
      .bytes(sealed.ciphertext);
  }
  const aad = header.finish();
  const iv = randomBytes(IV_LENGTH);
  const payloadKey = deriveKey(dataKey, PAYLOAD_SALT, encodedContext);
  const payload = await aesGcmEncrypt(payloadKey, iv, plaintext, aad);
  return new ByteWriter().bytes(aad).bytes(iv).u32(payload.length).bytes(payload).finish();
}

type Slot =
  | { kind: 'kek'; iv: Uint8Array; wrapped: Uint8Array }
  | { kind: 'recipient'; recipient: Uint8Array; ephemeralPublicKey: Uint8Array; iv: Uint8Array; wrapped: Uint8Array };

interface ParsedRecord {
  context: RecordContext;
  encodedContext: Uint8Array;
  commitment: Uint8Array;
  slots: Slot[];
  aad: Uint8Array;
  iv: Uint8Array;
  payload: Uint8Array;
}

function parseRecord(envelope: Uint8Array): ParsedRecord {
  const reader = new ByteReader(envelope, 'record envelope');
  reader.expectHeader(MAGIC, VERSION);
  const contextStart = reader.position;
  const context = readContext(reader);
  const encodedContext = reader.since(contextStart);
  const committed = reader.take(KEY_LENGTH);
  const slotCount = reader.u8();
  if (slotCount === 0 || slotCount > MAX_SLOTS) throw new IntegrityError(`record envelope has ${slotCount} key slots`);
  const slots: Slot[] = [];
  for (let i = 0; i < slotCount; i++) {
    const type = reader.u8();
    if (type === SLOT_KEK) {
      slots.push({ kind: 'kek', iv: reader.take(IV_LENGTH), wrapped: reader.take(WRAPPED_LENGTH) });
    } else if (type === SLOT_RECIPIENT) {
      slots.push({
        kind: 'recipient',
        recipient: reader.take(32),
        ephemeralPublicKey: reader.take(32),
        iv: reader.take(IV_LENGTH),
        wrapped: reader.take(WRAPPED_LENGTH),
      });
    } else {
      throw new IntegrityError(`record envelope has a key slot of unknown type ${type}`);
    }
  }
  const aad = reader.since(0);
  const iv = reader.take(IV_LENGTH);
  const payload = reader.take(reader.u32());
  reader.end();
  return { context, encodedContext, commitment: committed, slots, aad, iv, payload };
}

/**
 * The context an envelope claims, read without any key (not yet authenticated: use it to pick keys,
 * then {@link openRecord} verifies it).
 * @param envelope - record envelope bytes
 */
export function inspectRecord(envelope: Uint8Array): RecordContext {
  return parseRecord(envelope).context;
}

async function unwrapDataKey(parsed: ParsedRecord, keys: ReaderKeys): Promise<Uint8Array> {
  const { context, encodedContext } = parsed;
  const kek = await keys.kek?.(context.epoch, context.category);
  let usable = false;
  for (const slot of parsed.slots) {
    let dataKey: Uint8Array | undefined;
    if (slot.kind === 'kek' && kek) {
      usable = true;
      const aad = concatBytes(encodedContext, Uint8Array.of(SLOT_KEK));
      dataKey = await aesGcmDecrypt(kek, slot.iv, slot.wrapped, aad, 'record key slot').catch(() => undefined);
    } else if (slot.kind === 'recipient' && keys.identity && equalBytes(slot.recipient, keys.identity.publicKey)) {
      usable = true;
      dataKey = await openSealed(
        keys.identity,
        { ephemeralPublicKey: slot.ephemeralPublicKey, iv: slot.iv, ciphertext: slot.wrapped },
        recipientInfo(encodedContext),
        encodedContext,
        'record key slot',
      ).catch(() => undefined);
    }
    if (dataKey) {
      if (!equalBytes(commitment(dataKey, encodedContext), parsed.commitment)) {
        throw new IntegrityError('record envelope: key slot does not match the key commitment');
      }
      return dataKey;
    }
  }
  if (!usable) {
    throw new AccessDeniedError(
      `no key for this record: category ${context.category}, epoch ${context.epoch} was not shared with you (or access was revoked)`,
    );
  }
  throw new IntegrityError(
    'record envelope: no key slot opens with your keys (wrong key, or the envelope was altered)',
  );
}

/**
 * Decrypts a record envelope. Malformed or altered bytes, a wrong key, or a context other than
 * `expected` throw IntegrityError; holding no key for its epoch and category throws AccessDeniedError.
 * @param envelope - record envelope bytes
 * @param keys - the reader's KEK resolver and/or identity key
 * @param expected - context fields known independently (e.g. patient and category from the chain)
 */
export async function openRecord(
  envelope: Uint8Array,
  keys: ReaderKeys,
  expected?: Partial<RecordContext>,
): Promise<OpenedRecord> {
  const parsed = parseRecord(envelope);
  checkContext(parsed.context, expected);
  const dataKey = await unwrapDataKey(parsed, keys);
  const payloadKey = deriveKey(dataKey, PAYLOAD_SALT, parsed.encodedContext);
  const plaintext = await aesGcmDecrypt(payloadKey, parsed.iv, parsed.payload, parsed.aad, 'record envelope');
  return { context: parsed.context, plaintext, dataKey };
}

/**
 * Re-seals a record with new key slots, keeping its context and data key (so its attachments stay
 * valid): how a patient moves a provider-written record under its KEK, or re-keys records after
 * rotating the identity key.
 * @param envelope - the current envelope
 * @param keys - keys that open it
 * @param wrapping - the new slots
 */
export async function rewrapRecord(envelope: Uint8Array, keys: ReaderKeys, wrapping: KeyWrapping): Promise<Uint8Array> {
  const opened = await openRecord(envelope, keys);
  return sealRecord(opened.plaintext, opened.context, wrapping, opened.dataKey);
}
