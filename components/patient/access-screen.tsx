'use client';

import type { Address } from 'viem';

import type { Vault } from '../../lib/records/vault';
import { LoadError, Skeleton } from '../gate';
import { GrantForm } from './grant-form';
import { GrantsList } from './grants-list';
import { PatientGate } from './patient-gate';
import { PendingRequests } from './requests';
import { ShareLinkForm } from './share-link';
import { usePatientLedger } from './use-patient-ledger';

function Access({ vault, patient }: { vault: Vault; patient: Address }) {
  const ledger = usePatientLedger(vault, patient);
  if (ledger.isPending) return <Skeleton lines={4} label="Reading your consents from the chain" />;
  if (ledger.isError) {
    return <LoadError title="Your consents could not be loaded" error={ledger.error} onRetry={ledger.refetch} />;
  }
  const pendingCount = ledger.data.pending.length;
  return (
    <>
      <section className="card" aria-labelledby="requests-head">
        <h2 id="requests-head">
          Requests waiting for you {pendingCount > 0 ? <span className="badge badge-warn">{pendingCount}</span> : null}
        </h2>
        <PendingRequests vault={vault} ledger={ledger.data} onAnswered={ledger.refresh} />
      </section>
      <section className="card" aria-labelledby="grants-head">
        <h2 id="grants-head">Who has access</h2>
        <GrantsList vault={vault} ledger={ledger.data} onChanged={ledger.refresh} />
      </section>
      <section className="card" aria-labelledby="grant-head">
        <h2 id="grant-head">Grant access</h2>
        <GrantForm vault={vault} onGranted={ledger.refresh} />
      </section>
      <section className="card" aria-labelledby="share-head">
        <h2 id="share-head">Share by link or QR code</h2>
        <p className="muted">
          Sign a consent here, at no cost, and give the link or QR code to the provider, e.g. at the clinic desk. Their
          wallet submits it to the chain.
        </p>
        <ShareLinkForm vault={vault} onChanged={ledger.refresh} />
      </section>
    </>
  );
}

/** /patient/access: requests, current grants with revoke, the grant form, and consent links. */
export function AccessScreen() {
  return <PatientGate>{(vault, patient) => <Access vault={vault} patient={patient} />}</PatientGate>;
}
