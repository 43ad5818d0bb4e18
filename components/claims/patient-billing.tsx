'use client';

import type { Coverage } from '@medplum/fhirtypes';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { Address } from 'viem';

import { RECORD_CATEGORIES, readScope, writeScope } from '../../lib/chain/categories';
import { type OpenRecord, readRecords } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';
import { LoadError, Skeleton } from '../gate';
import { PatientGate } from '../patient/patient-gate';
import { ProviderName } from '../patient/provider-name';
import { recordsKey } from '../patient/records-screen';
import { type PatientLedger, usePatientLedger } from '../patient/use-patient-ledger';
import { formatDate } from '../records/format';
import { ResourceBody } from '../records/resource-view';
import { ClaimCard, type ClaimStepDone, RefusedClaims, StepDone } from './claim-card';
import styles from './claims.module.css';
import { CoverageForm } from './coverage-form';
import { DisputeForm } from './dispute-form';
import { claimsProgressText, invalidateClaims, useClaims } from './use-claims';

const BILLING = RECORD_CATEGORIES.billing;

/** The access page with read and write Billing & insurance ticked: what a provider needs to bill. */
export const BILLING_GRANT_HREF = '/patient/access?scopes=rw:billing#grant-head';

function ClaimsSection({ vault }: { vault: Vault }) {
  const queryClient = useQueryClient();
  const claims = useClaims(vault, 'patient');
  const refresh = () => invalidateClaims(queryClient, vault.chain.account);
  const [done, setDone] = useState<ClaimStepDone>();
  if (claims.isPending) return <Skeleton lines={3} label={claimsProgressText(claims.progress)} />;
  if (!claims.data) {
    return <LoadError title="Your claims could not be loaded" error={claims.error} onRetry={claims.refetch} />;
  }
  const { claims: views, refused } = claims.data;
  return (
    <>
      <div className="section-head">
        <h2 id="claims-head">Claims</h2>
        <button type="button" className="secondary" onClick={refresh} disabled={claims.isFetching}>
          {claims.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted small">
        What your doctors and labs billed your insurer, and what the insurer decided. Amounts, codes and diagnoses are
        encrypted records only you, the provider who billed and the insurer can open; the chain holds each claim’s
        status and dates.
      </p>
      {views.length === 0 ? (
        <p className="empty">
          No claims yet. A claim appears here once a doctor or lab you gave billing access bills your insurer.
        </p>
      ) : (
        <ul className={styles.list} aria-label="Your claims">
          {views.map((view) => (
            <ClaimCard key={view.claimId.toString()} view={view} audience="patient">
              {done?.claimId === view.claimId ? <StepDone message={done.message} /> : null}
              {view.status !== 'submitted' && !view.disputed ? (
                <DisputeForm
                  vault={vault}
                  view={view}
                  onDisputed={(message) => {
                    setDone({ claimId: view.claimId, message });
                    void refresh();
                  }}
                />
              ) : null}
            </ClaimCard>
          ))}
        </ul>
      )}
      <RefusedClaims refused={refused} />
    </>
  );
}

/** The patient's Coverage records (current versions), decrypted; cached with their other records. */
function useCoverages(vault: Vault, patient: Address) {
  return useQuery({
    queryKey: [...recordsKey(patient), 'billing'],
    queryFn: async () =>
      (await readRecords(vault, patient, { categories: [BILLING] })).filter(
        (record): record is OpenRecord =>
          record.ok && !record.superseded && record.payload.resource.resourceType === 'Coverage',
      ),
  });
}

function InsuranceSection({
  vault,
  patient,
  ledger,
  onGranted,
}: {
  vault: Vault;
  patient: Address;
  ledger: PatientLedger;
  onGranted: () => void;
}) {
  const queryClient = useQueryClient();
  const coverages = useCoverages(vault, patient);
  return (
    <>
      <h2 id="insurance-head">Your insurance</h2>
      {coverages.isPending ? (
        <Skeleton lines={1} label="Decrypting your coverage" />
      ) : coverages.isError ? (
        <LoadError what="Your coverage could not be read" error={coverages.error} onRetry={coverages.refetch} />
      ) : coverages.data.length === 0 ? (
        <p className="empty">You have not recorded an insurance yet.</p>
      ) : (
        <ul className={styles.coverages} aria-label="Your coverage">
          {coverages.data.map((record) => (
            <li key={record.header.recordId.toString()} className={styles.coverage}>
              <ResourceBody resource={record.payload.resource as Coverage} />
              <p className="small muted">Recorded {formatDate(record.header.createdAt)}</p>
            </li>
          ))}
        </ul>
      )}
      <h3>{coverages.data?.length ? 'Record another insurance or a new card' : 'Record your insurance'}</h3>
      <CoverageForm
        vault={vault}
        patient={patient}
        grants={ledger.grants}
        onSaved={() => {
          void queryClient.invalidateQueries({ queryKey: recordsKey(patient) });
          onGranted();
        }}
      />
    </>
  );
}

/** What a grant lets its holder do with the patient's billing records, in words, by the holder's kind. */
function billingAccessText(scopes: bigint, kind: string | undefined): string | undefined {
  const reads = (scopes & readScope(BILLING)) !== 0n;
  const writes = (scopes & writeScope(BILLING)) !== 0n;
  if (reads && writes) {
    return kind === 'insurer'
      ? 'Receives your claims and files its decisions in your record'
      : 'May bill your insurer for care it gave you';
  }
  if (writes) return 'May add billing records, but cannot bill your insurer without reading them too';
  if (reads) return 'May read your billing records';
  return undefined;
}

function AccessSection({ ledger }: { ledger: PatientLedger }) {
  const kindOf = (provider: string) => ledger.providers.get(provider.toLowerCase())?.kind;
  const holders = ledger.grants
    .filter((grant) => grant.active && billingAccessText(grant.scopes, kindOf(grant.provider)))
    .sort((a, b) => Number(kindOf(b.provider) === 'insurer') - Number(kindOf(a.provider) === 'insurer'));
  return (
    <>
      <h2 id="billing-access-head">Who has billing access</h2>
      {holders.length === 0 ? (
        <p className="empty">Nobody can see or add to your Billing &amp; insurance records yet.</p>
      ) : (
        <ul className="grant-list" aria-label="Providers with billing access">
          {holders.map((grant) => (
            <li key={grant.provider} className="grant">
              <ProviderName address={grant.provider} standing={ledger.providers.get(grant.provider.toLowerCase())} />
              <p className="small record-meta">
                {billingAccessText(grant.scopes, kindOf(grant.provider))} · until {formatDate(grant.expiry)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <p className="small">
        A doctor or lab bills your insurer with read and write access to Billing &amp; insurance, which shows it no
        other kind of record. <Link href={BILLING_GRANT_HREF}>Give a doctor or lab billing access</Link> ·{' '}
        <Link href="/patient/access">Change or revoke access</Link>
      </p>
    </>
  );
}

function Billing({ vault, patient }: { vault: Vault; patient: Address }) {
  const ledger = usePatientLedger(vault, patient);
  return (
    <>
      <section className="card" aria-labelledby="claims-head">
        <ClaimsSection vault={vault} />
      </section>
      {ledger.isPending ? (
        <Skeleton lines={3} label="Reading your consents from the chain" />
      ) : ledger.isError ? (
        <LoadError title="Your consents could not be loaded" error={ledger.error} onRetry={ledger.refetch} />
      ) : (
        <>
          <section className="card" aria-labelledby="insurance-head">
            <InsuranceSection vault={vault} patient={patient} ledger={ledger.data} onGranted={ledger.refresh} />
          </section>
          <section className="card" aria-labelledby="billing-access-head">
            <AccessSection ledger={ledger.data} />
          </section>
        </>
      )}
    </>
  );
}

/**
 * /patient/billing: the patient's claims (status history from the chain, the decrypted Claim and the
 * insurer's decision, a dispute), their insurance (FHIR Coverage, with billing access for the insurer)
 * and who holds billing access.
 */
export function BillingScreen() {
  return <PatientGate>{(vault, patient) => <Billing vault={vault} patient={patient} />}</PatientGate>;
}
