/**
 * Event queries that public RPCs answer. Providers cap `eth_getLogs` at a block range (Infura 10,000
 * blocks, others far fewer) or at a number of results, so a query from the deployment block to the
 * head is sent in block-range pages, and a page the node refuses as too large is split in half until
 * it is answered. Every MedLedger event query goes through here.
 */
import type { ContractEventName, GetContractEventsReturnType } from 'viem';

import { ServiceUnavailableError } from '../errors';
import type { ChainContext } from './client';
import { medLedgerAbi } from './deployments';
import { indexedBlock, indexerEvents } from './indexer';

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

export interface EventQuery<Name extends ContractEventName<typeof medLedgerAbi>> {
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
  const logs = await eventsOf(context, [query.eventName], query.args ?? {}, query.fromBlock, query.toBlock);
  return logs as unknown as GetContractEventsReturnType<typeof medLedgerAbi, Name, true>;
}

/** Indexer URLs already reported unusable, so a screen's many queries warn once. */
const reportedIndexers = new Set<string>();

/**
 * Several events filtered by the same indexed arguments, oldest first: one indexer query for all of
 * them (then the node for the blocks after what it has indexed), or one paged node query per event.
 */
async function eventsOf(
  context: ChainContext,
  eventNames: readonly ContractEventName<typeof medLedgerAbi>[],
  args: Record<string, unknown>,
  fromBlock: bigint | undefined,
  toBlock: bigint | undefined,
): Promise<EventLog[]> {
  // Not viem's cached block number (kept for seconds): a record anchored a moment ago must be found.
  const head = toBlock ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const from = fromBlock ?? BigInt(context.deployment.startBlock);
  const fromNode = async (start: bigint) =>
    inChainOrder(
      (
        await Promise.all(eventNames.map((eventName) => nodeEvents(context, { eventName, args }, start, head)))
      ).flat() as EventLog[],
    );
  const { indexerUrl } = context;
  if (!indexerUrl) return fromNode(from);
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

/** {@link contractEvents} from the node alone, blocks `from` to `head`. */
async function nodeEvents<Name extends ContractEventName<typeof medLedgerAbi>>(
  context: ChainContext,
  query: EventQuery<Name>,
  from: bigint,
  head: bigint,
): Promise<GetContractEventsReturnType<typeof medLedgerAbi, Name, true>> {
  const logs: GetContractEventsReturnType<typeof medLedgerAbi, Name, true> = [];
  const pending = blockPages(from, head, BigInt(context.logBlockRange ?? DEFAULT_LOG_BLOCK_RANGE)).reverse();
  for (let page = pending.pop(); page; page = pending.pop()) {
    const [fromBlock, toBlock] = page;
    try {
      // The arguments are checked by the callers' types; viem's generic over one event name cannot be.
      const getEvents = context.publicClient.getContractEvents as (parameters: object) => Promise<unknown[]>;
      const found = await getEvents({
        address: context.deployment.medLedger,
        abi: medLedgerAbi,
        eventName: query.eventName,
        ...(query.args ? { args: query.args } : {}),
        fromBlock,
        toBlock,
        strict: true,
      });
      logs.push(...(found as typeof logs));
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

/** A MedLedger event log as {@link eventsInChainOrder} returns it. */
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
  return eventsOf(context, eventNames, args, undefined, toBlock);
}
