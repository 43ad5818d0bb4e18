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
 * blocks from the node; otherwise the node is asked page by page as described above. Pages run one
 * after another, so a node that rate-limits sees one request at a time.
 *
 * @throws {@link ServiceUnavailableError} when even a one-block page is refused.
 */
export async function contractEvents<Name extends ContractEventName<typeof medLedgerAbi>>(
  context: ChainContext,
  query: EventQuery<Name>,
): Promise<GetContractEventsReturnType<typeof medLedgerAbi, Name, true>> {
  // Not viem's cached block number (kept for seconds): a record anchored a moment ago must be found.
  const head = query.toBlock ?? (await context.publicClient.getBlockNumber({ cacheTime: 0 }));
  const from = query.fromBlock ?? BigInt(context.deployment.startBlock);
  if (!context.indexerUrl) return nodeEvents(context, query, from, head);
  const indexed = await indexedBlock(context.indexerUrl);
  if (indexed.chainId !== context.deployment.chainId) {
    throw new ServiceUnavailableError(
      `The indexer at ${context.indexerUrl} indexes chain ${indexed.chainId}, not ${context.deployment.chainId}.`,
    );
  }
  const split = indexed.block < head ? indexed.block : head;
  const fromIndexer = await indexerEvents(context.indexerUrl, context.deployment.medLedger, {
    eventName: query.eventName,
    args: query.args,
    fromBlock: from,
    toBlock: split,
  });
  const fresh = split < head ? await nodeEvents(context, query, split + 1n > from ? split + 1n : from, head) : [];
  return [...(fromIndexer as GetContractEventsReturnType<typeof medLedgerAbi, Name, true>), ...fresh];
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
 * Several MedLedger events filtered by the same indexed arguments, oldest first: one paged query per
 * event with the arguments as topic filters, so the node does the filtering.
 */
export async function eventsInChainOrder(
  context: ChainContext,
  eventNames: readonly ContractEventName<typeof medLedgerAbi>[],
  args: Record<string, unknown>,
  toBlock?: bigint,
): Promise<EventLog[]> {
  const batches = await Promise.all(
    eventNames.map((eventName) =>
      contractEvents(context, { eventName, args, ...(toBlock === undefined ? {} : { toBlock }) }),
    ),
  );
  return (batches.flat() as EventLog[]).sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}
