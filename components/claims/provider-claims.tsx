'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';

import { describeError } from '../../lib/errors';
import type { Vault } from '../../lib/records/vault';
import { LoadError, Skeleton } from '../gate';
import { ProviderGate } from '../provider/dashboard';
import { useProviderData } from '../provider/use-provider-data';
import { useAccountStatus } from '../status';
import { ClaimCard, RefusedClaims } from './claim-card';
import styles from './claims.module.css';
import { InsurerQueue } from './insurer-queue';
import { SubmitClaimForm } from './submit-claim-form';
import { claimsKey, claimsProgressText, invalidateClaims, useClaims } from './use-claims';

/**
 * The claims a doctor or lab submitted, with their status. Reading the insurers' decisions is a logged
 * read of the patient's billing records, so the list opens when asked.
 */
function SubmittedClaims({ vault }: { vault: Vault }) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(
    () => queryClient.getQueryData(claimsKey('provider', vault.chain.account)) !== undefined,
  );
  const claims = useClaims(vault, 'provider', { enabled: opened });
  const intro = (
    <p className="muted small">
      Showing your claims decrypts the insurers’ decisions in this browser; your read of them is recorded in each
      patient’s audit trail with the purpose “payment”.
    </p>
  );
  if (!opened) {
    return (
      <>
        {intro}
        <button type="button" onClick={() => setOpened(true)}>
          Show my claims
        </button>
      </>
    );
  }
  if (claims.isPending) return <Skeleton lines={2} label={claimsProgressText(claims.progress)} />;
  if (!claims.data) {
    return <LoadError what="Your claims could not be read" error={claims.error} onRetry={claims.refetch} />;
  }
  const { claims: views, refused } = claims.data;
  return (
    <>
      <div className="toolbar">
        {intro}
        <button
          type="button"
          className="secondary"
          onClick={() => invalidateClaims(queryClient, vault.chain.account)}
          disabled={claims.isFetching}
        >
          {claims.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {views.length === 0 ? (
        <p className="empty">You have not submitted a claim yet.</p>
      ) : (
        <ul className={styles.list} aria-label="Claims you submitted">
          {views.map((view) => (
            <ClaimCard key={view.claimId.toString()} view={view} audience="provider" />
          ))}
        </ul>
      )}
      <RefusedClaims refused={refused} />
    </>
  );
}

function DoctorOrLabClaims({ vault, initialPatient }: { vault: Vault; initialPatient?: string }) {
  const queryClient = useQueryClient();
  const data = useProviderData(vault.chain);
  return (
    <>
      <section className="card" aria-labelledby="submit-claim-head">
        <h2 id="submit-claim-head">Submit a claim</h2>
        {data.data ? (
          <SubmitClaimForm
            vault={vault}
            patients={data.data.patients}
            initialPatient={initialPatient}
            onSubmitted={() => invalidateClaims(queryClient, vault.chain.account)}
          />
        ) : data.isPending ? (
          <Skeleton lines={2} label="Reading your patients’ grants" />
        ) : (
          <p className="notice notice-error" role="alert">
            Could not read your patients’ grants: {describeError(data.error)}
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="my-claims-head">
        <h2 id="my-claims-head">Your claims</h2>
        <SubmittedClaims vault={vault} />
      </section>
    </>
  );
}

function ClaimsForKind({ vault, initialPatient }: { vault: Vault; initialPatient?: string }) {
  const status = useAccountStatus(vault.chain);
  if (status.isPending) return <Skeleton lines={2} label="Checking your provider kind" />;
  if (!status.data)
    return <LoadError what="Could not read your registration" error={status.error} onRetry={status.refetch} />;
  if (status.data.provider?.suspended) {
    return (
      <p className="notice notice-error">
        The MedLedger administrator suspended your provider account, so you cannot take part in claims. Contact the
        administrator.
      </p>
    );
  }
  if (status.data.provider?.kind === 'insurer') {
    return (
      <section className="card" aria-labelledby="queue-head">
        <h2 id="queue-head">Claims queue</h2>
        <InsurerQueue vault={vault} />
      </section>
    );
  }
  return <DoctorOrLabClaims vault={vault} initialPatient={initialPatient} />;
}

/**
 * `/provider/claims`: a doctor or lab submits claims and follows them; an insurer works its claims
 * queue. `?patient=0x…` preselects the patient to bill.
 */
export function ProviderClaimsScreen() {
  const initialPatient = useSearchParams().get('patient') ?? undefined;
  return <ProviderGate>{(vault) => <ClaimsForKind vault={vault} initialPatient={initialPatient} />}</ProviderGate>;
}
