import type { Attachment, DocumentReference } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import {
  DEFAULT_PURPOSE,
  type PurposeOfUse,
  type RecordHeader,
  type SendOptions,
  listRecordHeaders,
  patientActivity,
  writeMedLedger,
} from '../chain';
import {
  type Keyring,
  type ReaderKeys,
  type RecordContext,
  decryptFile,
  openKeyring,
  openRecord,
  patientKekResolver,
} from '../crypto';
import {
  AccessDeniedError,
  IntegrityError,
  MedLedgerError,
  NotFoundError,
  ValidationError,
  describeError,
} from '../errors';
import { ENCRYPTED_ATTACHMENT_URL } from '../fhir';
import { MAX_ATTACHMENT_BYTES, fetchVerified } from '../ipfs';
import type { ProgressListener } from './progress';
import { type RecordPayload, type Vault, actorOf, cidFromBytes, decodePayload } from './vault';

/** A record the reader could open. */
export interface OpenRecord {
  readonly ok: true;
  readonly header: RecordHeader;
  readonly cid: string;
  readonly context: RecordContext;
  readonly payload: RecordPayload;
  /** Opens the record's attachments (files), see {@link openAttachment}. */
  readonly dataKey: Uint8Array;
  /** A later record corrects this one. */
  readonly superseded: boolean;
}

/** A record the reader could not open, and why (no key for it, tampered, unavailable …). */
export interface UnreadableRecord {
  readonly ok: false;
  readonly header: RecordHeader;
  readonly cid: string;
  readonly error: MedLedgerError;
  readonly superseded: boolean;
}

export type RecordResult = OpenRecord | UnreadableRecord;

export interface ReadOptions {
  readonly onProgress?: ProgressListener;
  /** Only these categories (a provider reads what it was granted). */
  readonly categories?: readonly number[];
  /**
   * For a provider: log the opened records on-chain (`logAccess`) so the patient sees who read what.
   * Default true for providers; the patient reading their own records logs nothing. With a
   * `vault.readLog`, records already logged for this patient and purpose in the session are not
   * logged again.
   */
  readonly logAccess?: boolean;
  /** Why the provider reads (`lib/chain/purpose.ts`), logged with the access; treatment unless said. */
  readonly purpose?: PurposeOfUse;
  /** Stages of the access-log transaction, so a UI can say that the read is being recorded on-chain. */
  readonly onStage?: SendOptions['onStage'];
}

/**
 * The keyring `patient` last handed the acting provider (via a grant or a keyring share), fetched,
 * verified against its CID and opened with the provider's identity key.
 */
export async function loadKeyring(vault: Vault, patient: Address): Promise<Keyring> {
  const provider = actorOf(vault);
  const activity = await patientActivity(vault.chain, patient);
  const latest = activity
    .filter(
      (event): event is Extract<typeof event, { kind: 'accessGranted' | 'keyringShared' }> =>
        (event.kind === 'accessGranted' || event.kind === 'keyringShared') &&
        event.provider.toLowerCase() === provider.toLowerCase() &&
        event.keyring.length > 2,
    )
    .at(-1);
  if (!latest) throw new NotFoundError(`${patient} has not shared any keys with ${provider}.`);
  const blob = await fetchVerified(vault.ipfs, cidFromBytes(latest.keyring), undefined, { cache: vault.cache });
  return openKeyring(blob, vault.identity, { patient, grantee: provider });
}

/** The keys `patient` opens their own records with: every KEK derives from their identity key. */
export function patientReaderKeys(vault: Vault, patient: Address): ReaderKeys {
  return { kek: patientKekResolver(vault.identity, patient), identity: vault.identity };
}

/**
 * One record as its chain header names it: fetched from IPFS, verified against the CID and the
 * on-chain ciphertext hash, decrypted and parsed.
 *
 * @throws {@link NotFoundError} when the node no longer holds it, {@link IntegrityError} when it is
 *   not what was anchored, {@link AccessDeniedError} when `keys` do not open it
 */
export async function openAnchored(
  vault: Vault,
  patient: Address,
  header: RecordHeader,
  keys: ReaderKeys,
): Promise<Pick<OpenRecord, 'cid' | 'context' | 'payload' | 'dataKey'>> {
  const cid = cidFromBytes(header.cid);
  const envelope = await fetchVerified(vault.ipfs, cid, header.ciphertextHash.slice(2), { cache: vault.cache });
  const opened = await openRecord(envelope, keys, { patient, category: header.category });
  return { cid, context: opened.context, payload: decodePayload(opened.plaintext), dataKey: opened.dataKey };
}

/**
 * Lists `patient`'s records from the chain (proven complete and untampered), fetches each from IPFS
 * (verified against its CID and the on-chain ciphertext hash), decrypts it and parses the FHIR payload.
 * A record that cannot be opened is returned with the reason rather than failing the whole list.
 */
export async function readRecords(vault: Vault, patient: Address, options: ReadOptions = {}): Promise<RecordResult[]> {
  const progress = options.onProgress ?? (() => {});
  const actor = actorOf(vault);
  const isPatient = actor.toLowerCase() === patient.toLowerCase();
  progress({ step: 'list' });
  const all = await listRecordHeaders(vault.chain, patient);
  const headers = options.categories ? all.filter((header) => options.categories!.includes(header.category)) : all;
  const keys: ReaderKeys = isPatient
    ? patientReaderKeys(vault, patient)
    : { kek: (await loadKeyring(vault, patient).catch(() => undefined))?.kek, identity: vault.identity };

  const results = await openHeaders(vault, patient, headers, keys, progress);
  const openedIds = results.filter((result) => result.ok).map((result) => result.header.recordId);
  if (!isPatient && openedIds.length > 0 && options.logAccess !== false) {
    await logReads(vault, actor, patient, openedIds, options);
  }
  progress({ step: 'done', done: results.length, total: results.length });
  return results;
}

/**
 * Opens the records `headers` name (in chain order) with `keys`, each fetched, verified and decrypted,
 * with the correction rules applied among them; a record that cannot be opened is returned with the
 * reason. Logs nothing: the caller logs what it opened.
 *
 * @param headers - the records' headers, as the chain listed them
 * @param keys - what the reader opens them with
 * @param progress - a `decrypt` step per record
 */
export async function openHeaders(
  vault: Vault,
  patient: Address,
  headers: readonly RecordHeader[],
  keys: ReaderKeys,
  progress: ProgressListener = () => {},
): Promise<RecordResult[]> {
  let done = 0;
  const opened = await Promise.all(
    headers.map(async (header): Promise<RecordResult> => {
      const cid = cidFromBytes(header.cid);
      try {
        const record = await openAnchored(vault, patient, header, keys);
        progress({ step: 'decrypt', done: ++done, total: headers.length });
        return { ok: true, header, ...record, superseded: false };
      } catch (error) {
        progress({ step: 'decrypt', done: ++done, total: headers.length });
        const reason =
          error instanceof MedLedgerError ? error : new MedLedgerError(describeError(error), { cause: error });
        return { ok: false, header, cid, error: reason, superseded: false };
      }
    }),
  );
  return checkCorrections(opened);
}

/**
 * Logs `recordIds` as read by `reader` (`logAccess`, at most 100 per transaction), leaving out those
 * the session's read log says were logged already.
 *
 * @param options - the purpose (treatment unless said) and the transaction's stages
 */
export async function logReads(
  vault: Vault,
  reader: Address,
  patient: Address,
  recordIds: readonly bigint[],
  options: Pick<ReadOptions, 'purpose' | 'onStage'>,
): Promise<void> {
  const purpose = (options.purpose ?? DEFAULT_PURPOSE).value;
  const key = { chainId: vault.chain.deployment.chainId, reader, patient, purpose };
  const unlogged = vault.readLog ? vault.readLog.claim(key, recordIds) : [...recordIds];
  for (let start = 0; start < unlogged.length; start += 100) {
    const batch = unlogged.slice(start, start + 100);
    try {
      await writeMedLedger(vault.chain, 'logAccess', [patient, batch, purpose], { onStage: options.onStage });
    } catch (error) {
      vault.readLog?.release(key, unlogged.slice(start));
      throw error;
    }
    vault.readLog?.logged(key, batch);
  }
}

/**
 * Applies the rules a correction must pass before it may hide the version it corrects, to records in
 * chain order. The chain already lets only the patient or the author correct a record, once; these
 * catch what it cannot see inside the ciphertext:
 * - a record whose ciphertext hash an earlier record already anchored is a replay, not a record:
 *   refused (an honest writer seals every version under a fresh key and IV, so hashes never repeat);
 * - a correction's envelope must carry the record uid of the version it corrects and the next version
 *   number, so old ciphertext re-anchored as a "correction" is refused.
 * A refused correction hides nothing. A correction the reader cannot open (no key, not stored) still
 * supersedes: its standing comes from the chain.
 */
function checkCorrections(results: readonly RecordResult[]): RecordResult[] {
  const byId = new Map(results.map((result) => [result.header.recordId, result]));
  const firstWithHash = new Map<string, bigint>();
  const checked = results.map((result): RecordResult => {
    const { header } = result;
    const hash = header.ciphertextHash.toLowerCase();
    const earlier = firstWithHash.get(hash);
    if (earlier === undefined) firstWithHash.set(hash, header.recordId);
    const refuse = (message: string): RecordResult => ({
      ok: false,
      header,
      cid: result.cid,
      error: new IntegrityError(message),
      superseded: false,
    });
    if (earlier !== undefined) {
      return refuse(`Record ${header.recordId} re-anchors the ciphertext of record ${earlier}; it is ignored.`);
    }
    const prior = header.supersedes === 0n ? undefined : byId.get(header.supersedes);
    if (result.ok && prior?.ok) {
      const sameRecord = result.context.recordUid.toLowerCase() === prior.context.recordUid.toLowerCase();
      if (!sameRecord || result.context.version !== prior.context.version + 1) {
        const found = `version ${result.context.version} of ${sameRecord ? 'that' : 'another'} record`;
        return refuse(
          `Record ${header.recordId} claims to correct record ${header.supersedes}, but its envelope is ${found}, ` +
            `not version ${prior.context.version + 1} of it; it is ignored.`,
        );
      }
    }
    return result;
  });
  const superseded = new Set(
    checked
      .filter((result) => result.ok || !(result.error instanceof IntegrityError))
      .map((result) => result.header.supersedes)
      .filter((id) => id !== 0n),
  );
  return checked.map((result) => (superseded.has(result.header.recordId) ? { ...result, superseded: true } : result));
}

/** The CID of the MedLedger-encrypted file an Attachment points at (`ipfs://…`), if it is one. */
export function encryptedAttachmentCid(attachment: Attachment | undefined): string | undefined {
  const encrypted = attachment?.extension?.some((extension) => extension.url === ENCRYPTED_ATTACHMENT_URL);
  const url = attachment?.url;
  return encrypted && url?.startsWith('ipfs://') ? url.slice('ipfs://'.length) : undefined;
}

/** The encrypted file a DocumentReference points at, fetched, verified and decrypted. */
export async function openAttachment(
  vault: Vault,
  record: OpenRecord,
  options: { onProgress?: ProgressListener; index?: number } = {},
): Promise<{ attachment: Attachment; bytes: Uint8Array }> {
  const resource = record.payload.resource;
  if (resource.resourceType !== 'DocumentReference') {
    throw new ValidationError([{ path: 'resourceType', message: 'only a DocumentReference has attachments' }]);
  }
  const index = options.index ?? 0;
  const attachment = (resource as DocumentReference).content?.[index]?.attachment;
  const cid = encryptedAttachmentCid(attachment);
  if (!attachment || cid === undefined) throw new NotFoundError('This document has no encrypted file attached.');
  const ciphertext = await fetchVerified(vault.ipfs, cid, undefined, {
    maxBytes: MAX_ATTACHMENT_BYTES,
    cache: vault.cache,
  });
  const bytes = await decryptFile(ciphertext, record.dataKey, {
    expected: record.context,
    attachmentIndex: index,
    onProgress: ({ bytesDone, totalBytes }) =>
      options.onProgress?.({ step: 'decrypt', done: bytesDone, total: totalBytes }),
  });
  return { attachment, bytes };
}

/** One line of a `verify` report. */
export interface VerifyResult {
  readonly recordId: bigint;
  readonly cid: string;
  readonly status: 'ok' | 'failed';
  readonly reason?: string;
}

/**
 * Re-fetches every record of `patient`, checks CID, ciphertext hash and decryption, and reports each.
 * Logs no access: a verification run is not a clinical read.
 */
export async function verifyRecords(
  vault: Vault,
  patient: Address,
  options: ReadOptions = {},
): Promise<VerifyResult[]> {
  if (!vault.chain.account) throw new AccessDeniedError('Connect a wallet first.');
  const results = await readRecords(vault, patient, { ...options, logAccess: false });
  return results.map((result) => ({
    recordId: result.header.recordId,
    cid: result.cid,
    status: result.ok ? 'ok' : 'failed',
    ...(result.ok ? {} : { reason: result.error.message }),
  }));
}
