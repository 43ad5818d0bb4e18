/**
 * The MedLedger indexer's Ponder configuration: one chain and the MedLedger contract, every event of
 * its ABI. Everything comes from the environment so that `npm start`, the tests and a production
 * deployment run the same project:
 *
 * - `MEDLEDGER_RPC_URL` (default http://127.0.0.1:8545) and `MEDLEDGER_CHAIN_ID` (default 31337);
 * - `MEDLEDGER_ADDRESS` and `MEDLEDGER_START_BLOCK` (default: the chain's entry in lib/chain/deployments.ts);
 * - `DATABASE_URL`: Postgres (production); without it, an embedded PGlite database in
 *   `MEDLEDGER_INDEXER_DATA_DIR` (default indexer/.ponder/pglite).
 */
import { createConfig } from 'ponder';

import { deployments, medLedgerAbi } from '../lib/chain/deployments';

const DEFAULT_RPC_URL = 'http://127.0.0.1:8545';
const DEVNET_CHAIN_ID = 31337;

function chainIdFrom(value: string | undefined): number {
  if (!value?.trim()) return DEVNET_CHAIN_ID;
  const chainId = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(chainId) || chainId < 1) {
    throw new Error(`MEDLEDGER_CHAIN_ID=${JSON.stringify(value)} is not a chain id (a positive decimal integer).`);
  }
  return chainId;
}

const chainId = chainIdFrom(process.env.MEDLEDGER_CHAIN_ID);
const deployed = (deployments as Record<string, { medLedger: `0x${string}`; startBlock: number } | undefined>)[
  String(chainId)
];

const address = (process.env.MEDLEDGER_ADDRESS?.trim() || deployed?.medLedger) as `0x${string}` | undefined;
if (!address || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
  throw new Error(
    `No MedLedger address for chain ${chainId}: set MEDLEDGER_ADDRESS or deploy it (lib/chain/deployments.ts has none).`,
  );
}

const startBlockText = process.env.MEDLEDGER_START_BLOCK?.trim();
if (startBlockText && !/^\d+$/.test(startBlockText)) {
  throw new Error(`MEDLEDGER_START_BLOCK=${JSON.stringify(startBlockText)} is not a block number.`);
}
const startBlock = startBlockText ? Number(startBlockText) : (deployed?.startBlock ?? 0);

const databaseUrl = process.env.DATABASE_URL?.trim();

export default createConfig({
  database: databaseUrl
    ? { kind: 'postgres', connectionString: databaseUrl }
    : { kind: 'pglite', directory: process.env.MEDLEDGER_INDEXER_DATA_DIR?.trim() || undefined },
  // One chain: the simplest ordering, and its checkpoint is the chain's own.
  ordering: 'omnichain',
  chains: {
    medledger: { id: chainId, rpc: process.env.MEDLEDGER_RPC_URL?.trim() || DEFAULT_RPC_URL },
  },
  contracts: {
    MedLedger: { chain: 'medledger', abi: medLedgerAbi, address, startBlock },
  },
});
