'use client';

import { useMemo } from 'react';
import type { Account, Chain, PublicClient, Transport, WalletClient } from 'viem';
import { createWalletClient, http } from 'viem';
import { useConnection, usePublicClient, useWalletClient } from 'wagmi';

import { type ChainContext, deploymentFor } from '../lib/chain/client';
import { createIpfsClient } from '../lib/ipfs/client';
import type { Vault } from '../lib/records/vault';
import { BURNER_CONNECTOR_ID, burnerAccount } from './burner';
import { useIdentityStore } from './identity-store';
import { useRuntimeConfig } from './runtime-config';
import { DEVNET_CHAIN_ID, medLedgerDevnet } from './wagmi-config';

type SigningClient = WalletClient<Transport, Chain | undefined, Account>;

/**
 * The lib/chain context of the connected wallet: wagmi's public client, the wallet client (or, for the
 * dev burner, a local-key client) and the deployment of the devnet. Undefined until connected on the
 * right network.
 */
export function useChainContext(): { context?: ChainContext; wrongNetwork: boolean; connected: boolean } {
  const connection = useConnection();
  const { rpcUrl } = useRuntimeConfig();
  const publicClient = usePublicClient({ chainId: DEVNET_CHAIN_ID });
  const { data: walletClient } = useWalletClient();
  const isBurner = connection.connector?.id === BURNER_CONNECTOR_ID;
  const wrongNetwork = connection.isConnected && connection.chainId !== DEVNET_CHAIN_ID;
  const address = connection.address;
  const context = useMemo<ChainContext | undefined>(() => {
    if (!publicClient) return undefined;
    const deployment = deploymentFor(DEVNET_CHAIN_ID);
    if (!connection.isConnected || wrongNetwork || !address) return { publicClient: publicClient as PublicClient, deployment };
    let signer: SigningClient | undefined;
    if (isBurner) {
      const account = burnerAccount();
      if (account && account.address.toLowerCase() === address.toLowerCase()) {
        signer = createWalletClient({ account, chain: medLedgerDevnet(rpcUrl), transport: http(rpcUrl) });
      }
    } else if (walletClient && walletClient.account.address.toLowerCase() === address.toLowerCase()) {
      signer = walletClient as unknown as SigningClient;
    }
    return { publicClient: publicClient as PublicClient, walletClient: signer, account: address, deployment };
  }, [publicClient, walletClient, isBurner, address, connection.isConnected, wrongNetwork, rpcUrl]);
  return { context, wrongNetwork, connected: connection.isConnected };
}

let browserIpfs: ReturnType<typeof createIpfsClient> | undefined;

/** The browser's IPFS client: it talks to this app's size-limited proxy, never to the node's API. */
export function ipfsClient() {
  browserIpfs ??= createIpfsClient(`${window.location.origin}/api/ipfs`);
  return browserIpfs;
}

/** The record vault of the connected account once its encryption key was derived in this tab. */
export function useVault(): { vault?: Vault; context?: ChainContext; wrongNetwork: boolean; connected: boolean } {
  const { context, wrongNetwork, connected } = useChainContext();
  const { identityOf } = useIdentityStore();
  const identity = identityOf(context?.account);
  const vault = useMemo<Vault | undefined>(
    () => (context?.walletClient && identity ? { chain: context, ipfs: ipfsClient(), identity } : undefined),
    [context, identity],
  );
  return { vault, context, wrongNetwork, connected };
}
