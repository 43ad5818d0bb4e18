/**
 * One table, `log`: every MedLedger event exactly as the chain emitted it (address, topics, data,
 * position), plus the indexed arguments the client filters by. The client trusts none of it: it
 * recomputes record digests and per-account event hash chains from the raw topics and data.
 */
import { index, onchainTable } from 'ponder';

export const log = onchainTable(
  'log',
  (t) => ({
    /** `${blockNumber}-${logIndex}`: unique on one chain, and the page cursor of `/logs`. */
    id: t.text().primaryKey(),
    eventName: t.text().notNull(),
    address: t.hex().notNull(),
    topic0: t.hex(),
    topic1: t.hex(),
    topic2: t.hex(),
    topic3: t.hex(),
    data: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    transactionHash: t.hex().notNull(),
    blockHash: t.hex().notNull(),
    blockTimestamp: t.bigint().notNull(),
    /** The event's indexed arguments of these names (lower-case addresses), null when it has none. */
    patient: t.hex(),
    provider: t.hex(),
    author: t.hex(),
    firstId: t.bigint(),
    by: t.hex(),
  }),
  (table) => ({
    patientIndex: index().on(table.eventName, table.patient),
    providerIndex: index().on(table.eventName, table.provider),
    authorIndex: index().on(table.eventName, table.author),
    positionIndex: index().on(table.blockNumber, table.logIndex),
  }),
);
