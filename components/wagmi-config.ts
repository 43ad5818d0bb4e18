import { defineChain } from 'viem';
import { cookieStorage, createConfig, createStorage, http, injected } from 'wagmi';

import { DEVNET_CHAIN_ID } from '../lib/chain/client';
import { burnerConnector } from './burner';
import type { RuntimeConfig } from './runtime-config';

/**
 * The chain MedLedger is deployed on, as wallets see it: id, name and RPC URL are runtime settings, so
 * one build serves the devnet and a hospital's own chain.
 */
export function medLedgerChain(runtime: RuntimeConfig) {
  return defineChain({
    id: runtime.chain.id,
    name: runtime.chain.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [runtime.rpcUrl] } },
    testnet: runtime.chain.id === DEVNET_CHAIN_ID,
  });
}

/**
 * One wagmi config per browser session (created in the providers' `useState`) and per server render.
 * Wallets are discovered through EIP-6963; no WalletConnect cloud or other remote service.
 */
export function getConfig(runtime: RuntimeConfig) {
  const chain = medLedgerChain(runtime);
  return createConfig({
    chains: [chain],
    connectors: [injected(), ...(runtime.burner ? [burnerConnector(runtime.rpcUrl)] : [])],
    multiInjectedProviderDiscovery: true,
    ssr: true,
    storage: createStorage({ storage: cookieStorage }),
    // Batched: the reads a screen makes at once (block times, grant standings) share one HTTP request.
    transports: { [chain.id]: http(runtime.rpcUrl, { batch: true }) },
  });
}

declare module 'wagmi' {
  interface Register {
    config: ReturnType<typeof getConfig>;
  }
}
