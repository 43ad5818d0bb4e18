import { defineChain } from 'viem';
import { cookieStorage, createConfig, createStorage, http, injected } from 'wagmi';

import { burnerConnector } from './burner';
import type { RuntimeConfig } from './runtime-config';

export const DEVNET_CHAIN_ID = 31337;

/** The Hardhat devnet MedLedger is deployed on, as wallets see it (the RPC URL is a runtime setting). */
export function medLedgerDevnet(rpcUrl: string) {
  return defineChain({
    id: DEVNET_CHAIN_ID,
    name: 'MedLedger devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: true,
  });
}

/**
 * One wagmi config per browser session (created in the providers' `useState`) and per server render.
 * Wallets are discovered through EIP-6963; no WalletConnect cloud or other remote service.
 */
export function getConfig(runtime: RuntimeConfig) {
  const chain = medLedgerDevnet(runtime.rpcUrl);
  return createConfig({
    chains: [chain],
    connectors: [injected(), ...(runtime.burner ? [burnerConnector(runtime.rpcUrl)] : [])],
    multiInjectedProviderDiscovery: true,
    ssr: true,
    storage: createStorage({ storage: cookieStorage }),
    transports: { [chain.id]: http(runtime.rpcUrl) },
  });
}

declare module 'wagmi' {
  interface Register {
    config: ReturnType<typeof getConfig>;
  }
}
