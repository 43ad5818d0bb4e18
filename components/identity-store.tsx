'use client';

import { type ReactNode, createContext, useCallback, useContext, useMemo, useState } from 'react';

import type { IdentityKey } from '../lib/crypto';

/**
 * Encryption identities derived in this tab, by account. Kept in memory only: a reload asks the
 * wallet to sign again rather than storing a private key in the browser.
 */
interface IdentityStore {
  identityOf(account: string | undefined): IdentityKey | undefined;
  remember(account: string, identity: IdentityKey): void;
}

const IdentityStoreContext = createContext<IdentityStore | undefined>(undefined);

export function IdentityStoreProvider({ children }: { children: ReactNode }) {
  const [identities, setIdentities] = useState<ReadonlyMap<string, IdentityKey>>(new Map());
  const identityOf = useCallback(
    (account: string | undefined) => (account ? identities.get(account.toLowerCase()) : undefined),
    [identities],
  );
  const remember = useCallback((account: string, identity: IdentityKey) => {
    setIdentities((current) => new Map(current).set(account.toLowerCase(), identity));
  }, []);
  const value = useMemo(() => ({ identityOf, remember }), [identityOf, remember]);
  return <IdentityStoreContext.Provider value={value}>{children}</IdentityStoreContext.Provider>;
}

export function useIdentityStore(): IdentityStore {
  const store = useContext(IdentityStoreContext);
  if (!store) throw new Error('useIdentityStore outside IdentityStoreProvider');
  return store;
}
