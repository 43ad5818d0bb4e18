import {
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { AccessDeniedError, NotFoundError, ServiceUnavailableError } from '../errors';
import { deployments } from './deployments';

export const DEVNET_CHAIN_ID = 31337;
export const DEFAULT_RPC_URL = 'http://127.0.0.1:8545';

/** The Hardhat devnet as a viem chain. */
export const devnet: Chain = defineChain({
  id: DEVNET_CHAIN_ID,
  name: 'MedLedger devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [DEFAULT_RPC_URL] } },
  testnet: true,
});

/** Where MedLedger is deployed on one chain. */
export interface Deployment {
  readonly chainId: number;
  readonly medLedger: Address;
  readonly modelRegistry: Address;
  /** The insurance claims module bound to this MedLedger (`contracts/Claims.sol`). */
  readonly claims: Address;
  /** Block of the MedLedger deployment: event scans start here. */
  readonly startBlock: number;
}

/** Everything a call to MedLedger needs: clients, the acting account and the deployment. */
export interface ChainContext {
  readonly publicClient: PublicClient;
  /** Present when the context can sign: a local key (CLI, tests) or a browser wallet. */
  readonly walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  readonly account?: Address;
  readonly deployment: Deployment;
  /**
   * Blocks per `eth_getLogs` request (default 10,000, what Infura answers); a node that refuses a page
   * gets it again in halves (lib/chain/events.ts).
   */
  readonly logBlockRange?: number;
  /**
   * Base URL of a MedLedger indexer (`indexer/`, Ponder). When set, event lists come from it up to the
   * block it has indexed and from the node after that; what it returns is verified against the chain
   * either way (lib/chain/records.ts, lib/chain/chains.ts).
   */
  readonly indexerUrl?: string;
}

/** The deployment recorded for `chainId` in the generated deployments file. */
export function deploymentFor(chainId: number): Deployment {
  const deployment = (deployments as Record<string, Deployment | undefined>)[String(chainId)];
  if (!deployment) {
    throw new NotFoundError(`MedLedger is not deployed on chain ${chainId}; run \`npm run deploy\` for that network.`);
  }
  return deployment;
}

/**
 * Well-known Hardhat devnet keys (public, derived from the published test mnemonic). They are refused
 * on any chain but the devnet so nobody signs real transactions with a key the world knows.
 */
const DEVNET_KEY_ADDRESSES = new Set([
  '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
  '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65',
  '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc',
  '0x976ea74026e726554db657fa54763abd0c3a0aa9',
  '0x14dc79964da2c08b23698b3d3cc7ca32193d9955',
  '0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f',
  '0xa0ee7a142d267c1f36714e4a8f75612f20a79720',
]);

/** Whether `address` belongs to one of the published Hardhat devnet keys. */
export function isWellKnownDevnetAccount(address: string): boolean {
  return DEVNET_KEY_ADDRESSES.has(address.toLowerCase());
}

export interface ConnectOptions {
  rpcUrl?: string;
  /** Acting key for Node use (CLI, scripts, tests); the browser passes a wallet client instead. */
  privateKey?: `0x${string}`;
  walletClient?: WalletClient<Transport, Chain | undefined, Account>;
  /** Overrides the generated deployments file (tests that deploy their own contracts). */
  deployment?: Deployment;
  /** Blocks per log query, see {@link ChainContext.logBlockRange}. */
  logBlockRange?: number;
  /** See {@link ChainContext.indexerUrl}. */
  indexerUrl?: string;
}

/**
 * Connects to the chain at `rpcUrl`, finds the MedLedger deployment for its chain id and, with a key
 * or a wallet, returns a context that can also send transactions.
 */
export async function connectChain(options: ConnectOptions = {}): Promise<ChainContext> {
  const rpcUrl = options.rpcUrl ?? DEFAULT_RPC_URL;
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (error) {
    throw new ServiceUnavailableError(`No Ethereum node answers at ${rpcUrl}; is the devnet running (npm start)?`, {
      cause: error,
    });
  }
  const chain = chainId === DEVNET_CHAIN_ID ? { ...devnet, rpcUrls: { default: { http: [rpcUrl] } } } : undefined;
  // Batched: the calls a screen makes at once (block times, grant standings) share one HTTP request.
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl, { batch: true }) }) as PublicClient;
  const deployment = options.deployment ?? deploymentFor(chainId);
  let walletClient = options.walletClient;
  if (!walletClient && options.privateKey) {
    const account = privateKeyToAccount(options.privateKey);
    if (chainId !== DEVNET_CHAIN_ID && isWellKnownDevnetAccount(account.address)) {
      throw new AccessDeniedError(
        `Refusing to use the public Hardhat test key of ${account.address} on chain ${chainId}: anyone can spend from it.`,
      );
    }
    walletClient = createWalletClient({ account, chain, transport: http(rpcUrl) });
  }
  return {
    publicClient,
    walletClient,
    account: walletClient?.account.address,
    deployment,
    ...(options.logBlockRange ? { logBlockRange: options.logBlockRange } : {}),
    ...(options.indexerUrl ? { indexerUrl: options.indexerUrl.replace(/\/$/, '') } : {}),
  };
}

/** The same context acting as another account (tests and the demo seeding switch identities). */
export function withWallet(
  context: ChainContext,
  walletClient: WalletClient<Transport, Chain | undefined, Account>,
): ChainContext {
  return { ...context, walletClient, account: walletClient.account.address };
}
