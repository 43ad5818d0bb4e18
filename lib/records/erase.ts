/**
 * Erasure by crypto-shredding. A record's data key exists only inside its own envelope (wrapped under
 * the patient's KEK), and its attachments are sealed under that same data key, so once the envelope's
 * blocks are gone the record and its files can no longer be decrypted by anyone, even from a copy of
 * an attachment that survives somewhere. The chain keeps the anchor (a CID and a ciphertext hash: no
 * health data); the record then reads as no longer stored.
 */
import type { Address } from 'viem';

import { type RecordHeader, listRecordHeaders, readMedLedger } from '../chain';
import { AccessDeniedError, NotFoundError, ServiceUnavailableError } from '../errors';
import { collectGarbage, unpin } from '../ipfs';
import { encryptedAttachmentCid, openAnchored, patientReaderKeys } from './read';
import { type Vault, actorOf, cidFromBytes } from './vault';

/** Options of {@link eraseRecords}. */
export interface EraseOptions {
  /**
   * Run the IPFS node's garbage collector afterwards, so the unpinned blocks are deleted now rather
   * than at the node's next collection. Needs the node's RPC API (`repo/gc`), which the web app's
   * IPFS proxy does not pass on. Default true.
   */
  readonly collectGarbage?: boolean;
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
   * anchored): they were unpinned, but any attachment of theirs could not be found.
   */
  readonly unopened: readonly string[];
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

/**
 * Erases records of the acting patient by crypto-shredding: every version of each record (a
 * correction holds the same data) is opened to find its attachments, then the attachments and the
 * envelopes are unpinned, and the node's garbage collector deletes their blocks.
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

  // Read first, unpin after: a node failing during the reads leaves everything in place.
  const keys = patientReaderKeys(vault, patient);
  const unopened = new Set<bigint>();
  const attachments = new Set<string>();
  await Promise.all(
    erased.map(async (header) => {
      try {
        const { payload } = await openAnchored(vault, patient, header, keys);
        if (payload.resource.resourceType !== 'DocumentReference') return;
        for (const { attachment } of payload.resource.content ?? []) {
          const cid = encryptedAttachmentCid(attachment);
          if (cid !== undefined) attachments.add(cid);
        }
      } catch (error) {
        if (error instanceof ServiceUnavailableError) throw error;
        // Already erased, or not what was anchored. Its pin still goes: without the envelope, the data
        // key of any attachment of its is gone too, so those stay undecryptable wherever they are.
        unopened.add(header.recordId);
      }
    }),
  );

  const unpinned: string[] = [];
  const notPinned: string[] = [];
  // Attachments first: if this stops half-way, the envelopes that lead to them are still there.
  for (const cid of [...attachments, ...erased.map((header) => cidFromBytes(header.cid))]) {
    if (await unpin(vault.ipfs, cid)) unpinned.push(cid);
    else notPinned.push(cid);
  }
  const blocksCollected = options.collectGarbage === false ? undefined : await collectGarbage(vault.ipfs);
  return {
    recordIds: erased.map((header) => header.recordId),
    unpinned,
    notPinned,
    unopened: erased.filter((header) => unopened.has(header.recordId)).map((header) => cidFromBytes(header.cid)),
    blocksCollected,
  };
}
