/**
 * Event queries that public RPCs answer. Providers cap `eth_getLogs` at a block range (Infura 10,000
 * blocks, others far fewer) or at a number of results, so a query from the deployment block to the
 * head is sent in block-range pages, and a page the node refuses as too large is split in half until
 * it is answered. Every MedLedger and Claims event query goes through here; the indexer (`indexer/`)
 * indexes MedLedger only, so Claims events always come from the node.
 */
import type { Abi, ContractEventName, GetContractEventsReturnType } from 'viem';

import { ServiceUnavailableError } from '../errors';
import type { ChainContext } from './client';
import { claimsAbi, medLedgerAbi } from './deployments';
import { indexedBlock, indexerEvents } from './indexer';
import { contractAddress } from './medledger';

/** The contracts whose events are read here, each with the ABI its logs decode by. */
const EVENT_ABIS = { medLedger: medLedgerAbi, claims: claimsAbi } as const satisfies Record<string, Abi>;

type EventContract = keyof typeof EVENT_ABIS;

/** Blocks per `eth_getLogs` unless the context says otherwise: the widest range Infura answers. */
export const DEFAULT_LOG_BLOCK_RANGE = 10_000;

/** What nodes say when a log query spans too many blocks or returns too many logs. */
const RANGE_REFUSED =
  /block range|range (is )?too (large|wide|big)|exceed|too many (results|logs|blocks)|limit(ed)? to|query returned more than|response size|max(imum)? (block )?range/i;

/** Whether an RPC error means "ask for fewer blocks". */
export function isRangeRefusal(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const details = [(cause as { details?: unknown }).details, (cause as { message?: unknown }).message]
      .filter((text): text is string => typeof text === 'string')
      .join(' ');
    if (RANGE_REFUSED.test(details)) return true;
  }
  return false;
}

/** The block-range pages of one query: `[from, to]` inclusive, `range` blocks each. */
export function blockPages(from: bigint, to: bigint, range: bigint): [bigint, bigint][] {
  const pages: [bigint, bigint][] = [];
  for (let start = from; start <= to; start += range) {
    pages.push([start, start + range - 1n < to ? start + range - 1n : to]);
  }
  return pages;
}

export interface EventQuery<Name extends string> {
  readonly eventName: Name;
  /** Indexed arguments as topic filters (an array means any of them). */
  readonly args?: Record<string, unknown>;
  /** Default: the deployment block. */
  readonly fromBlock?: bigint;
  /** Default: the head. */
  readonly toBlock?: bigint;
}

/**
 * The MedLedger events named, oldest first, from the deployment block (or `fromBlock`) to the head (or
 * `toBlock`). With an indexer in the context, what it has indexed comes from it and only the newer
 * blocks from the node (all of them when the indexer is down or has indexed nothing yet); otherwise the
 * node is asked page by page as described above. Pages run one after another, so a node that
 * rate-limits sees one request at a time.
 *
 * @throws {@link ServiceUnavailableError} when even a one-block page is refused.
 */
export async function contractEvents<Name extends ContractEventName<typeof medLedgerAbi>>(
  context: ChainContext,
  query: EventQuery<Name>,
): Promise<GetContractEventsReturnType<typeof medLedgerAbi, Name, true>> {
  const logs = await eventsOf(
    context,
    'medLedger',
    [query.eventName],
    query.args ?? {},
    query.fromBlock,
    query.toBlock,
  );
  return logs as unknown as GetContractEventsReturnType<typeof medLedgerAbi, Name, true>;
}

/** Indexer URLs already reported unusable, so a screen's many queries warn once. */
const reportedIndexers = new Set<string>();

/**
 * Several events of one contract filtered by the same indexed arguments, oldest first: for MedLedger,
 * one indexer query for all of them (then the node for the blocks after what it has indexed); without
 * an indexer, and for Claims, one paged node query per event.
 */
async function eventsOf(
  context: ChainContext,
  contract: EventContract,
  eventNames: readonly string[],
  args: Record<string, unknown>,
  fromBlock: bigint | undefined,
  toBlock: bigint | undefined,
): Promise<EventLog[]> {
  // Not viem's cached block number (kept for seconds): a record anchored a moment ago must be found.
  const head = toBlock ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  // The Claims contract is deployed after MedLedger, so MedLedger's first block starts both scans.
  const from = fromBlock ?? BigInt(context.deployment.startBlock);
  const fromNode = async (start: bigint) =>
    inChainOrder(
      (
        await Promise.all(
          eventNames.map((eventName) => nodeEvents(context, contract, { eventName, args }, start, head)),
        )
      ).flat() as EventLog[],
    );
  const { indexerUrl } = context;
  if (!indexerUrl || contract !== 'medLedger') return fromNode(from);
  let indexed: EventLog[];
  let split: bigint;
  try {
    const status = await indexedBlock(indexerUrl);
    if (status.chainId !== context.deployment.chainId) {
      throw new ServiceUnavailableError(
        `The indexer at ${indexerUrl} indexes chain ${status.chainId}, not ${context.deployment.chainId}.`,
      );
    }
    // Nothing indexed in range yet: every block comes from the node.
    split = status.block === undefined || status.block < from ? from - 1n : status.block < head ? status.block : head;
    const query = { eventNames, args, fromBlock: from, toBlock: split };
    indexed =
      split < from
        ? []
        : ((await indexerEvents(indexerUrl, context.deployment.medLedger, query)) as unknown as EventLog[]);
  } catch (error) {
    // An indexer that is down costs time, never availability: the node holds every event too.
    if (!(error instanceof ServiceUnavailableError)) throw error;
    if (!reportedIndexers.has(indexerUrl)) {
      reportedIndexers.add(indexerUrl);
      console.warn(`MedLedger: ${error.message} Reading events from the node.`);
    }
    return fromNode(from);
  }
  return split < head ? [...indexed, ...(await fromNode(split + 1n))] : indexed;
}

function inChainOrder(logs: EventLog[]): EventLog[] {
  return logs.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}

/** The events of `contract` a query names, from the node alone, blocks `from` to `head`. */
async function nodeEvents(
  context: ChainContext,
  contract: EventContract,
  query: EventQuery<string>,
  from: bigint,
  head: bigint,
): Promise<unknown[]> {
  const address = contractAddress(context, contract);
  const logs: unknown[] = [];
  const pending = blockPages(from, head, BigInt(context.logBlockRange ?? DEFAULT_LOG_BLOCK_RANGE)).reverse();
  for (let page = pending.pop(); page; page = pending.pop()) {
    const [fromBlock, toBlock] = page;
    try {
      // The arguments are checked by the callers' types; viem's generic over one event name cannot be.
      const getEvents = context.publicClient.getContractEvents as (parameters: object) => Promise<unknown[]>;
      const found = await getEvents({
        address,
        abi: EVENT_ABIS[contract],
        eventName: query.eventName,
        ...(query.args ? { args: query.args } : {}),
        fromBlock,
        toBlock,
        strict: true,
      });
      logs.push(...found);
    } catch (error) {
      if (!isRangeRefusal(error)) throw error;
      if (fromBlock === toBlock) {
        throw new ServiceUnavailableError(
          `The Ethereum node refuses to return the ${query.eventName} events of even one block (${fromBlock}).`,
          { cause: error },
        );
      }
      const middle = (fromBlock + toBlock) / 2n;
      pending.push([middle + 1n, toBlock], [fromBlock, middle]);
    }
  }
  return logs;
}

/** An event log as {@link eventsInChainOrder} (MedLedger) and {@link claimsEventsInChainOrder} return it. */
export interface EventLog {
  readonly eventName: string;
  readonly args: unknown;
  readonly topics: readonly `0x${string}`[];
  readonly data: `0x${string}`;
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: `0x${string}`;
}

/**
 * Several MedLedger events filtered by the same indexed arguments, oldest first, up to `toBlock`
 * (default the head): one indexer query for all of them, or one paged node query per event with the
 * arguments as topic filters, so the node does the filtering.
 */
export function eventsInChainOrder(
  context: ChainContext,
  eventNames: readonly ContractEventName<typeof medLedgerAbi>[],
  args: Record<string, unknown>,
  toBlock?: bigint,
): Promise<EventLog[]> {
  return eventsOf(context, 'medLedger', eventNames, args, undefined, toBlock);
}

/**
 * Several events of the Claims contract filtered by the same indexed arguments (an array means any of
 * them), oldest first, up to `toBlock` (default the head): one paged node query per event, the
 * arguments as topic filters. The indexer does not index Claims, so these always come from the node.
 */
export function claimsEventsInChainOrder(
  context: ChainContext,
  eventNames: readonly ContractEventName<typeof claimsAbi>[],
  args: Record<string, unknown>,
  toBlock?: bigint,
): Promise<EventLog[]> {
  return eventsOf(context, 'claims', eventNames, args, undefined, toBlock);
}
