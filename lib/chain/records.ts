import {
  type Address,
  type Hex,
  concatHex,
  encodeAbiParameters,
  keccak256,
  numberToHex,
  parseEventLogs,
  size,
  sliceHex,
} from 'viem';

import { IntegrityError } from '../errors';
import type { ChainContext } from './client';
import { medLedgerAbi } from './deployments';
import { fromNodeIfIndexerLies } from './chains';
import { contractEvents } from './events';
import { readMedLedger } from './medledger';

/** What a writer supplies for one record; author and time come from the transaction. */
export interface RecordInput {
  readonly cid: Hex;
  readonly ciphertextHash: Hex;
  readonly category: number;
  /** The record this one corrects, or 0n. */
  readonly supersedes: bigint;
}

/**
 * One `RecordsAdded` event: records `firstId` onwards, appended together by `author` at `createdAt`,
 * their headers packed as the contract stores their digest.
 */
export interface RecordBatch {
  readonly patient: Address;
  readonly firstId: bigint;
  readonly author: Address;
  /** Unix seconds of the block that anchored it. */
  readonly createdAt: number;
  /** The packed headers (see {@link packRecordHeaders}). */
  readonly headers: Hex;
  readonly blockNumber: bigint;
  readonly transactionHash: Hex;
}

/** One record's on-chain header, unpacked from the `RecordsAdded` event of its batch. */
export interface RecordHeader {
  readonly patient: Address;
  readonly recordId: bigint;
  readonly author: Address;
  readonly category: number;
  /** The record this one corrects, or 0n. */
  readonly supersedes: bigint;
  /** Unix seconds of the block that anchored it. */
  readonly createdAt: number;
  /** SHA-256 of the ciphertext envelope. */
  readonly ciphertextHash: Hex;
  /** The CID of the ciphertext, as bytes. */
  readonly cid: Hex;
  readonly blockNumber: bigint;
  readonly transactionHash: Hex;
  /** The batch that anchored it: what an author presents to correct it. */
  readonly batch: RecordBatch;
}

/** Records one `addRecords` call may append. */
export const MAX_RECORDS_PER_BATCH = 100;

const PAGE_SIZE = 200n;
/** Pages of record digests asked for at once. */
const PAGES_IN_FLIGHT = 4;
/** Bytes of a packed header before its CID. */
const HEADER_FIXED = 42;

/** State byte bits, as `Records` keeps them. */
const CATEGORY_BITS = 0x1f;
const PRESENT = 0x20;
const BATCH = 0x40;
const SUPERSEDED = 0x80;

/**
 * Packs record inputs the way `addRecords` takes them and `RecordsAdded` emits them: per record the
 * category (1 byte), supersedes (8), ciphertext hash (32), CID length (1) and CID.
 */
export function packRecordHeaders(inputs: readonly RecordInput[]): Hex {
  return concatHex(
    inputs.map((input) => {
      const cidLength = size(input.cid);
      if (cidLength === 0 || cidLength > 128) throw new RangeError(`A CID of ${cidLength} bytes cannot be anchored.`);
      return concatHex([
        numberToHex(input.category, { size: 1 }),
        numberToHex(input.supersedes, { size: 8 }),
        input.ciphertextHash,
        numberToHex(cidLength, { size: 1 }),
        input.cid,
      ]);
    }),
  );
}

/**
 * The record inputs packed in `headers`.
 * @throws IntegrityError when `headers` is not a whole number of well-formed packed headers.
 */
export function unpackRecordHeaders(headers: Hex): RecordInput[] {
  const bytes = size(headers);
  const inputs: RecordInput[] = [];
  for (let offset = 0; offset < bytes;) {
    if (bytes - offset < HEADER_FIXED)
      throw new IntegrityError(`Packed record headers end mid-header at byte ${offset}.`);
    const cidLength = Number.parseInt(sliceHex(headers, offset + 41, offset + 42).slice(2), 16);
    const next = offset + HEADER_FIXED + cidLength;
    if (cidLength === 0 || next > bytes)
      throw new IntegrityError(`A packed record header at byte ${offset} has a bad CID length.`);
    inputs.push({
      category: Number.parseInt(sliceHex(headers, offset, offset + 1).slice(2), 16),
      supersedes: BigInt(sliceHex(headers, offset + 1, offset + 9)),
      ciphertextHash: sliceHex(headers, offset + 9, offset + 41),
      cid: sliceHex(headers, offset + HEADER_FIXED, next),
    });
    offset = next;
  }
  return inputs;
}

/**
 * The digest `Records.sealBatch` computes for a batch, low byte zero: keccak-256 of the ABI-encoded
 * patient, first id, author, time and hash of the packed headers.
 */
export function sealBatch(batch: Pick<RecordBatch, 'patient' | 'firstId' | 'author' | 'createdAt' | 'headers'>): Hex {
  const digest = keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'uint64' }, { type: 'address' }, { type: 'uint40' }, { type: 'bytes32' }],
      [batch.patient, batch.firstId, batch.author, batch.createdAt, keccak256(batch.headers)],
    ),
  );
  return `0x${(BigInt(digest) & ~0xffn).toString(16).padStart(64, '0')}`;
}

/** The headers of a batch, one per record. */
export function recordHeadersOf(batch: RecordBatch): RecordHeader[] {
  return unpackRecordHeaders(batch.headers).map((input, index) => ({
    patient: batch.patient,
    recordId: batch.firstId + BigInt(index),
    author: batch.author,
    category: input.category,
    supersedes: input.supersedes,
    createdAt: batch.createdAt,
    ciphertextHash: input.ciphertextHash,
    cid: input.cid,
    blockNumber: batch.blockNumber,
    transactionHash: batch.transactionHash,
    batch,
  }));
}

/** `RecordsAdded` logs (from a receipt or a log query) as batches. */
export function recordBatchesOf(logs: Parameters<typeof parseEventLogs>[0]['logs']): RecordBatch[] {
  return parseEventLogs({ abi: medLedgerAbi, eventName: 'RecordsAdded', logs }).map((log) => ({
    patient: log.args.patient,
    firstId: log.args.firstId,
    author: log.args.author,
    createdAt: log.args.createdAt,
    headers: log.args.headers,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  }));
}

/** Every batch of `patient` the chain's events tell of (up to `toBlock`, default the head), unverified. */
export async function recordBatchEvents(
  context: ChainContext,
  patient: Address,
  toBlock?: bigint,
): Promise<RecordBatch[]> {
  return recordBatchesOf(
    await contractEvents(context, {
      eventName: 'RecordsAdded',
      args: { patient },
      ...(toBlock === undefined ? {} : { toBlock }),
    }),
  );
}

/**
 * One record's header as the events tell it, unverified: for a writer that may not list the patient's
 * records (write scope only) but needs the header of a record it wrote, to correct it
 * (`correctRecord` checks the batch against storage itself).
 *
 * @throws IntegrityError when the chain has no such record.
 */
export async function recordHeader(context: ChainContext, patient: Address, recordId: bigint): Promise<RecordHeader> {
  for (const batch of await recordBatchEvents(context, patient)) {
    if (batch.firstId > recordId) continue;
    const header = recordHeadersOf(batch)[Number(recordId - batch.firstId)];
    if (header) return header;
  }
  throw new IntegrityError(`Record ${recordId} of ${patient} has no event on this chain.`);
}

/** What the contract stores for records `1…recordCount`, as `recordDigests` returns it page by page. */
export interface StoredRecords {
  readonly digests: readonly Hex[];
  /** One state byte per record (0 for a record appended alone). */
  readonly states: Uint8Array;
}

/**
 * Reads what the contract stores for `patient`'s records `1…recordCount` (as of `blockNumber`, default
 * the latest block), a few pages per round trip.
 */
export async function storedRecords(
  context: ChainContext,
  patient: Address,
  recordCount: bigint,
  blockNumber?: bigint,
): Promise<StoredRecords> {
  const at = blockNumber === undefined ? {} : { blockNumber };
  const pageStarts: bigint[] = [];
  for (let fromId = 1n; fromId <= recordCount; fromId += PAGE_SIZE) pageStarts.push(fromId);
  const digests: Hex[] = [];
  const states: number[] = [];
  for (let first = 0; first < pageStarts.length; first += PAGES_IN_FLIGHT) {
    const pages = await Promise.all(
      pageStarts
        .slice(first, first + PAGES_IN_FLIGHT)
        .map((fromId) => readMedLedger(context, 'recordDigests', [patient, fromId, PAGE_SIZE], at)),
    );
    for (const [pageDigests, pageStates] of pages) {
      digests.push(...pageDigests);
      for (let index = 0; index < pageDigests.length; index += 1) {
        states.push(Number.parseInt(pageStates.slice(2 + index * 2, 4 + index * 2), 16));
      }
    }
  }
  if (BigInt(digests.length) !== recordCount)
    throw new IntegrityError('The contract returned fewer record digests than records.');
  return { digests, states: Uint8Array.from(states) };
}

/**
 * Proves `batches` (from events or an indexer) are exactly `patient`'s records as the contract stores
 * them, and returns their headers in id order: the batches tile ids 1…recordCount without gap or
 * overlap, each seals to the digest stored under its first id, every record's category matches its
 * state byte, and the records marked superseded are exactly those a later header corrects.
 *
 * @throws IntegrityError on the first difference.
 */
export function verifyRecordBatches(
  batches: readonly RecordBatch[],
  recordCount: bigint,
  stored: StoredRecords,
): RecordHeader[] {
  const headers: RecordHeader[] = [];
  const markedSuperseded = new Set<bigint>();
  for (const { batch, batchHeaders } of tiledBatches(batches, recordCount)) {
    const digest = BigInt(stored.digests[Number(batch.firstId - 1n)]!);
    if ((digest | 0xffn) !== (BigInt(sealBatch(batch)) | 0xffn)) {
      throw new IntegrityError(`The event for records from ${batch.firstId} does not match what the contract stored.`);
    }
    const low = Number(digest & 0xffn);
    const alone = (low & BATCH) === 0;
    if (alone && batchHeaders.length !== 1) {
      throw new IntegrityError(`The event for records from ${batch.firstId} does not match what the contract stored.`);
    }
    for (const header of batchHeaders) {
      const index = Number(header.recordId - 1n);
      if (header.recordId !== batch.firstId && BigInt(stored.digests[index]!) !== 0n) {
        throw new IntegrityError(`Record ${header.recordId} starts a batch on-chain but not in the events.`);
      }
      const state = alone ? low : stored.states[index]!;
      if ((state & PRESENT) === 0 || (state & CATEGORY_BITS) !== header.category) {
        throw new IntegrityError(`The event for record ${header.recordId} does not match what the contract stored.`);
      }
      if (state & SUPERSEDED) markedSuperseded.add(header.recordId);
      headers.push(header);
    }
  }
  const corrected = supersededIds(headers);
  if (corrected.size !== markedSuperseded.size || [...corrected].some((id) => !markedSuperseded.has(id))) {
    throw new IntegrityError(
      "The corrections in the chain's events differ from the records the contract marks corrected.",
    );
  }
  return headers;
}

/**
 * Every record header of `patient`, rebuilt from `RecordsAdded` events and proven complete and
 * untampered against storage ({@link verifyRecordBatches}). The context's account must be the patient
 * or hold a live read scope (the list view checks).
 *
 * @param patient - Whose history to list.
 * @throws IntegrityError when an event is missing, duplicated or does not match storage.
 */
export function listRecordHeaders(context: ChainContext, patient: Address): Promise<RecordHeader[]> {
  return fromNodeIfIndexerLies(context, (source) => recordHeadersAt(source, patient));
}

async function recordHeadersAt(context: ChainContext, patient: Address): Promise<RecordHeader[]> {
  // Everything as of one block, so a record anchored meanwhile cannot make events and storage differ.
  const blockNumber = await context.publicClient.getBlockNumber({ cacheTime: 0 });
  const { recordCount } = await readMedLedger(context, 'patientInfo', [patient], { blockNumber });
  if (recordCount === 0n) return [];
  const [batches, stored] = await Promise.all([
    recordBatchEvents(context, patient, blockNumber),
    storedRecords(context, patient, recordCount, blockNumber),
  ]);
  return verifyRecordBatches(batches, recordCount, stored);
}

/**
 * Checks that `batches` tile `patient`'s record ids 1…recordCount (as of `blockNumber`) without gap or
 * overlap: what anyone can check, since the count is public; {@link verifyRecordBatches} also checks
 * every header against storage, which only the patient and grantees may read.
 *
 * @throws IntegrityError when a batch is missing, duplicated or beyond the count.
 */
export function checkRecordTiling(batches: readonly RecordBatch[], recordCount: bigint): void {
  tiledBatches(batches, recordCount);
}

/**
 * `batches` in id order with their headers, once they are proven to tile ids 1…recordCount without
 * gap, overlap or excess.
 * @throws IntegrityError naming the first record missing, repeated or beyond the count
 */
function tiledBatches(
  batches: readonly RecordBatch[],
  recordCount: bigint,
): { batch: RecordBatch; batchHeaders: RecordHeader[] }[] {
  const ordered = [...batches].sort((a, b) => (a.firstId < b.firstId ? -1 : a.firstId > b.firstId ? 1 : 0));
  let nextId = 1n;
  const tiled = ordered.map((batch) => {
    if (batch.firstId !== nextId) {
      throw new IntegrityError(
        batch.firstId < nextId
          ? `Record ${batch.firstId} appears twice in the chain's events.`
          : `Record ${nextId} is anchored on-chain but its event is missing.`,
      );
    }
    const batchHeaders = recordHeadersOf(batch);
    nextId += BigInt(batchHeaders.length);
    if (nextId > recordCount + 1n) throw new IntegrityError('The chain reported events for records that do not exist.');
    return { batch, batchHeaders };
  });
  if (nextId !== recordCount + 1n) {
    throw new IntegrityError(`Record ${nextId} is anchored on-chain but its event is missing.`);
  }
  return tiled;
}

/** The ids of records that a later record corrects; readers show only the newest version. */
export function supersededIds(headers: readonly Pick<RecordHeader, 'supersedes'>[]): Set<bigint> {
  return new Set(headers.filter((header) => header.supersedes !== 0n).map((header) => header.supersedes));
}
