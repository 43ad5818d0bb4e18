/**
 * The `/logs` and `/indexed` contract in pure functions: parsing and checking a query string, the
 * page cursor, and reading how far Ponder's checkpoint guarantees the tables are complete.
 */

export type Hex = `0x${string}`;

/** The address-valued filters of `/logs`, each a column of `log`. */
export const ADDRESS_FILTERS = ['patient', 'provider', 'author', 'by'] as const;
export type AddressFilter = (typeof ADDRESS_FILTERS)[number];

/** The most logs one page holds, and the page size when the query names none. */
export const MAX_PAGE_SIZE = 10_000;

/** A log's position on the chain: what pages are ordered by and a cursor points at. */
export interface LogPosition {
  readonly blockNumber: bigint;
  readonly logIndex: number;
}

/** A checked `/logs` query. An empty list means "no filter"; several values mean "any of". */
export interface LogQuery {
  readonly events: readonly string[];
  readonly addresses: Readonly<Record<AddressFilter, readonly Hex[]>>;
  readonly firstIds: readonly bigint[];
  /** Only logs in this block or before. */
  readonly toBlock: bigint | undefined;
  /** Only logs after this one. */
  readonly after: LogPosition | undefined;
  readonly limit: number;
}

/** A query `/logs` cannot answer; the message lists every problem, one sentence each. */
export class LogQueryError extends Error {
  override readonly name = 'LogQueryError';
}

const KNOWN_PARAMETERS = new Set(['event', ...ADDRESS_FILTERS, 'firstId', 'toBlock', 'after', 'limit']);
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const DECIMAL = /^\d{1,78}$/;
const UINT64_MAX = 2n ** 64n - 1n;
const CURSOR = /^(\d{1,78})-(\d{1,9})$/;

/**
 * The cursor that continues a page after a log: `${blockNumber}-${logIndex}`.
 *
 * @param position - the last log of the page
 */
export function cursorOf(position: LogPosition): string {
  return `${position.blockNumber}-${position.logIndex}`;
}

/**
 * Checks a `/logs` query string, collecting every problem before failing once.
 *
 * @param params - the query string
 * @param eventNames - the events of the MedLedger ABI
 * @throws {@link LogQueryError} naming each bad or unknown parameter
 */
export function parseLogQuery(params: URLSearchParams, eventNames: ReadonlySet<string>): LogQuery {
  const issues: string[] = [];
  for (const name of new Set(params.keys())) {
    if (!KNOWN_PARAMETERS.has(name)) issues.push(`Unknown parameter "${name}".`);
  }

  const events = params.getAll('event');
  for (const event of events) {
    if (!eventNames.has(event)) issues.push(`event=${JSON.stringify(event)} is not an event of MedLedger.`);
  }

  const addresses = {} as Record<AddressFilter, Hex[]>;
  for (const filter of ADDRESS_FILTERS) {
    addresses[filter] = [];
    for (const value of params.getAll(filter)) {
      if (ADDRESS.test(value)) addresses[filter].push(value.toLowerCase() as Hex);
      else issues.push(`${filter}=${JSON.stringify(value)} is not an address (0x and 40 hex digits).`);
    }
  }

  const firstIds: bigint[] = [];
  for (const value of params.getAll('firstId')) {
    if (DECIMAL.test(value) && BigInt(value) <= UINT64_MAX) firstIds.push(BigInt(value));
    else issues.push(`firstId=${JSON.stringify(value)} is not a record id (a decimal uint64).`);
  }

  const single = (name: string): string | undefined => {
    const values = params.getAll(name);
    if (values.length > 1) issues.push(`${name} may be given once, got ${values.length} values.`);
    return values[0];
  };

  let toBlock: bigint | undefined;
  const toBlockText = single('toBlock');
  if (toBlockText !== undefined) {
    if (DECIMAL.test(toBlockText)) toBlock = BigInt(toBlockText);
    else issues.push(`toBlock=${JSON.stringify(toBlockText)} is not a block number (a decimal integer).`);
  }

  let after: LogPosition | undefined;
  const afterText = single('after');
  if (afterText !== undefined) {
    const match = CURSOR.exec(afterText);
    if (match) after = { blockNumber: BigInt(match[1]!), logIndex: Number(match[2]) };
    else issues.push(`after=${JSON.stringify(afterText)} is not a cursor (the "next" of an earlier page).`);
  }

  let limit = MAX_PAGE_SIZE;
  const limitText = single('limit');
  if (limitText !== undefined) {
    limit = /^\d{1,6}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
      issues.push(`limit=${JSON.stringify(limitText)} must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
  }

  if (issues.length > 0) throw new LogQueryError(issues.join(' '));
  return { events, addresses, firstIds, toBlock, after, limit };
}

/** Ponder's checkpoint: timestamp (10 digits), chain id, block number, transaction index (16 each), event type (1), event index (16). */
const CHECKPOINT_LENGTH = 75;
const BLOCK_NUMBER_AT = 26;
const WITHIN_BLOCK_AT = 42;
/** Ponder rounds a block up to this position within it once every event of the block is indexed. */
const END_OF_BLOCK = '9'.repeat(CHECKPOINT_LENGTH - WITHIN_BLOCK_AT);

/**
 * The highest block whose events are all in the tables, from Ponder's latest checkpoint of the chain.
 * A checkpoint at the end of a block (how Ponder records a finished block or block range) covers that
 * block; one at an event inside a block covers only the blocks before it.
 *
 * @param checkpoint - `latest_checkpoint` of `_ponder_checkpoint`
 * @returns the block number, or `undefined` when not even the first block is complete
 */
export function indexedBlockOf(checkpoint: string): bigint | undefined {
  if (checkpoint.length !== CHECKPOINT_LENGTH || !/^\d+$/.test(checkpoint)) {
    throw new Error(`Unexpected Ponder checkpoint ${JSON.stringify(checkpoint)}.`);
  }
  const blockNumber = BigInt(checkpoint.slice(BLOCK_NUMBER_AT, WITHIN_BLOCK_AT));
  if (checkpoint.slice(WITHIN_BLOCK_AT) === END_OF_BLOCK) return blockNumber;
  return blockNumber > 0n ? blockNumber - 1n : undefined;
}
