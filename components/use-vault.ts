'use client';

import { useMemo } from 'react';
import type { Account, Chain, PublicClient, Transport, WalletClient } from 'viem';
import { useConnection, usePublicClient, useWalletClient } from 'wagmi';

import { type ChainContext, deploymentFor } from '../lib/chain/client';
import type { BlobCache } from '../lib/ipfs/blob-cache';
import { createIpfsClient } from '../lib/ipfs/client';
import { browserBlobCache } from '../lib/ipfs/idb-cache';
import { type ReadLog, createReadLog } from '../lib/records/read-log';
import type { Vault } from '../lib/records/vault';
import { useIdentityStore } from './identity-store';
import { useMedLedgerChain, useRuntimeConfig } from './runtime-config';

type SigningClient = WalletClient<Transport, Chain | undefined, Account>;

/**
 * The lib/chain context of the connected wallet: wagmi's public client, its wallet client and the
 * deployment on the configured chain. Without a connected wallet on the right network it can only read.
 */
export function useChainContext(): { context?: ChainContext; wrongNetwork: boolean; connected: boolean } {
  const connection = useConnection();
  const { id: chainId } = useMedLedgerChain();
  const { indexer } = useRuntimeConfig();
  const publicClient = usePublicClient({ chainId });
  const { data: walletClient } = useWalletClient();
  const wrongNetwork = connection.isConnected && connection.chainId !== chainId;
  const address = connection.address;
  const context = useMemo<ChainContext | undefined>(() => {
    if (!publicClient) return undefined;
    const deployment = deploymentFor(chainId);
    // Lists through this app's indexer proxy when the server has one; verified against the chain either way.
    const reads = {
      publicClient: publicClient as PublicClient,
      deployment,
      ...(indexer ? { indexerUrl: `${window.location.origin}/api/indexer` } : {}),
    };
    if (!connection.isConnected || wrongNetwork || !address) return reads;
    // MetaMask and the burner alike: wagmi's wallet client over the connector's EIP-1193 provider.
    const signer =
      walletClient && walletClient.account.address.toLowerCase() === address.toLowerCase()
        ? (walletClient as unknown as SigningClient)
        : undefined;
    return { ...reads, walletClient: signer, account: address };
  }, [publicClient, walletClient, address, connection.isConnected, wrongNetwork, chainId, indexer]);
  return { context, wrongNetwork, connected: connection.isConnected };
}

let browserIpfs: ReturnType<typeof createIpfsClient> | undefined;

/** The browser's IPFS client: it talks to this app's size-limited proxy, never to the node's API. */
export function ipfsClient() {
  browserIpfs ??= createIpfsClient(`${window.location.origin}/api/ipfs`);
  return browserIpfs;
}

let tabSession: { cache?: BlobCache; readLog: ReadLog } | undefined;

/** The session storage of this tab, where the browser allows it. */
function sessionStorageOrNothing(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/**
 * What this tab keeps across screens: the blob cache (IndexedDB, shared by the browser's tabs) and the
 * provider's read log (this tab's session).
 */
function tabServices() {
  tabSession ??= { cache: browserBlobCache(), readLog: createReadLog({ storage: sessionStorageOrNothing() }) };
  return tabSession;
}

/**
 * The record vault of the connected account once its encryption key was unlocked: derived in this tab,
 * or kept on this device (see identity-store).
 */
export function useVault(): { vault?: Vault; context?: ChainContext; wrongNetwork: boolean; connected: boolean } {
  const { context, wrongNetwork, connected } = useChainContext();
  const { identityOf } = useIdentityStore();
  const identity = identityOf(context?.account);
  const vault = useMemo<Vault | undefined>(
    () =>
      context?.walletClient && identity
        ? { chain: context, ipfs: ipfsClient(), identity, ...tabServices() }
        : undefined,
    [context, identity],
  );
  return { vault, context, wrongNetwork, connected };
}
