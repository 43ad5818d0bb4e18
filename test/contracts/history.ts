/**
 * What a client does with MedLedger's logs, written independently of `lib/` so contract tests check the
 * contract against the documented formats: pack and unpack record headers, rebuild a patient's records
 * from `RecordsAdded` events alone and prove them against `recordDigests`, and fold raw logs into
 * activity chains.
 */
import { expect } from 'chai';
import type { Interface, Signer } from 'ethers';

import { ethers } from './fixtures';
import type { MedLedger } from '../../typechain-types';

/** State-byte bits of a record (`Records.sol`): category in bits 0-4, then these. */
export const PRESENT = 0x20;
export const BATCH = 0x40;
export const SUPERSEDED = 0x80;

/** Bytes of a packed header before its CID. */
export const HEADER_FIXED = 42;

export interface RecordHeader {
  category: number;
  supersedes: bigint | number;
  ciphertextHash: string;
  cid: string;
}

/** One header as `addRecords` takes it: category, supersedes (big-endian), hash, CID length, CID. */
export function packHeader({ category, supersedes, ciphertextHash, cid }: RecordHeader): string {
  return ethers.solidityPacked(
    ['uint8', 'uint64', 'bytes32', 'uint8', 'bytes'],
    [category, supersedes, ciphertextHash, ethers.dataLength(cid), cid],
  );
}

export function packHeaders(headers: RecordHeader[]): string {
  return ethers.concat(headers.map(packHeader));
}

/** The headers of a well-formed packed batch (as a `RecordsAdded` event carries it). */
export function unpackHeaders(packed: string): RecordHeader[] {
  const bytes = ethers.getBytes(packed);
  const headers: RecordHeader[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const cidLength = bytes[offset + 41]!;
    headers.push({
      category: bytes[offset]!,
      supersedes: ethers.toBigInt(bytes.slice(offset + 1, offset + 9)),
      ciphertextHash: ethers.hexlify(bytes.slice(offset + 9, offset + 41)),
      cid: ethers.hexlify(bytes.slice(offset + HEADER_FIXED, offset + HEADER_FIXED + cidLength)),
    });
    offset += HEADER_FIXED + cidLength;
  }
  return headers;
}

/** A batch's digest before its low byte is replaced: what `sealBatch` returns. */
export function sealBatch(patient: string, firstId: bigint, author: string, createdAt: bigint, headers: string): string {
  const sealed = ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ['address', 'uint64', 'address', 'uint40', 'bytes32'],
      [patient, firstId, author, createdAt, ethers.keccak256(headers)],
    ),
  );
  return ethers.toBeHex((BigInt(sealed) >> 8n) << 8n, 32);
}

export interface VerifiedRecord extends RecordHeader {
  id: bigint;
  firstId: bigint;
  author: string;
  createdAt: bigint;
  /** Appended by `addRecords` (state packed in `states`) rather than alone. */
  batched: boolean;
  superseded: boolean;
}

/**
 * Rebuilds `patient`'s records from `RecordsAdded` events alone and proves them against
 * `recordDigests`, as `reader` (the patient or a provider with read scope) sees it: the batches tile ids
 * 1 to the record count; each batch's first id stores its seal; every other id a zero digest; each
 * record's state byte (the digest's low byte for a record appended alone, else its packed byte) holds
 * its category and the present bit, and the superseded bit exactly when a later header supersedes it.
 */
export async function verifiedHistory(medLedger: MedLedger, patient: string, reader: Signer): Promise<VerifiedRecord[]> {
  const events = await medLedger.queryFilter(medLedger.filters.RecordsAdded(patient));
  const count = (await medLedger.patientInfo(patient)).recordCount;
  const [digests, packedStates] = await medLedger.connect(reader).recordDigests(patient, 1n, count);
  const states = ethers.getBytes(packedStates);
  expect(digests).to.have.length(Number(count));
  const records: VerifiedRecord[] = [];
  for (const event of events) {
    const { firstId, author, createdAt, headers } = event.args;
    expect(firstId).to.equal(BigInt(records.length + 1), 'batches tile the record ids');
    const digest = BigInt(digests[records.length]!);
    const sealed = sealBatch(patient, firstId, author, createdAt, headers);
    expect(ethers.toBeHex((digest >> 8n) << 8n, 32)).to.equal(sealed, 'stored digest seals the logged batch');
    expect(await medLedger.sealBatch(patient, firstId, author, createdAt, headers)).to.equal(sealed);
    const batched = (digest & 0xffn) === BigInt(BATCH);
    const unpacked = unpackHeaders(headers);
    if (!batched) expect(unpacked).to.have.length(1, 'a record appended alone is its own batch');
    unpacked.forEach((header, i) => {
      const id = firstId + BigInt(i);
      if (i > 0) expect(digests[Number(id) - 1]).to.equal(ethers.ZeroHash, 'digest inside a batch');
      const packed = states[Number(id) - 1]!;
      if (!batched) expect(packed).to.equal(0, 'a record appended alone has no packed state');
      const state = batched ? packed : Number(digest & 0xffn);
      expect(state & 0x7f).to.equal(PRESENT | header.category, `state of record ${id}`);
      records.push({ ...header, id, firstId, author, createdAt, batched, superseded: (state & SUPERSEDED) !== 0 });
    });
  }
  expect(records).to.have.length(Number(count), 'logged batches cover every record');
  for (const record of records) {
    const correctors = records.filter((later) => BigInt(later.supersedes) === record.id);
    expect(correctors.length).to.be.at.most(1, `record ${record.id} superseded twice`);
    expect(record.superseded).to.equal(correctors.length === 1, `superseded bit of record ${record.id}`);
    for (const corrector of correctors) expect(corrector.category).to.equal(record.category);
  }
  return records;
}

/** The batch holding record `recordId`, as `correctRecord` takes it for a proof of authorship. */
export async function priorBatchOf(medLedger: MedLedger, patient: string, recordId: bigint) {
  const events = await medLedger.queryFilter(medLedger.filters.RecordsAdded(patient));
  const holder = events.filter((event) => event.args.firstId <= recordId).at(-1)!;
  return { firstId: holder.args.firstId, createdAt: holder.args.createdAt, headers: holder.args.headers };
}

/** A raw log: what a receipt (or an untrusted indexer) hands a client. */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
}

export interface ActivityChain {
  length: bigint;
  head: string;
}

const topicOf = (medLedger: MedLedger, name: string) => (medLedger.interface as Interface).getEvent(name)!.topicHash;

/** Which events extend which chains (`ActivityChains.sol`): by topic0 alone. */
export function chainRules(medLedger: MedLedger) {
  const twoParty = ['AccessGranted', 'AccessRevoked', 'AccessRequested', 'AccessRequestDenied'];
  const directory = [
    'ProviderRegistered',
    'ProviderSuspended',
    'ProviderReinstated',
    'ProviderKeyRotated',
    'ProviderProfileUpdated',
  ];
  return {
    patient: new Set([...twoParty, 'KeyringShared', 'AccessLogged'].map((name) => topicOf(medLedger, name))),
    provider: new Set(twoParty.map((name) => topicOf(medLedger, name))),
    directory: new Set(directory.map((name) => topicOf(medLedger, name))),
  };
}

/** A chained event's leaf: keccak256(abi.encode(topic0, topic1, topic2, keccak256(data))), absent topics zero. */
/** The head of every chain before its first event (`ActivityChains.GENESIS`). */
export const CHAIN_GENESIS = ethers.dataSlice(ethers.id('MedLedger.ActivityChain'), 0, 24);

export function chainLeaf(log: RawLog): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ['bytes32', 'bytes32', 'bytes32', 'bytes32'],
      [log.topics[0]!, log.topics[1] ?? ethers.ZeroHash, log.topics[2] ?? ethers.ZeroHash, ethers.keccak256(log.data)],
    ),
  );
}

/**
 * Folds `account`'s chain from `logs` (in chain order): the patient's where it is topic1 of a patient-
 * chained event, the provider's where it is topic2 of a two-party event, the directory's for the zero
 * address. `head = bytes24(keccak256(head ‖ leaf))`.
 */
export function foldChain(medLedger: MedLedger, logs: readonly RawLog[], account: string): ActivityChain {
  const rules = chainRules(medLedger);
  const ledger = ethers.getAddress(medLedger.target as string);
  const topic = ethers.zeroPadValue(account, 32).toLowerCase();
  let chain: ActivityChain = { length: 0n, head: CHAIN_GENESIS };
  for (const log of logs) {
    if (ethers.getAddress(log.address) !== ledger) continue;
    const topic0 = log.topics[0]!;
    const chained =
      account === ethers.ZeroAddress
        ? rules.directory.has(topic0)
        : (rules.patient.has(topic0) && log.topics[1]?.toLowerCase() === topic) ||
          (rules.provider.has(topic0) && log.topics[2]?.toLowerCase() === topic);
    if (!chained) continue;
    chain = {
      length: chain.length + 1n,
      head: ethers.dataSlice(ethers.keccak256(ethers.concat([chain.head, chainLeaf(log)])), 0, 24),
    };
  }
  return chain;
}
