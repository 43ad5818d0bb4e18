/**
 * Erasure by crypto-shredding. A record's data key exists only inside its own envelope (wrapped under
 * the patient's KEK), and its attachments are sealed under that same data key, so once the envelope's
 * blocks are gone the record and its files can no longer be decrypted by anyone, even from a copy of
 * an attachment that survives somewhere. The chain keeps the anchor (a CID and a ciphertext hash: no
 * health data); the record then reads as no longer stored.
 */
import type { Address } from 'viem';

import { type RecordHeader, listRecordHeaders, readMedLedger } from '../chain';
import { FILE_HEADER_LENGTH, type RecordContext, type ReaderKeys, checkFileHeader, inspectRecord } from '../crypto';
import {
  AccessDeniedError,
  IntegrityError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
  describeError,
} from '../errors';
import { collectGarbage, fetchHead, fetchVerified, unpin } from '../ipfs';
import { encryptedAttachmentCid, openAnchored, patientReaderKeys } from './read';
import { type RecordPayload, type Vault, actorOf, cidFromBytes } from './vault';

/** Options of {@link eraseRecords}. */
export interface EraseOptions {
  /**
   * Run the IPFS node's garbage collector afterwards, so the unpinned blocks are deleted now rather
   * than at the node's next collection. Needs the node's RPC API (`repo/gc`), which the web app's
   * IPFS proxy does not pass on. Default true.
   */
  readonly collectGarbage?: boolean;
}

/** A blob an erased record names that erasure left pinned, and why. */
export interface RefusedBlob {
  /** Its CID (or the anchored bytes as hex, when they are not a CID). */
  readonly cid: string;
  readonly reason: string;
}

/** What {@link eraseRecords} did. */
export interface ErasureReport {
  /** Every version of the records asked for, in chain order: correcting a record keeps its data too. */
  readonly recordIds: readonly bigint[];
  /** Envelopes and attachments whose pins were removed. */
  readonly unpinned: readonly string[];
  /** Envelopes and attachments that were no longer pinned on this node (erased before). */
  readonly notPinned: readonly string[];
  /**
   * Envelopes that could not be opened to find their attachments (already gone, or not what was
   * anchored): they were unpinned unless {@link refused}, but any attachment of theirs could not be found.
   */
  readonly unopened: readonly string[];
  /**
   * Blobs an erased record names that are not proven to be its own, left pinned. Whoever writes a
   * record can name any CID in it (CIDs are public, in events): an attachment counts as the record's
   * only when its `MLFS` header names that record version, its position and its data key; an envelope
   * only when it is sealed for this patient. Neither is unpinned while a record that stays also uses it.
   */
  readonly refused: readonly RefusedBlob[];
  /** Blocks the node's garbage collector deleted (all unpinned blocks of the node, not only these); `undefined` if it did not run. */
  readonly blocksCollected: number | undefined;
}

/** `ids` with every record that corrects one of them or that one of them corrects, transitively. */
function versionChains(headers: readonly RecordHeader[], ids: readonly bigint[]): RecordHeader[] {
  const byId = new Map(headers.map((header) => [header.recordId, header]));
  const correctedBy = new Map<bigint, bigint[]>();
  for (const header of headers) {
    if (header.supersedes === 0n) continue;
    correctedBy.set(header.supersedes, [...(correctedBy.get(header.supersedes) ?? []), header.recordId]);
  }
  const chosen = new Set<bigint>();
  const pending = [...ids];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (chosen.has(id) || !byId.has(id)) continue;
    chosen.add(id);
    const supersedes = byId.get(id)!.supersedes;
    if (supersedes !== 0n) pending.push(supersedes);
    pending.push(...(correctedBy.get(id) ?? []));
  }
  return headers.filter((header) => chosen.has(header.recordId));
}

/** An opened record version as erasure needs it: where its attachments must prove they belong. */
interface OpenedVersion {
  readonly recordId: bigint;
  readonly context: RecordContext;
  readonly dataKey: Uint8Array;
  readonly payload: RecordPayload;
}

/** One `content[]` entry of an opened DocumentReference that names an encrypted file. */
interface AttachmentClaim {
  readonly cid: string;
  readonly index: number;
  readonly record: OpenedVersion;
}

/** Where the encrypted attachments of opened DocumentReferences point, with the record and position naming each. */
function attachmentClaims(records: readonly OpenedVersion[]): AttachmentClaim[] {
  return records.flatMap((record) =>
    record.payload.resource.resourceType === 'DocumentReference'
      ? (record.payload.resource.content ?? []).flatMap(({ attachment }, index) => {
          const cid = encryptedAttachmentCid(attachment);
          return cid === undefined ? [] : [{ cid, index, record }];
        })
      : [],
  );
}

/** The CID string of an anchored header, or `undefined` when the anchored bytes are not a CID. */
function anchoredCid(header: RecordHeader): string | undefined {
  try {
    return cidFromBytes(header.cid);
  } catch {
    return undefined;
  }
}

type FailedVersion = { readonly error: unknown };

const isOpened = (version: OpenedVersion | FailedVersion): version is OpenedVersion => !('error' in version);

/** Opens one anchored record; an unreachable node fails the erasure, anything else is the record's problem. */
async function openVersion(
  vault: Vault,
  patient: Address,
  header: RecordHeader,
  keys: ReaderKeys,
): Promise<OpenedVersion | FailedVersion> {
  try {
    const { context, dataKey, payload } = await openAnchored(vault, patient, header, keys);
    return { recordId: header.recordId, context, dataKey, payload };
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw error;
    return { error };
  }
}

/** What erasure does with one blob: unpin it, leave it (with the reason), or nothing, as the node no longer has it. */
type Verdict =
  | { readonly cid: string; readonly verdict: 'unpin' | 'gone' }
  | { readonly cid: string; readonly verdict: 'refuse'; readonly reason: string };

/**
 * Whether an erased record's envelope is its own to unpin. One that opened is. One the node no longer
 * has needs no proof (unpinning it is a no-op). Any other must be what the chain anchored and sealed
 * for this patient (say, an envelope only its author can open). Never one a record that stays anchors too.
 */
async function envelopeVerdict(
  vault: Vault,
  patient: Address,
  header: RecordHeader,
  version: OpenedVersion | FailedVersion,
  keptEnvelopes: ReadonlyMap<string | undefined, bigint>,
): Promise<Verdict> {
  const cid = anchoredCid(header);
  if (cid === undefined) {
    return {
      cid: header.cid,
      verdict: 'refuse',
      reason: `record #${header.recordId} anchors bytes that are not a CID`,
    };
  }
  const alsoAnchoredBy = keptEnvelopes.get(cid);
  if (alsoAnchoredBy !== undefined) {
    return {
      cid,
      verdict: 'refuse',
      reason: `record #${alsoAnchoredBy} anchors the same envelope and is not being erased`,
    };
  }
  if (isOpened(version) || version.error instanceof NotFoundError) return { cid, verdict: 'unpin' };
  try {
    const envelope = await fetchVerified(vault.ipfs, cid, header.ciphertextHash.slice(2));
    const sealedFor = inspectRecord(envelope).patient;
    if (sealedFor.toLowerCase() === patient.toLowerCase()) return { cid, verdict: 'unpin' };
    return { cid, verdict: 'refuse', reason: `the envelope is sealed for patient ${sealedFor}, not ${patient}` };
  } catch (error) {
    if (error instanceof IntegrityError) return { cid, verdict: 'refuse', reason: describeError(error) };
    if (error instanceof NotFoundError) return { cid, verdict: 'unpin' };
    throw error;
  }
}

/**
 * Whether the file at `cid` is an attachment of the erased records naming it: its `MLFS` header must
 * name one of those record versions, the position that version gives it, and carry the key commitment
 * only that version's data key produces. A correction may keep the file of the version it corrects, so
 * any naming version may prove it. Only the header is read (unverified, see fetchHead): the node that
 * answers is the one whose pin is at stake, and it could drop that pin by itself anyway.
 */
async function attachmentVerdict(vault: Vault, cid: string, claims: readonly AttachmentClaim[]): Promise<Verdict> {
  let head: Uint8Array;
  try {
    head = await fetchHead(vault.ipfs, cid, FILE_HEADER_LENGTH);
  } catch (error) {
    if (error instanceof NotFoundError) return { cid, verdict: 'gone' };
    if (error instanceof ValidationError) return { cid, verdict: 'refuse', reason: describeError(error) };
    throw error;
  }
  const reasons: string[] = [];
  for (const { index, record } of claims) {
    try {
      checkFileHeader(head, record.dataKey, record.context, index);
      return { cid, verdict: 'unpin' };
    } catch (error) {
      // ValidationError: a position above 255, which no MLFS header can name.
      if (!(error instanceof IntegrityError || error instanceof ValidationError)) throw error;
      reasons.push(`not attachment ${index} of record #${record.recordId}: ${error.message}`);
    }
  }
  return { cid, verdict: 'refuse', reason: reasons.join('; ') };
}

/**
 * Erases records of the acting patient by crypto-shredding: every version of each record (a
 * correction holds the same data) is opened to find its attachments, then the attachments and the
 * envelopes are unpinned, and the node's garbage collector deletes their blocks.
 *
 * Only what is proven to be the records' own is unpinned (see {@link ErasureReport.refused}): a
 * provider with write scope can put any CID into a record it writes for the patient, including another
 * patient's record or one of this patient's other files, and erasing that record must not delete them.
 *
 * Safe to retry: nothing is unpinned until every envelope that is still stored has been read, and
 * unpinning what is already gone is not an error. What it cannot reach: copies on IPFS nodes other
 * than the patient's, and whatever a grantee already downloaded and decrypted (a grantee holding the
 * record's epoch keys and a copy of the envelope can still open that copy).
 *
 * @param vault - The patient's vault (the acting wallet must be the patient).
 * @param recordIds - Records to erase; each must exist.
 * @param options - Whether to run the node's garbage collector.
 * @throws {@link AccessDeniedError} when the acting wallet is not a registered patient.
 * @throws {@link NotFoundError} naming a record id the patient does not have (nothing is erased).
 * @throws {@link ServiceUnavailableError} when the IPFS node cannot be reached (nothing is erased if it
 *   failed while reading; a retry finishes the job if it failed later).
 */
export async function eraseRecords(
  vault: Vault,
  recordIds: readonly bigint[],
  options: EraseOptions = {},
): Promise<ErasureReport> {
  const patient: Address = actorOf(vault);
  if (!(await readMedLedger(vault.chain, 'isPatient', [patient]))) {
    throw new AccessDeniedError(`${patient} is not a registered patient: only patients erase records, their own.`);
  }
  const headers = await listRecordHeaders(vault.chain, patient);
  const known = new Set(headers.map((header) => header.recordId));
  const missing = recordIds.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw new NotFoundError(`${patient} has no record ${missing.join(', ')}; nothing was erased.`);
  }
  const erased = versionChains(headers, recordIds);
  const erasedIds = new Set(erased.map((header) => header.recordId));
  const kept = headers.filter((header) => !erasedIds.has(header.recordId));

  // Read and prove first, unpin after: a node failing before that leaves everything in place.
  const keys = patientReaderKeys(vault, patient);
  const versions = await Promise.all(erased.map((header) => openVersion(vault, patient, header, keys)));
  const keptEnvelopes = new Map(kept.map((header) => [anchoredCid(header), header.recordId]));
  const envelopes = await Promise.all(
    erased.map((header, position) => envelopeVerdict(vault, patient, header, versions[position]!, keptEnvelopes)),
  );
  const erasedEnvelopes = new Set(envelopes.map(({ cid }) => cid));

  // An attachment CID that is also an anchored envelope is judged as an envelope, above.
  const claimsByCid = new Map<string, AttachmentClaim[]>();
  for (const claim of attachmentClaims(versions.filter(isOpened))) {
    if (erasedEnvelopes.has(claim.cid) || keptEnvelopes.has(claim.cid)) continue;
    claimsByCid.set(claim.cid, [...(claimsByCid.get(claim.cid) ?? []), claim]);
  }
  const attachments = await Promise.all([...claimsByCid].map(([cid, claims]) => attachmentVerdict(vault, cid, claims)));
  if (attachments.some(({ verdict }) => verdict === 'unpin')) {
    // A file proven to be an erased record's may still be named by a record that stays (one written
    // with that record's context and data key by a grantee who could read it): that record keeps it.
    const stillUsed = await attachmentsOfKeptRecords(vault, patient, kept, keys);
    attachments.forEach((attachment, position) => {
      const user = stillUsed.get(attachment.cid);
      if (attachment.verdict !== 'unpin' || user === undefined) return;
      attachments[position] = {
        cid: attachment.cid,
        verdict: 'refuse',
        reason: `record #${user} attaches the same file and is not being erased`,
      };
    });
  }

  const unpinned: string[] = [];
  const notPinned: string[] = [];
  // Attachments first: if this stops half-way, the envelopes that lead to them are still there.
  const verdicts = [...attachments, ...envelopes];
  const toUnpin = new Set(verdicts.filter(({ verdict }) => verdict === 'unpin').map(({ cid }) => cid));
  for (const cid of toUnpin) {
    if (await unpin(vault.ipfs, cid)) unpinned.push(cid);
    else notPinned.push(cid);
  }
  notPinned.push(...verdicts.filter(({ verdict }) => verdict === 'gone').map(({ cid }) => cid));
  const blocksCollected = options.collectGarbage === false ? undefined : await collectGarbage(vault.ipfs);
  return {
    recordIds: erased.map((header) => header.recordId),
    unpinned,
    notPinned,
    unopened: erased
      .filter((_, position) => !isOpened(versions[position]!))
      .map((header) => anchoredCid(header) ?? header.cid),
    refused: verdicts.flatMap((verdict) =>
      verdict.verdict === 'refuse' ? [{ cid: verdict.cid, reason: verdict.reason }] : [],
    ),
    blocksCollected,
  };
}

/** Encrypted attachments named by the records that stay, each with the first record naming it. */
async function attachmentsOfKeptRecords(
  vault: Vault,
  patient: Address,
  kept: readonly RecordHeader[],
  keys: ReaderKeys,
): Promise<Map<string, bigint>> {
  const versions = await Promise.all(kept.map((header) => openVersion(vault, patient, header, keys)));
  const users = new Map<string, bigint>();
  for (const { cid, record } of attachmentClaims(versions.filter(isOpened))) {
    if (!users.has(cid)) users.set(cid, record.recordId);
  }
  return users;
}
