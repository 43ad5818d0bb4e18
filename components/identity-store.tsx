'use client';

import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { Address, PublicClient } from 'viem';
import { useConnection, usePublicClient } from 'wagmi';

import { deploymentFor } from '../lib/chain/client';
import {
  type IdentityKey,
  type KeptIdentityStorage,
  type RawIdentityKey,
  forgetIdentity,
  keepIdentity,
  recallIdentity,
  supportsWebCryptoIdentity,
  wipe,
} from '../lib/crypto';
import { hasIndexedDb } from '../lib/idb';
import { isPublishedKey } from '../lib/records/identity';
import { indexedDbKeptIdentityStorage } from './kept-identity-idb';
import { useMedLedgerChain } from './runtime-config';

/** An identity unlocked in this tab; `keptUntil` when it is also kept on this device. */
interface Held {
  readonly identity: IdentityKey;
  readonly keptUntil?: number;
}

/** How long to keep an identity on this device, and the key version it was derived for. */
export interface KeepOnDevice {
  readonly forMs: number;
  readonly keyVersion: number;
}

/**
 * Encryption identities unlocked in this tab, by account. By default they live in memory only and a
 * reload asks the wallet to sign again. With "keep this device unlocked" an identity is also kept in
 * IndexedDB as non-extractable WebCrypto keys until the expiry the user chose, and a reload takes it
 * from there without signatures; the lock button (or the expiry) deletes it.
 */
interface IdentityStore {
  identityOf(account: string | undefined): IdentityKey | undefined;
  /** Until when (ms) the account's identity stays unlocked on this device, if it is kept. */
  keptUntil(account: string | undefined): number | undefined;
  /** True while this device is checked for a kept identity of the connected account. */
  readonly recalling: boolean;
  /** Whether this browser can keep an identity (WebCrypto X25519 and IndexedDB); undefined while probing. */
  readonly canKeep: boolean | undefined;
  /**
   * Unlocks `identity` for `account` in this tab and, with `keep`, on this device (its raw secret is
   * then wiped: the tab uses the kept keys from here on). Throws when keeping fails; the identity is
   * unlocked in the tab anyway.
   */
  remember(account: string, identity: RawIdentityKey, keep?: KeepOnDevice): Promise<void>;
  /** Forgets `account`'s identity in this tab and every tab, deletes what this device keeps, and drops decrypted data. */
  lock(account: string): Promise<void>;
}

const IdentityStoreContext = createContext<IdentityStore | undefined>(undefined);

/** Tells the other tabs of this browser that an account was locked. */
const LOCK_CHANNEL = 'medledger-identity-lock';

let keptStorage: KeptIdentityStorage | undefined;
function storage(): KeptIdentityStorage {
  return (keptStorage ??= indexedDbKeptIdentityStorage());
}

export function IdentityStoreProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const connection = useConnection();
  const { id: chainId } = useMedLedgerChain();
  const publicClient = usePublicClient({ chainId });
  const [held, setHeld] = useState<ReadonlyMap<string, Held>>(new Map());
  const [recalled, setRecalled] = useState<ReadonlySet<string>>(new Set());
  const [canKeep, setCanKeep] = useState<boolean>();

  useEffect(() => {
    let live = true;
    void (async () => {
      const supported = hasIndexedDb() && (await supportsWebCryptoIdentity());
      if (live) setCanKeep(supported);
    })();
    return () => {
      live = false;
    };
  }, []);

  const forgetInTab = useCallback(
    (account: string) => {
      setHeld((current) => {
        if (!current.has(account.toLowerCase())) return current;
        const next = new Map(current);
        next.delete(account.toLowerCase());
        return next;
      });
      // Decrypted records and profiles sit in the query cache: they go with the key. The screens that
      // showed them unmount with the key, after this render; their queries are inactive from then on,
      // while the wallet's own queries stay in use.
      setTimeout(() => queryClient.removeQueries({ type: 'inactive' }), 0);
    },
    [queryClient],
  );

  const lock = useCallback(
    async (account: string) => {
      forgetInTab(account);
      if (typeof BroadcastChannel !== 'undefined') {
        const channel = new BroadcastChannel(LOCK_CHANNEL);
        channel.postMessage({ account: account.toLowerCase(), chainId });
        channel.close();
      }
      if (hasIndexedDb()) await forgetIdentity(storage(), { account, chainId }).catch(() => undefined);
    },
    [forgetInTab, chainId],
  );

  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(LOCK_CHANNEL);
    channel.onmessage = (event: MessageEvent<{ account?: unknown; chainId?: unknown }>) => {
      if (typeof event.data.account === 'string' && event.data.chainId === chainId) forgetInTab(event.data.account);
    };
    return () => channel.close();
  }, [forgetInTab, chainId]);

  // A kept identity locks itself when its time is up, in an open tab too.
  useEffect(() => {
    const timers = [...held].flatMap(([account, { keptUntil }]) =>
      keptUntil === undefined ? [] : [setTimeout(() => void lock(account), Math.max(0, keptUntil - Date.now()))],
    );
    return () => timers.forEach(clearTimeout);
  }, [held, lock]);

  const account = connection.isConnected ? connection.address?.toLowerCase() : undefined;
  const recallId = account ? `${chainId}:${account}` : undefined;
  const needsRecall = Boolean(recallId && account && !held.has(account) && !recalled.has(recallId));
  useEffect(() => {
    if (!needsRecall || !recallId || !account) return;
    const done = () => setRecalled((current) => new Set(current).add(recallId));
    if (!hasIndexedDb() || !publicClient) {
      done();
      return;
    }
    let live = true;
    void (async () => {
      // Unreadable storage: nothing kept, the wallet derives the key as it always did.
      const kept = await recallIdentity(storage(), { account: account as Address, chainId }).catch(() => undefined);
      if (!live) return;
      if (kept)
        setHeld((current) => new Map(current).set(account, { identity: kept.identity, keptUntil: kept.expiresAt }));
      done();
      if (!kept) return;
      // Checked while the screens start with the key: one rotated on another device opens nothing here,
      // so it is locked as soon as the chain says so, and the wallet derives the published one.
      const chain = { publicClient: publicClient as PublicClient, deployment: deploymentFor(chainId) };
      const published = await isPublishedKey(chain, account as Address, kept.identity.publicKey).catch(() => true);
      if (!published) await lock(account);
    })();
    return () => {
      live = false;
    };
  }, [needsRecall, recallId, account, chainId, publicClient, lock]);

  const identityOf = useCallback(
    (address: string | undefined) => (address ? held.get(address.toLowerCase())?.identity : undefined),
    [held],
  );
  const keptUntil = useCallback(
    (address: string | undefined) => (address ? held.get(address.toLowerCase())?.keptUntil : undefined),
    [held],
  );
  const remember = useCallback(
    async (address: string, identity: RawIdentityKey, keep?: KeepOnDevice) => {
      const key = address.toLowerCase();
      if (!keep) {
        setHeld((current) => new Map(current).set(key, { identity }));
        return;
      }
      try {
        const kept = await keepIdentity(storage(), { identity, account: address as Address, chainId, ...keep });
        wipe(identity.secretKey);
        setHeld((current) => new Map(current).set(key, { identity: kept.identity, keptUntil: kept.expiresAt }));
      } catch (error) {
        setHeld((current) => new Map(current).set(key, { identity }));
        throw error;
      }
    },
    [chainId],
  );

  const value = useMemo(
    () => ({ identityOf, keptUntil, recalling: needsRecall, canKeep, remember, lock }),
    [identityOf, keptUntil, needsRecall, canKeep, remember, lock],
  );
  return <IdentityStoreContext.Provider value={value}>{children}</IdentityStoreContext.Provider>;
}

export function useIdentityStore(): IdentityStore {
  const store = useContext(IdentityStoreContext);
  if (!store) throw new Error('useIdentityStore outside IdentityStoreProvider');
  return store;
}
