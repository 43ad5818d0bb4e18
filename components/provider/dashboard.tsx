'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';

import type { Vault } from '../../lib/records/vault';
import { describeError } from '../../lib/errors';
import { LoadError, Skeleton, VaultGate } from '../gate';
import { useAccountStatus } from '../status';
import { useChainContext } from '../use-vault';
import { PatientGrants, SentRequests } from './patient-grants';
import { ProviderPending, ProviderStanding } from './provider-status';
import { ConsentLinkForm, RequestAccessForm } from './request-access';
import { useProviderData } from './use-provider-data';

/**
 * {@link VaultGate} for providers: accounts that are not registered providers are told so (with the
 * address to send the administrator) before any signature is asked for.
 */
export function ProviderGate({ children }: { children: (vault: Vault) => ReactNode }) {
  const { context, connected, wrongNetwork } = useChainContext();
  const status = useAccountStatus(context);
  if (connected && !wrongNetwork && context?.account) {
    if (status.isPending) return <Skeleton lines={2} label="Checking your provider registration" />;
    if (status.error) {
      return (
        <LoadError
          what="Could not read your registration from the chain"
          error={status.error}
          onRetry={status.refetch}
        />
      );
    }
    if (!status.data.provider) {
      return (
        <section className="card" aria-labelledby="not-provider">
          <h2 id="not-provider">This account is not a registered provider</h2>
          <ProviderPending address={context.account} />
          <p>
            Are you a patient? <Link href="/patient">Open the patient dashboard</Link> or{' '}
            <Link href="/onboarding">get started</Link>.
          </p>
        </section>
      );
    }
  }
  return <VaultGate role="provider">{children}</VaultGate>;
}

/** The provider's home: its standing, its patients, requesting access, and the requests it sent. */
export function ProviderDashboard() {
  return <ProviderGate>{(vault) => <Dashboard vault={vault} />}</ProviderGate>;
}

function Dashboard({ vault }: { vault: Vault }) {
  const status = useAccountStatus(vault.chain);
  const data = useProviderData(vault.chain);
  const provider = status.data?.provider;
  return (
    <>
      <section className="card" aria-labelledby="provider-account">
        <h2 id="provider-account">Your account</h2>
        <p className="mono small break">{vault.chain.account}</p>
        {provider ? (
          <ProviderStanding provider={provider} vault={vault} />
        ) : (
          <Skeleton lines={1} label="Loading your status" />
        )}
      </section>

      <section className="card" aria-labelledby="provider-patients">
        <div className="section-head">
          <h2 id="provider-patients">Patients who granted you access</h2>
          <button type="button" className="secondary" onClick={() => data.refetch()} disabled={data.isFetching}>
            {data.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        {/* Data first: a failed background refresh keeps the last list on screen. */}
        {data.data ? (
          <PatientGrants grants={data.data.patients} />
        ) : data.isPending ? (
          <Skeleton lines={3} label="Reading grants from the chain" />
        ) : (
          <p className="notice notice-error" role="alert">
            Could not read your grants: {describeError(data.error)} Check that the devnet is running, then refresh.
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="provider-request">
        <h2 id="provider-request">Request access</h2>
        {provider?.suspended ? (
          <p className="muted">A suspended account cannot request access.</p>
        ) : (
          <RequestAccessForm context={vault.chain} />
        )}
        <h3>Have a consent link from a patient?</h3>
        <p className="muted small">
          A patient can sign a consent on their device and give you a link or QR code; opening it lets you submit the
          consent (you pay the gas).
        </p>
        <ConsentLinkForm />
      </section>

      <section className="card" aria-labelledby="provider-sent">
        <h2 id="provider-sent">Requests you sent</h2>
        {data.isPending ? (
          <Skeleton lines={2} label="Reading your requests" />
        ) : data.data ? (
          <SentRequests requests={data.data.requests} />
        ) : null}
      </section>
    </>
  );
}
