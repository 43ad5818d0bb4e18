'use client';

import { useEffect } from 'react';
import type { Address } from 'viem';

import { parseScopes } from '../../lib/chain/categories';

import type { Vault } from '../../lib/records/vault';
import { LoadError, Skeleton } from '../gate';
import { GrantForm } from './grant-form';
import { GrantsList } from './grants-list';
import { PatientGate } from './patient-gate';
import { PendingRequests } from './requests';
import { ShareLinkForm } from './share-link';
import { usePatientLedger } from './use-patient-ledger';

/** Scopes written as the CLI writes them (`rw:billing`), or none when the text is not scopes. */
function presetOf(text: string | undefined): bigint | undefined {
  if (!text) return undefined;
  try {
    return parseScopes(text);
  } catch {
    return undefined;
  }
}

function Access({ vault, patient, preset }: { vault: Vault; patient: Address; preset?: bigint }) {
  const ledger = usePatientLedger(vault, patient);
  const loaded = !ledger.isPending && !ledger.isError;
  // A link that presets the scopes is about granting: bring the form into view once it is there.
  useEffect(() => {
    if (preset && loaded) document.getElementById('grant-head')?.scrollIntoView({ block: 'start' });
  }, [preset, loaded]);
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
        <GrantForm vault={vault} onGranted={ledger.refresh} initialScopes={preset} />
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

/**
 * /patient/access: requests, current grants with revoke, the grant form, and consent links.
 *
 * @param presetScopes - scopes to tick in the grant form, as text (`rw:billing`), from a link
 */
export function AccessScreen({ presetScopes }: { presetScopes?: string }) {
  const preset = presetOf(presetScopes);
  return <PatientGate>{(vault, patient) => <Access vault={vault} patient={patient} preset={preset} />}</PatientGate>;
}
