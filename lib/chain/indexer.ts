/**
 * The client of a MedLedger indexer (`indexer/`, a Ponder app): event logs by name and indexed
 * arguments, exactly as the node holds them, up to the block the indexer has fully indexed. Nothing it
 * says is trusted: logs are decoded and re-filtered here, and the lists built from them are verified
 * against the chain by their callers (record digests, event hash chains).
 */
import { type Hex, type Log, parseEventLogs } from 'viem';

import { IntegrityError, ServiceUnavailableError } from '../errors';
import { medLedgerAbi } from './deployments';

/** A log as the indexer returns it (numbers as decimal strings). */
interface IndexedLog {
  readonly address: Hex;
  readonly topics: Hex[];
  readonly data: Hex;
  readonly blockNumber: string;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  readonly blockHash: Hex;
}

async function getJson<T>(url: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new ServiceUnavailableError(`The indexer at ${new URL(url).origin} does not answer.`, { cause: error });
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new ServiceUnavailableError(
      `The indexer answered ${response.status}${body.error ? `: ${body.error}` : ''} (${new URL(url).pathname}).`,
    );
  }
  return (await response.json()) as T;
}

/**
 * The highest block the indexer at `indexerUrl` has fully indexed (undefined before it has finished
 * one), and the chain it indexes.
 * @throws {@link ServiceUnavailableError} when it does not answer, or answers with an error
 */
export async function indexedBlock(indexerUrl: string): Promise<{ chainId: number; block: bigint | undefined }> {
  const status = await getJson<{ chainId: number; block: string | null }>(`${indexerUrl}/indexed`);
  return { chainId: Number(status.chainId), block: status.block === null ? undefined : BigInt(status.block) };
}

/** One query for the indexer: event names and indexed arguments (an array means any of them). */
export interface IndexerQuery {
  readonly eventNames: readonly string[];
  readonly args?: Record<string, unknown>;
  readonly fromBlock: bigint;
  readonly toBlock: bigint;
}

function sameValue(actual: unknown, expected: unknown): boolean {
  return typeof actual === 'string' && typeof expected === 'string'
    ? actual.toLowerCase() === expected.toLowerCase()
    : actual === expected;
}

/**
 * Every log of `query` the indexer holds, oldest first, decoded like `getContractEvents` with
 * `strict: true` would. A log of another contract or event, one outside the block range or one whose
 * arguments do not match the filter is the indexer misbehaving: an {@link IntegrityError}.
 */
export async function indexerEvents(indexerUrl: string, contract: Hex, query: IndexerQuery): Promise<Log[]> {
  const filters = Object.entries(query.args ?? {}).map(([name, value]) => [name, [value].flat()] as const);
  const params = new URLSearchParams({ toBlock: query.toBlock.toString() });
  for (const eventName of query.eventNames) params.append('event', eventName);
  for (const [name, values] of filters) for (const value of values) params.append(name, String(value));
  const raw: IndexedLog[] = [];
  for (let after: string | null = null; ;) {
    if (after) params.set('after', after);
    const page: { logs: IndexedLog[]; next: string | null } = await getJson(`${indexerUrl}/logs?${params}`);
    raw.push(...page.logs);
    after = page.next;
    if (!after) break;
  }
  const logs = raw
    .map((log): Log => ({
      ...log,
      topics: log.topics as Log['topics'],
      blockNumber: BigInt(log.blockNumber),
      transactionIndex: 0,
      removed: false,
    }))
    .filter((log) => log.blockNumber! >= query.fromBlock);
  const decoded = parseEventLogs({ abi: medLedgerAbi, logs, strict: true });
  if (decoded.length !== logs.length)
    throw new IntegrityError('The indexer returned logs that are not MedLedger events.');
  for (const log of decoded) {
    const args = log.args as Record<string, unknown>;
    const matches =
      log.address.toLowerCase() === contract.toLowerCase() &&
      query.eventNames.includes(log.eventName) &&
      log.blockNumber <= query.toBlock &&
      filters.every(([name, values]) => values.some((value) => sameValue(args[name], value)));
    if (!matches) throw new IntegrityError(`The indexer returned a ${log.eventName} log the query did not ask for.`);
  }
  for (let index = 1; index < decoded.length; index += 1) {
    const [previous, current] = [decoded[index - 1]!, decoded[index]!];
    if (
      previous.blockNumber > current.blockNumber ||
      (previous.blockNumber === current.blockNumber && previous.logIndex >= current.logIndex)
    ) {
      throw new IntegrityError('The indexer returned logs out of chain order or twice.');
    }
  }
  return decoded;
}
