/**
 * Indexing: every event of the MedLedger ABI becomes one row of `log`, with the raw topics and data
 * the client hashes, and the indexed arguments it filters by.
 */
import { type EventNames, ponder } from 'ponder:registry';
import { log } from 'ponder:schema';

import { medLedgerAbi } from '../../lib/chain/deployments';

/** The indexed event arguments `/logs` filters by, each a column of `log`. */
const FILTER_ARGUMENTS = ['patient', 'provider', 'author', 'firstId', 'by'] as const;
type FilterArgument = (typeof FILTER_ARGUMENTS)[number];

for (const item of medLedgerAbi) {
  if (item.type !== 'event') continue;
  // Only indexed arguments: a filter on a column must mean the same as a filter on the log's topics.
  const filterArguments = FILTER_ARGUMENTS.filter((name) =>
    item.inputs.some((input) => input.indexed && input.name === name),
  );
  ponder.on(`MedLedger:${item.name}` as EventNames, async ({ event, context }) => {
    const { log: raw, block, transaction } = event;
    // Events without arguments decode to `[]`; the others to an object by argument name.
    const args = event.args as Readonly<Record<string, unknown>>;
    const filters: Partial<Record<FilterArgument, unknown>> = {};
    for (const name of filterArguments) {
      const value = args[name];
      filters[name] = typeof value === 'string' ? value.toLowerCase() : value;
    }
    await context.db.insert(log).values({
      id: `${block.number}-${raw.logIndex}`,
      eventName: item.name,
      address: raw.address,
      topic0: raw.topics[0] ?? null,
      topic1: raw.topics[1] ?? null,
      topic2: raw.topics[2] ?? null,
      topic3: raw.topics[3] ?? null,
      data: raw.data,
      blockNumber: block.number,
      logIndex: raw.logIndex,
      transactionHash: transaction.hash,
      blockHash: block.hash,
      blockTimestamp: block.timestamp,
      patient: (filters.patient as `0x${string}` | undefined) ?? null,
      provider: (filters.provider as `0x${string}` | undefined) ?? null,
      author: (filters.author as `0x${string}` | undefined) ?? null,
      firstId: (filters.firstId as bigint | undefined) ?? null,
      by: (filters.by as `0x${string}` | undefined) ?? null,
    });
  });
}
