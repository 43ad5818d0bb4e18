import { type Address, type Hex, encodeAbiParameters, keccak256 } from 'viem';

import { IntegrityError } from '../errors';
import type { ChainContext } from './client';
import { medLedgerAbi } from './deployments';
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

/**
 * Every record header of `patient`, rebuilt from `RecordAdded` events and proven complete and
 * untampered: the ids run 1…recordCount without gaps and each header seals to the digest the contract
 * stores. The context's account must be the patient or hold a live read scope (the list view checks).
 *
 * @param patient - Whose history to list.
 * @throws IntegrityError when an event is missing, duplicated or does not match storage.
 */
export async function listRecordHeaders(context: ChainContext, patient: Address): Promise<RecordHeader[]> {
  const { recordCount } = await readMedLedger(context, 'patientInfo', [patient]);
  if (recordCount === 0n) return [];
  const logs = await context.publicClient.getContractEvents({
    address: context.deployment.medLedger,
    abi: medLedgerAbi,
    eventName: 'RecordAdded',
    args: { patient },
    fromBlock: BigInt(context.deployment.startBlock),
    strict: true,
  });
  const byId = new Map<bigint, RecordHeader>();
  for (const log of logs) {
    const { args } = log;
    if (byId.has(args.recordId)) throw new IntegrityError(`Record ${args.recordId} appears twice in the chain's events.`);
    byId.set(args.recordId, {
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
    });
  }
  const headers: RecordHeader[] = [];
  for (let fromId = 1n; fromId <= recordCount; fromId += PAGE_SIZE) {
    const digests = await readMedLedger(context, 'recordDigests', [patient, fromId, PAGE_SIZE]);
    digests.forEach((stored, offset) => {
      const recordId = fromId + BigInt(offset);
      const header = byId.get(recordId);
      if (!header) throw new IntegrityError(`Record ${recordId} is anchored on-chain but its event is missing.`);
      if (sealHeader(header).toLowerCase() !== stored.toLowerCase()) {
        throw new IntegrityError(`The event for record ${recordId} does not match what the contract stored.`);
      }
      headers.push(header);
    });
  }
  if (byId.size !== headers.length) throw new IntegrityError('The chain reported events for records that do not exist.');
  return headers;
}

/** The ids of records that a later record corrects; readers show only the newest version. */
export function supersededIds(headers: readonly RecordHeader[]): Set<bigint> {
  return new Set(headers.filter((header) => header.supersedes !== 0n).map((header) => header.supersedes));
}
