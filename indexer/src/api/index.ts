/**
 * The indexer's HTTP API, next to Ponder's own /health, /ready and /status:
 *
 * - `GET /logs?event=…&patient=…&provider=…&author=…&firstId=…&by=…&toBlock=…&after=…&limit=…`:
 *   MedLedger's logs as `eth_getLogs` returns them, ordered by (blockNumber, logIndex), a page at a time;
 * - `GET /indexed`: the chain id and the highest block whose logs are all in the tables.
 *
 * The answers are untrusted: the client checks them against the chain (record digests and event hash
 * chains), so this service needs no keys and holds nothing secret.
 */
import { Hono } from 'hono';
import { and, asc, eq, gt, inArray, lte, or, sql } from 'ponder';
import { db } from 'ponder:api';
import { log } from 'ponder:schema';

import { medLedgerAbi } from '../../../lib/chain/deployments';
import { ADDRESS_FILTERS, LogQueryError, cursorOf, indexedBlockOf, parseLogQuery } from './query';

const EVENT_NAMES: ReadonlySet<string> = new Set(
  medLedgerAbi.flatMap((item) => (item.type === 'event' ? [item.name] : [])),
);

const app = new Hono();

app.get('/logs', async (c) => {
  let query;
  try {
    query = parseLogQuery(new URL(c.req.url).searchParams, EVENT_NAMES);
  } catch (error) {
    if (error instanceof LogQueryError) return c.json({ error: error.message }, 400);
    throw error;
  }
  const conditions = [];
  if (query.events.length > 0) conditions.push(inArray(log.eventName, [...query.events]));
  for (const filter of ADDRESS_FILTERS) {
    if (query.addresses[filter].length > 0) conditions.push(inArray(log[filter], [...query.addresses[filter]]));
  }
  if (query.firstIds.length > 0) conditions.push(inArray(log.firstId, [...query.firstIds]));
  if (query.toBlock !== undefined) conditions.push(lte(log.blockNumber, query.toBlock));
  if (query.after) {
    const { blockNumber, logIndex } = query.after;
    conditions.push(
      or(gt(log.blockNumber, blockNumber), and(eq(log.blockNumber, blockNumber), gt(log.logIndex, logIndex))),
    );
  }
  // One more than the page: whether it exists decides if there is a next page.
  const rows = await db
    .select()
    .from(log)
    .where(and(...conditions))
    .orderBy(asc(log.blockNumber), asc(log.logIndex))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return c.json({
    logs: page.map((row) => ({
      address: row.address,
      topics: [row.topic0, row.topic1, row.topic2, row.topic3].filter((topic) => topic !== null),
      data: row.data,
      blockNumber: row.blockNumber.toString(),
      logIndex: row.logIndex,
      transactionHash: row.transactionHash,
      blockHash: row.blockHash,
    })),
    next: rows.length > query.limit && last ? cursorOf(last) : null,
  });
});

app.get('/indexed', async (c) => {
  const result = await db.execute<{ chain_id: string | number; latest_checkpoint: string }>(
    sql`SELECT chain_id, latest_checkpoint FROM _ponder_checkpoint`,
  );
  const [row] = result.rows;
  if (!row) return c.json({ error: 'The indexer has not started indexing the chain yet.' }, 503);
  const block = indexedBlockOf(row.latest_checkpoint);
  return c.json({ chainId: Number(row.chain_id), block: block === undefined ? null : block.toString() });
});

export default app;
