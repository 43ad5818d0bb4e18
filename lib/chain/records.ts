import { type Address, type Hex, encodeAbiParameters, keccak256 } from 'viem';

import { IntegrityError } from '../errors';
import type { ChainContext } from './client';
import { contractEvents } from './events';
import { readMedLedger } from './medledger';

/** One record's on-chain header, as emitted in `RecordAdded` and sealed in storage. */
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
}

const PAGE_SIZE = 200n;
/** Pages of record digests asked for at once. */
const PAGES_IN_FLIGHT = 4;

/** Bit 7 of a stored digest: the contract sets it once a later record supersedes the record. */
const SUPERSEDED_BIT = 0x80n;

/**
 * The digest `Records.sealHeader` stores for a header: keccak-256 of the ABI-encoded header (CID
 * hashed), low byte replaced by the category.
 */
export function sealHeader(header: Omit<RecordHeader, 'blockNumber' | 'transactionHash'>): Hex {
  const digest = keccak256(
    encodeAbiParameters(
      [
        { type: 'address' },
        { type: 'uint64' },
        { type: 'address' },
        { type: 'uint8' },
        { type: 'uint64' },
        { type: 'uint40' },
        { type: 'bytes32' },
        { type: 'bytes32' },
      ],
      [
        header.patient,
        header.recordId,
        header.author,
        header.category,
        header.supersedes,
        header.createdAt,
        header.ciphertextHash,
        keccak256(header.cid),
      ],
    ),
  );
  const sealed = (BigInt(digest) & ~0xffn) | BigInt(header.category);
  return `0x${sealed.toString(16).padStart(64, '0')}`;
}

/** A `RecordAdded` event as a {@link RecordHeader}. */
function headerOf(log: {
  args: Omit<RecordHeader, 'blockNumber' | 'transactionHash'>;
  blockNumber: bigint;
  transactionHash: Hex;
}): RecordHeader {
  const { args } = log;
  return {
    patient: args.patient,
    recordId: args.recordId,
    author: args.author,
    category: args.category,
    supersedes: args.supersedes,
    createdAt: args.createdAt,
    ciphertextHash: args.ciphertextHash,
    cid: args.cid,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  };
}

/**
 * One record's header as its `RecordAdded` event tells it, unverified: for a writer that may not list
 * the patient's records (write scope only) but needs the header of a record it wrote, to correct it
 * (`correctRecord` checks the header against storage itself).
 *
 * @throws IntegrityError when the chain has no such event.
 */
export async function recordHeader(context: ChainContext, patient: Address, recordId: bigint): Promise<RecordHeader> {
  const logs = await contractEvents(context, { eventName: 'RecordAdded', args: { patient, recordId } });
  const log = logs[0];
  if (!log) throw new IntegrityError(`Record ${recordId} of ${patient} has no event on this chain.`);
  return headerOf(log);
}

/**
 * Every record header of `patient`, rebuilt from `RecordAdded` events and proven complete and
 * untampered: the ids run 1…recordCount without gaps, each header seals to the digest the contract
 * stores, and the records the contract marks superseded are exactly those a later header corrects. The
 * context's account must be the patient or hold a live read scope (the list view checks).
 *
 * @param patient - Whose history to list.
 * @throws IntegrityError when an event is missing, duplicated or does not match storage.
 */
export async function listRecordHeaders(context: ChainContext, patient: Address): Promise<RecordHeader[]> {
  const { recordCount } = await readMedLedger(context, 'patientInfo', [patient]);
  if (recordCount === 0n) return [];
  const logs = await contractEvents(context, { eventName: 'RecordAdded', args: { patient } });
  const byId = new Map<bigint, RecordHeader>();
  for (const log of logs) {
    const recordId = log.args.recordId;
    if (byId.has(recordId)) throw new IntegrityError(`Record ${recordId} appears twice in the chain's events.`);
    byId.set(recordId, headerOf(log));
  }
  const markedSuperseded = new Set<bigint>();
  const headers: RecordHeader[] = [];
  const pageStarts: bigint[] = [];
  for (let fromId = 1n; fromId <= recordCount; fromId += PAGE_SIZE) pageStarts.push(fromId);
  // A few pages per round trip rather than one (an RPC serves them concurrently), checked in order.
  const pages: (readonly Hex[])[] = [];
  for (let first = 0; first < pageStarts.length; first += PAGES_IN_FLIGHT) {
    const batch = pageStarts.slice(first, first + PAGES_IN_FLIGHT);
    pages.push(
      ...(await Promise.all(
        batch.map((fromId) => readMedLedger(context, 'recordDigests', [patient, fromId, PAGE_SIZE])),
      )),
    );
  }
  for (const [page, digests] of pages.entries()) {
    const fromId = pageStarts[page]!;
    digests.forEach((stored, offset) => {
      const recordId = fromId + BigInt(offset);
      const header = byId.get(recordId);
      if (!header) throw new IntegrityError(`Record ${recordId} is anchored on-chain but its event is missing.`);
      const digest = BigInt(stored);
      if (BigInt(sealHeader(header)) !== (digest & ~SUPERSEDED_BIT)) {
        throw new IntegrityError(`The event for record ${recordId} does not match what the contract stored.`);
      }
      if (digest & SUPERSEDED_BIT) markedSuperseded.add(recordId);
      headers.push(header);
    });
  }
  if (byId.size !== headers.length)
    throw new IntegrityError('The chain reported events for records that do not exist.');
  const corrected = supersededIds(headers);
  if (corrected.size !== markedSuperseded.size || [...corrected].some((id) => !markedSuperseded.has(id))) {
    throw new IntegrityError(
      "The corrections in the chain's events differ from the records the contract marks corrected.",
    );
  }
  return headers;
}

/** The ids of records that a later record corrects; readers show only the newest version. */
export function supersededIds(headers: readonly RecordHeader[]): Set<bigint> {
  return new Set(headers.filter((header) => header.supersedes !== 0n).map((header) => header.supersedes));
}
