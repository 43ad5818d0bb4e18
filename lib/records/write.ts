import type { Attachment, DocumentReference } from '@medplum/fhirtypes';
import type { Address, Hex } from 'viem';

import {
  type RecordCategory,
  MAX_RECORDS_PER_BATCH,
  categoryOf,
  packRecordHeaders,
  readMedLedger,
  recordBatchesOf,
  recordHeader,
  recordHeadersOf,
  writeMedLedger,
  type TransactionStage,
} from '../chain';
import {
  type ByteSource,
  type KeyWrapping,
  type Keyring,
  type RecordContext,
  deriveKek,
  generateDataKey,
  newRecordUid,
  sealRecord,
  sourceSize,
} from '../crypto';
import { MedLedgerError, ValidationError, type ValidationIssue, describeError } from '../errors';
import { documentReferenceFor, encryptAttachment, resourceIssues } from '../fhir';
import { MAX_ENVELOPE_BYTES, addBytes, addStream, unpin } from '../ipfs';
import { rotateStaleKeys } from './consent';
import type { ProgressListener } from './progress';
import { type RecordPayload, type Vault, actorOf, cidToBytes, encodePayload, sha256Hex } from './vault';

/** Largest batch the contract takes in one transaction (`Records.MAX_BATCH`). */
const MAX_BATCH = MAX_RECORDS_PER_BATCH;

/** Uploads in flight at once: enough to hide each add's round trip, few enough not to flood the node. */
const PARALLEL_UPLOADS = 8;

/** A record to write: its payload and, for a correction, the record it supersedes. */
export interface NewRecord {
  readonly payload: RecordPayload;
  /** Defaults to the category of the resource type. */
  readonly category?: RecordCategory;
  readonly supersedes?: { readonly recordId: bigint; readonly recordUid: Hex; readonly version: number };
  /**
   * For a record whose attachment is already encrypted: the data key and record uid the attachment is
   * bound to. A fresh random key and uid otherwise.
   */
  readonly dataKey?: Uint8Array;
  readonly recordUid?: Hex;
}

/** A record once anchored on-chain. */
export interface AnchoredRecord {
  readonly recordId: bigint;
  readonly cid: string;
  readonly ciphertextHash: Hex;
  readonly category: number;
  readonly recordUid: Hex;
  readonly version: number;
  readonly transactionHash: Hex;
}

export interface WriteOptions {
  readonly onProgress?: ProgressListener;
  /** A provider's keyring from this patient, so records it writes open with the patient's category keys. */
  readonly keyring?: Keyring;
}

interface Sealed {
  readonly context: RecordContext;
  readonly envelope: Uint8Array;
}

/** A record sealed and stored on IPFS, not yet anchored on-chain. */
export interface StoredRecord {
  readonly context: RecordContext;
  readonly envelope: Uint8Array;
  readonly cid: string;
}

/**
 * Writes records for `patient` through the one pipeline: validate → encrypt → upload → anchor →
 * confirmed. Every resource is validated before anything is encrypted; nothing reaches the chain
 * unless every blob is stored; blobs of a transaction that fails are unpinned again, so a rejected
 * transaction leaves no record and a retry starts clean. When the patient writes, a provider whose
 * access has ended but who still holds the current keys is revoked first (see {@link rotateStaleKeys}).
 *
 * @param vault - chain, IPFS and the acting identity (the patient, or a provider with write scope)
 * @param patient - whose records these are
 * @param records - payloads to write, in order
 * @returns the anchored records with their on-chain ids
 */
export async function addRecords(
  vault: Vault,
  patient: Address,
  records: readonly NewRecord[],
  options: WriteOptions = {},
): Promise<AnchoredRecord[]> {
  await retireStaleKeys(vault, patient, options);
  return writeRecords(vault, patient, records, options);
}

/**
 * {@link addRecords} after the stale-key check. `addFile` comes here directly: it checked before
 * sealing its attachment, and a rotation now would seal the DocumentReference under another epoch
 * than the attachment it points at.
 */
async function writeRecords(
  vault: Vault,
  patient: Address,
  records: readonly NewRecord[],
  options: WriteOptions,
): Promise<AnchoredRecord[]> {
  const stored = await storeRecords(vault, patient, records, options);
  const anchored: AnchoredRecord[] = [];
  try {
    await anchor(vault, patient, records, stored, anchored, options.onProgress ?? (() => {}));
    return anchored;
  } catch (error) {
    // A blob no transaction references must not linger pinned; retries upload fresh ciphertext. The
    // blobs of transactions that did land are records now and stay pinned.
    const landed = new Set(anchored.map(({ cid }) => cid));
    await Promise.allSettled(stored.filter(({ cid }) => !landed.has(cid)).map(({ cid }) => unpin(vault.ipfs, cid)));
    if (anchored.length === 0) throw error;
    throw new PartialWriteError(anchored, records.length, error);
  }
}

/**
 * A write of several transactions failed after some of them landed: `anchored` are records now, the
 * others were not written (their blobs are unpinned again).
 */
export class PartialWriteError extends MedLedgerError {
  readonly anchored: readonly AnchoredRecord[];
  readonly total: number;

  /** @param advice - what the caller can do about the rest, ending the sentence */
  constructor(anchored: readonly AnchoredRecord[], total: number, cause: unknown, advice?: string) {
    super(
      `${anchored.length} of ${total} records were written before the write failed ` +
        `(${describeError(cause).replace(/\.$/, '')}); the other ${total - anchored.length} were not` +
        `${advice ? `: ${advice}` : ''}.`,
      { cause },
    );
    this.anchored = anchored;
    this.total = total;
  }
}

/**
 * Before the patient seals anything under their current keys, makes sure no provider whose access
 * has ended still holds them ({@link rotateStaleKeys}). Providers writing for a patient cannot
 * revoke, so their writes skip this.
 */
async function retireStaleKeys(vault: Vault, patient: Address, options: WriteOptions): Promise<void> {
  if (actorOf(vault).toLowerCase() !== patient.toLowerCase()) return;
  await rotateStaleKeys(vault, { onProgress: options.onProgress });
}

/**
 * The off-chain half of {@link addRecords}: validate → encrypt → upload, without anchoring. If any
 * upload fails, the blobs already stored are unpinned again and nothing is left behind.
 *
 * @param vault - chain (read only: the patient's key epoch), IPFS and the acting identity
 * @param patient - whose records these are
 * @param records - payloads to store, in order
 * @returns the sealed envelopes and their CIDs, in the order of `records`
 */
export async function storeRecords(
  vault: Vault,
  patient: Address,
  records: readonly NewRecord[],
  options: WriteOptions = {},
): Promise<StoredRecord[]> {
  const progress = options.onProgress ?? (() => {});
  progress({ step: 'validate', done: 0, total: records.length });
  const issues: ValidationIssue[] = [];
  if (records.length === 0) issues.push({ path: 'records', message: 'nothing to write' });
  records.forEach((record, index) =>
    issues.push(...resourceIssues(record.payload.resource, `records[${index}].resource`)),
  );
  if (issues.length > 0) throw new ValidationError(issues, 'Nothing was written; the records are invalid');

  const sealed = await sealAll(vault, patient, records, options, progress);
  const oversized = sealed.flatMap(({ envelope }, index) =>
    envelope.length > MAX_ENVELOPE_BYTES
      ? [
          {
            path: `records[${index}]`,
            message: `encrypts to ${envelope.length} bytes; readers accept at most ${MAX_ENVELOPE_BYTES} (store large content as a file)`,
          },
        ]
      : [],
  );
  if (oversized.length > 0) throw new ValidationError(oversized, 'Nothing was written; a record is too large');
  const cids = await uploadAll(vault, sealed, progress);
  return sealed.map((record, index) => ({ ...record, cid: cids[index]! }));
}

/**
 * Uploads every envelope, a few at a time so that each add's round trip to the node overlaps the
 * others'. On the first failure no further upload starts; once those in flight have settled, every
 * blob stored so far is unpinned again.
 */
async function uploadAll(vault: Vault, sealed: readonly Sealed[], progress: ProgressListener): Promise<string[]> {
  const cids: string[] = [];
  const totalBytes = sealed.reduce((sum, { envelope }) => sum + envelope.length, 0);
  let uploaded = 0;
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < sealed.length) {
      const index = next++;
      const { envelope } = sealed[index]!;
      try {
        cids[index] = await addBytes(vault.ipfs, envelope);
      } catch (error) {
        failed = true;
        throw error;
      }
      uploaded += envelope.length;
      progress({ step: 'upload', done: uploaded, total: totalBytes });
    }
  };
  const workers = await Promise.allSettled(
    Array.from({ length: Math.min(PARALLEL_UPLOADS, sealed.length) }, () => worker()),
  );
  const failure = workers.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled(cids.filter(Boolean).map((cid) => unpin(vault.ipfs, cid)));
    throw failure.reason;
  }
  return cids;
}

async function sealAll(
  vault: Vault,
  patient: Address,
  records: readonly NewRecord[],
  options: WriteOptions,
  progress: ProgressListener,
): Promise<Sealed[]> {
  const actor = actorOf(vault);
  const info = await readMedLedger(vault.chain, 'patientInfo', [patient]);
  const epoch = info.keyEpoch;
  const sealed: Sealed[] = [];
  for (const [index, record] of records.entries()) {
    const category = record.category ?? categoryOf(record.payload.resource.resourceType);
    const context: RecordContext = {
      patient,
      recordUid: record.supersedes?.recordUid ?? record.recordUid ?? newRecordUid(),
      version: record.supersedes ? record.supersedes.version + 1 : 1,
      category,
      epoch,
    };
    const wrapping = await wrappingFor(vault, actor, patient, info.encryptionKey, context, options.keyring);
    const envelope = await sealRecord(
      encodePayload(record.payload),
      context,
      wrapping,
      record.dataKey ?? generateDataKey(),
    );
    sealed.push({ context, envelope });
    progress({ step: 'encrypt', done: index + 1, total: records.length });
  }
  return sealed;
}

/**
 * The patient wraps under their own category key of the current epoch. A provider wraps under that key
 * when its keyring holds it, and always to the patient's and its own public key, so the patient can read
 * (and later re-share) what was written and the author can read back what it wrote.
 */
async function wrappingFor(
  vault: Vault,
  actor: Address,
  patient: Address,
  patientKey: Hex,
  context: RecordContext,
  keyring: Keyring | undefined,
): Promise<KeyWrapping> {
  if (actor.toLowerCase() === patient.toLowerCase()) {
    return { kek: await deriveKek(vault.identity, patient, context.epoch, context.category) };
  }
  const kek = keyring?.kek(context.epoch, context.category);
  const recipients = [hexToKey(patientKey), vault.identity.publicKey];
  return kek ? { kek, recipients } : { recipients };
}

function hexToKey(hex: Hex): Uint8Array {
  return Uint8Array.from(hex.slice(2).match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

/** One transaction of {@link anchor}: a batch of records, or one provider's correction of its own record. */
interface AnchorStep {
  readonly start: number;
  readonly count: number;
  readonly correction: boolean;
}

/**
 * Splits records into transactions: batches of up to {@link MAX_BATCH}; a provider's correction of an
 * earlier record goes alone through `correctRecord`, which checks that the provider wrote it.
 */
function anchorSteps(records: readonly NewRecord[], byPatient: boolean): AnchorStep[] {
  const steps: AnchorStep[] = [];
  let start = 0;
  const flush = (end: number) => {
    for (let from = start; from < end; from += MAX_BATCH) {
      steps.push({ start: from, count: Math.min(MAX_BATCH, end - from), correction: false });
    }
  };
  records.forEach((record, index) => {
    if (byPatient || !record.supersedes) return;
    flush(index);
    steps.push({ start: index, count: 1, correction: true });
    start = index + 1;
  });
  flush(records.length);
  return steps;
}

/** Anchors `sealed` in transactions, appending each record to `anchored` as its transaction lands. */
async function anchor(
  vault: Vault,
  patient: Address,
  records: readonly NewRecord[],
  sealed: readonly StoredRecord[],
  anchored: AnchoredRecord[],
  progress: ProgressListener,
): Promise<void> {
  const hashes = await Promise.all(sealed.map(({ envelope }) => sha256Hex(envelope)));
  const inputs = sealed.map(({ context, cid }, index) => ({
    cid: cidToBytes(cid),
    ciphertextHash: hashes[index]!,
    category: context.category,
    supersedes: records[index]!.supersedes?.recordId ?? 0n,
  }));
  const byPatient = actorOf(vault).toLowerCase() === patient.toLowerCase();
  for (const { start, count, correction } of anchorSteps(records, byPatient)) {
    const onStage = (stage: TransactionStage) => {
      if (stage.stage === 'signing') progress({ step: 'sign', done: start, total: sealed.length });
      if (stage.stage === 'pending') progress({ step: 'pending', hash: stage.hash, done: start, total: sealed.length });
    };
    const first = inputs[start]!;
    let receipt;
    if (correction) {
      const { batch } = await recordHeader(vault.chain, patient, first.supersedes);
      const proof = { firstId: batch.firstId, createdAt: batch.createdAt, headers: batch.headers };
      receipt = await writeMedLedger(vault.chain, 'correctRecord', [patient, first, proof], { onStage });
    } else if (count === 1) {
      receipt = await writeMedLedger(
        vault.chain,
        'addRecord',
        [patient, first.cid, first.ciphertextHash, first.category, first.supersedes],
        { onStage },
      );
    } else {
      // The packed batch: about 4,000 gas a record at 100 records, against a fresh storage slot each alone.
      const headers = packRecordHeaders(inputs.slice(start, start + count));
      receipt = await writeMedLedger(vault.chain, 'addRecords', [patient, headers], { onStage });
    }
    const added = recordBatchesOf(receipt.logs).flatMap(recordHeadersOf);
    added.forEach((header, offset) => {
      const { context, cid } = sealed[start + offset]!;
      anchored.push({
        recordId: header.recordId,
        cid,
        ciphertextHash: header.ciphertextHash,
        category: context.category,
        recordUid: context.recordUid,
        version: context.version,
        transactionHash: receipt.transactionHash,
      });
    });
    progress({ step: 'confirmed', hash: receipt.transactionHash, done: anchored.length, total: sealed.length });
  }
}

/** A file to store as a DocumentReference with an encrypted attachment. */
export interface NewFile {
  readonly source: ByteSource;
  readonly title: string;
  readonly contentType?: string;
  readonly description?: string;
  /** Largest plaintext accepted, checked before anything is encrypted. */
  readonly maxBytes?: number;
}

/** A file encrypted into IPFS, not yet referenced by any record. */
export interface StoredAttachment {
  readonly cid: string;
  /** The Attachment describing the plaintext, with `url` set to `ipfs://<cid>`. */
  readonly attachment: Attachment;
}

/**
 * Encrypts a file in segments under the data key of the DocumentReference record version it will
 * belong to, streaming the ciphertext straight into the IPFS upload: encryption, hashing and the
 * node's import all run at once, and the file is never held whole. Progress counts the bytes
 * encrypted and handed to the node.
 * @param vault - the IPFS client to store with
 * @param source - the file
 * @param dataKey - the data key the DocumentReference will be sealed with
 * @param context - that record's context
 * @param options - content type and title, progress listener
 * @returns the CID of the ciphertext, pinned; unpin it if no record ends up referencing it
 */
export async function storeAttachment(
  vault: Pick<Vault, 'ipfs'>,
  source: ByteSource,
  dataKey: Uint8Array,
  context: RecordContext,
  options: { contentType?: string; title?: string; onProgress?: ProgressListener } = {},
): Promise<StoredAttachment> {
  const progress = options.onProgress ?? (() => {});
  const encryption = encryptAttachment(source, dataKey, context, {
    contentType: options.contentType,
    title: options.title,
  });
  progress({ step: 'encrypt', done: 0, total: encryption.ciphertextBytes });
  const cid = await addStream(vault.ipfs, encryption.ciphertext, {
    totalBytes: encryption.ciphertextBytes,
    onProgress: ({ loadedBytes, totalBytes }) => progress({ step: 'upload', done: loadedBytes, total: totalBytes }),
  });
  return { cid, attachment: { ...(await encryption.attachment()), url: `ipfs://${cid}` } };
}

/**
 * Stores a file (PDF, image, DICOM): encrypts it into IPFS under a fresh data key (see
 * {@link storeAttachment}) and writes a DocumentReference record — sealed under the same data key —
 * that points at it. If the record cannot be written, the file is unpinned again.
 */
export async function addFile(
  vault: Vault,
  patient: Address,
  file: NewFile,
  options: WriteOptions = {},
): Promise<{ record: AnchoredRecord; attachmentCid: string }> {
  const size = sourceSize(file.source);
  if (file.maxBytes !== undefined && size !== undefined && size > file.maxBytes) {
    throw new ValidationError(
      [{ path: 'file', message: `is ${size} bytes; the limit is ${file.maxBytes} bytes` }],
      'The file is too large',
    );
  }
  await retireStaleKeys(vault, patient, options);
  const info = await readMedLedger(vault.chain, 'patientInfo', [patient]);
  const dataKey = generateDataKey();
  const recordUid = newRecordUid();
  const context: RecordContext = {
    patient,
    recordUid,
    version: 1,
    category: categoryOf('DocumentReference'),
    epoch: info.keyEpoch,
  };
  const { cid, attachment } = await storeAttachment(vault, file.source, dataKey, context, {
    contentType: file.contentType,
    title: file.title,
    onProgress: options.onProgress,
  });
  try {
    const documentReference: DocumentReference = documentReferenceFor({
      attachment,
      subject: { reference: `Patient/${patient}` },
      description: file.description,
    });
    const [record] = await writeRecords(
      vault,
      patient,
      [{ payload: { resource: documentReference }, dataKey, recordUid }],
      options,
    );
    return { record: record!, attachmentCid: cid };
  } catch (error) {
    await unpin(vault.ipfs, cid).catch(() => false);
    throw error;
  }
}
