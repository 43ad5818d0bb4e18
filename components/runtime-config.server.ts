import type { RuntimeConfig } from './runtime-config';

const DEFAULT_RPC_URL = 'http://127.0.0.1:8545';

/** The runtime settings from the server's environment (`MEDLEDGER_RPC_URL`, `MEDLEDGER_BURNER=1`). */
export function readRuntimeConfig(): RuntimeConfig {
  return {
    rpcUrl: process.env.MEDLEDGER_RPC_URL ?? DEFAULT_RPC_URL,
    burner: process.env.MEDLEDGER_BURNER === '1',
  };
}
