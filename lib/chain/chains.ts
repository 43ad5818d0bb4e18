/**
 * Event lists proven complete and untampered by the contract's event hash chains
 * (`contracts/modules/ActivityChains.sol`): a patient's consent and audit events, a provider's consent
 * events and the provider directory's events. The events come from an indexer or a node, neither
 * trusted; this folds them into a chain and compares length and head with what the contract holds at
 * the same block, so one omitted, added, altered or reordered event is caught.
 */
import {
  type Address,
  type ContractEventName,
  type Hex,
  concatHex,
  keccak256,
  pad,
  sliceHex,
  toHex,
  zeroAddress,
} from 'viem';

import { IntegrityError } from '../errors';
import type { ChainContext } from './client';
import type { medLedgerAbi } from './deployments';
import { type EventLog, eventsInChainOrder } from './events';
import { readMedLedger } from './medledger';

type EventName = ContractEventName<typeof medLedgerAbi>;

/** Which events each kind of chain holds, as the contract extends them. */
export const CHAINED_EVENTS = {
  patient: [
    'AccessGranted',
    'AccessRevoked',
    'AccessRequested',
    'AccessRequestDenied',
    'KeyringShared',
    'AccessLogged',
  ],
  provider: ['AccessGranted', 'AccessRevoked', 'AccessRequested', 'AccessRequestDenied'],
  directory: [
    'ProviderRegistered',
    'ProviderSuspended',
    'ProviderReinstated',
    'ProviderKeyRotated',
    'ProviderProfileUpdated',
  ],
} as const satisfies Record<string, readonly EventName[]>;

export type ChainKind = keyof typeof CHAINED_EVENTS;

const ZERO_WORD = pad('0x', { size: 32 });

/** A chained event's leaf: keccak256(abi.encode(topic0, topic1, topic2, keccak256(data))). */
export function eventLeaf(log: Pick<EventLog, 'topics' | 'data'>): Hex {
  const [topic0, topic1 = ZERO_WORD, topic2 = ZERO_WORD] = log.topics;
  if (!topic0) throw new IntegrityError('An event without a signature topic cannot be chained.');
  return keccak256(concatHex([topic0, topic1, topic2, keccak256(log.data)]));
}

/** The head of every chain before its first event (`ActivityChains.GENESIS`). */
export const CHAIN_GENESIS: Hex = sliceHex(keccak256(toHex('MedLedger.ActivityChain')), 0, 24);

/** Folds logs into a chain: `head = bytes24(keccak256(head ‖ leaf))`, from {@link CHAIN_GENESIS}. */
export function foldChain(logs: readonly Pick<EventLog, 'topics' | 'data'>[]): { length: bigint; head: Hex } {
  let head: Hex = CHAIN_GENESIS;
  for (const log of logs) head = sliceHex(keccak256(concatHex([head, eventLeaf(log)])), 0, 24);
  return { length: BigInt(logs.length), head };
}

/**
 * The events of `account`'s chain of `kind` up to block `toBlock` (default the head), oldest first,
 * proven against the contract's chain at that block.
 *
 * @param account - The patient or provider; ignored for the directory.
 * @throws IntegrityError when the events do not fold into the chain the contract holds.
 */
export async function verifiedChainEvents(
  context: ChainContext,
  kind: ChainKind,
  account: Address,
  toBlock?: bigint,
): Promise<EventLog[]> {
  return fromNodeIfIndexerLies(context, (source) => chainEvents(source, kind, account, toBlock));
}

/**
 * Runs a verified read; if it fails verification with the indexer as the source, runs it again with
 * the node alone, so a lying or broken indexer costs time, never correctness or availability.
 */
export async function fromNodeIfIndexerLies<T>(
  context: ChainContext,
  read: (source: ChainContext) => Promise<T>,
): Promise<T> {
  try {
    return await read(context);
  } catch (error) {
    if (!context.indexerUrl || !(error instanceof IntegrityError)) throw error;
    console.warn(`MedLedger: the indexer's answer failed verification (${error.message}); reading from the node.`);
    return read({ ...context, indexerUrl: undefined });
  }
}

async function chainEvents(
  context: ChainContext,
  kind: ChainKind,
  account: Address,
  toBlock?: bigint,
): Promise<EventLog[]> {
  const blockNumber = toBlock ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const args = kind === 'patient' ? { patient: account } : kind === 'provider' ? { provider: account } : {};
  const chainOwner = kind === 'directory' ? zeroAddress : account;
  const [logs, [length, head]] = await Promise.all([
    eventsInChainOrder(context, CHAINED_EVENTS[kind], args, blockNumber),
    readMedLedger(context, 'activityChain', [chainOwner], { blockNumber }),
  ]);
  const folded = foldChain(logs);
  if (folded.length !== length || folded.head.toLowerCase() !== head.toLowerCase()) {
    const subject = kind === 'directory' ? 'the provider directory' : `${kind} ${account}`;
    throw new IntegrityError(
      folded.length === length
        ? `The events of ${subject} differ from what the contract chained (same count, ${length}).`
        : `The events of ${subject} are incomplete or padded: ${folded.length} found, the contract chained ${length}.`,
    );
  }
  return logs;
}
