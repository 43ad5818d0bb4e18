'use client';

import { type ReactNode, createContext, useContext } from 'react';

/** The chain the app's MedLedger deployment lives on, as wallets are asked to add or switch to it. */
export interface MedLedgerChain {
  readonly id: number;
  /** Shown in the app and offered to the wallet as the network's name. */
  readonly name: string;
}

/**
 * Settings the server reads from its environment when it starts (not baked into the build), so one
 * build serves `npm start`, the browser tests and a hospital's own chain.
 */
export interface RuntimeConfig {
  /** JSON-RPC endpoint of the chain, as the browser and the wallet reach it. */
  readonly rpcUrl: string;
  /** The chain the app talks to; its deployment comes from the generated deployments file. */
  readonly chain: MedLedgerChain;
  /** The dev-only burner wallet (published devnet keys; it answers for chain 31337 only). */
  readonly burner: boolean;
  /** Largest upload the server's `/api/ipfs` proxy takes, in bytes (`MEDLEDGER_MAX_UPLOAD_BYTES`). */
  readonly maxUploadBytes: number;
  /**
   * Whether the server has an indexer (`MEDLEDGER_INDEXER_URL`): the browser then reads its lists
   * through this app's `/api/indexer` and verifies them against the chain.
   */
  readonly indexer: boolean;
}

const RuntimeConfigContext = createContext<RuntimeConfig | undefined>(undefined);

export function RuntimeConfigProvider({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  return <RuntimeConfigContext.Provider value={config}>{children}</RuntimeConfigContext.Provider>;
}

export function useRuntimeConfig(): RuntimeConfig {
  const config = useContext(RuntimeConfigContext);
  if (!config) throw new Error('useRuntimeConfig outside RuntimeConfigProvider');
  return config;
}

/** The chain the app is configured for: where wallets must be to sign. */
export function useMedLedgerChain(): MedLedgerChain {
  return useRuntimeConfig().chain;
}
