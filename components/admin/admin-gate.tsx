'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';

import type { ChainContext } from '../../lib/chain/client';
import { LoadError, Skeleton } from '../gate';
import { useAccountStatus } from '../status';
import { useChainContext } from '../use-vault';

/**
 * Renders `children` once the connected wallet holds MedLedger's PROVIDER_ADMIN_ROLE; otherwise says
 * what is missing. Administrators need no encryption key: they never read records.
 */
export function AdminGate({ children }: { children: (context: ChainContext) => ReactNode }) {
  const { context, connected, wrongNetwork } = useChainContext();
  const status = useAccountStatus(context);
  if (!connected) {
    return (
      <section className="card">
        <h2>Connect your wallet</h2>
        <p>Use “Connect wallet” at the top of the page with the administrator’s wallet.</p>
      </section>
    );
  }
  if (wrongNetwork) {
    return (
      <section className="card">
        <h2>Wrong network</h2>
        <p>Switch your wallet to the MedLedger devnet with the button at the top of the page.</p>
      </section>
    );
  }
  if (!context?.walletClient || status.isPending)
    return <Skeleton lines={3} label="Checking your administrator role" />;
  if (status.error) {
    return <LoadError what="Could not read your role from the chain" error={status.error} onRetry={status.refetch} />;
  }
  if (!status.data.isAdmin) {
    return (
      <section className="card" aria-labelledby="not-admin">
        <h2 id="not-admin">This account is not an administrator</h2>
        <p>
          <span className="mono break">{context.account}</span> does not hold the provider-administrator role
          (PROVIDER_ADMIN_ROLE) on the MedLedger contract, so it cannot register, suspend or reinstate providers or
          approve AI models. The contract’s default administrator grants that role; connect with an administrator wallet
          instead.
        </p>
        <p>
          Looking for your own dashboard? <Link href="/onboarding">Get started</Link>.
        </p>
      </section>
    );
  }
  return <>{children(context)}</>;
}
