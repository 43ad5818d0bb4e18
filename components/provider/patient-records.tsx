'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { type Address, getAddress, isAddress } from 'viem';

import { decodeScopes } from '../../lib/chain/categories';
import { readMedLedger } from '../../lib/chain/medledger';
import { type RecordResult, readRecords } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';
import { billsFor } from '../claims/billing-access';
import { LoadError, Skeleton } from '../gate';
import { AddRecordForm } from '../records/add-record-form';
import { formatDate, relativeTime, sameAddress } from '../records/format';
import { RecordTimeline } from '../records/timeline';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { ProviderGate } from './dashboard';
import { patientHref } from './patient-grants';
import { PatientHeading } from './patient-name';
import { RequestAccessForm } from './request-access';
import { scopeSummary } from './scopes';
import { useProviderData } from './use-provider-data';

type AccessState = 'not-patient' | 'suspended' | 'none' | 'revoked' | 'expired' | 'active';

/** `/provider/patient?address=0x…`: one patient's records as the connected provider may see them. */
export function ProviderPatientPage() {
  const raw = useSearchParams().get('address')?.trim() ?? '';
  if (!isAddress(raw, { strict: false })) {
    return (
      <>
        <h1>Patient records</h1>
        <section className="card">
          <h2>No patient selected</h2>
          <p>
            {raw ? `“${raw}” is not a MedLedger address.` : 'This page needs a patient address.'} Choose a patient on
            the <Link href="/provider">provider dashboard</Link>.
          </p>
        </section>
      </>
    );
  }
  const patient = getAddress(raw);
  return (
    <>
      <p className="small">
        <Link href="/provider">← Provider dashboard</Link>
      </p>
      <PatientHeading patient={patient} title="Records" />
      <ProviderGate>{(vault) => <PatientAccess vault={vault} patient={patient} />}</ProviderGate>
    </>
  );
}

/** What the provider may do with this patient's records, from the contract's view at the latest block. */
function accessState(
  access: { isPatient: boolean; suspended: boolean; scopes: bigint; expiry: number; now: number },
  revoked: boolean,
): AccessState {
  if (!access.isPatient) return 'not-patient';
  if (access.suspended) return 'suspended';
  if (access.scopes === 0n) return revoked ? 'revoked' : 'none';
  return access.expiry <= access.now ? 'expired' : 'active';
}

/** The grant this provider holds from `patient`, checked against the contract at the latest block. */
function useAccess(vault: Vault, patient: Address) {
  const provider = vault.chain.account!;
  const history = useProviderData(vault.chain);
  const access = useQuery({
    queryKey: ['provider-access', patient, provider],
    // Re-checked while the page is open, so a grant (or a revocation) shows up without a reload.
    refetchInterval: 15_000,
    queryFn: async () => {
      const chain = vault.chain;
      const [isPatient, info, grant, block] = await Promise.all([
        readMedLedger(chain, 'isPatient', [patient]),
        readMedLedger(chain, 'providerInfo', [provider]),
        readMedLedger(chain, 'grantOf', [patient, provider]),
        chain.publicClient.getBlock(),
      ]);
      return {
        isPatient,
        suspended: info.suspended,
        scopes: grant.scopes,
        expiry: Number(grant.expiry),
        now: Number(block.timestamp),
      };
    },
  });
  const revoked = history.data?.patients.find(
    (grant) => sameAddress(grant.patient, patient) && grant.status === 'revoked',
  );
  const request = history.data?.requests.find((sent) => sameAddress(sent.patient, patient));
  const state = access.data ? accessState(access.data, Boolean(revoked)) : undefined;
  return { access, state, request, revokedScopes: revoked?.scopes };
}

function PatientAccess({ vault, patient }: { vault: Vault; patient: Address }) {
  const { access, state, request, revokedScopes } = useAccess(vault, patient);
  if (access.isPending) return <Skeleton lines={3} label="Checking your access on-chain" />;
  // A failed background re-check keeps the last known answer on screen.
  if (!access.data || !state) {
    return <LoadError what="Could not check your access" error={access.error} onRetry={access.refetch} />;
  }
  const { scopes, expiry } = access.data;
  if (state === 'not-patient') {
    return (
      <section className="card">
        <h2>Not a MedLedger patient</h2>
        <p>
          <span className="mono break">{patient}</span> is not registered as a patient. Check the address with the
          patient.
        </p>
      </section>
    );
  }
  if (state === 'suspended') {
    return (
      <section className="card">
        <h2>Your account is suspended</h2>
        <p className="notice notice-error">
          The MedLedger administrator suspended your provider account, so every grant you hold is paused and no record
          can be opened. Contact the administrator.
        </p>
      </section>
    );
  }
  if (state !== 'active') {
    const renewScopes = state === 'expired' ? scopes : (revokedScopes ?? 0n);
    return (
      <section className="card" aria-labelledby="no-access">
        <h2 id="no-access">
          {state === 'expired' ? 'Your access has expired' : state === 'revoked' ? 'Access revoked' : 'No access'}
        </h2>
        <p>
          {state === 'expired'
            ? `The patient’s grant (${scopeSummary(scopes)}) ended on ${formatDate(expiry)}. Ask them to renew it.`
            : state === 'revoked'
              ? 'The patient revoked your access. Records you opened before stay with you; nothing written since is shared with you.'
              : 'This patient has not granted you access. Send a request: the patient sees it on their dashboard and decides.'}
        </p>
        {request && request.outcome !== 'granted' ? (
          <p className={`notice ${request.outcome === 'pending' ? 'notice-info' : 'notice-error'}`}>
            {request.outcome === 'pending'
              ? `You asked for “${scopeSummary(request.scopes)}” on ${formatDate(request.timestamp)}; the patient has not answered yet.`
              : `The patient declined your request for “${scopeSummary(request.scopes)}” of ${formatDate(request.timestamp)}.`}
          </p>
        ) : null}
        <h3>Request access</h3>
        {/* Keyed by the scopes so the picker re-ticks them once the grant history has loaded. */}
        <RequestAccessForm
          key={String(renewScopes)}
          context={vault.chain}
          patient={patient}
          initialScopes={renewScopes}
        />
      </section>
    );
  }
  const { read, write } = decodeScopes(scopes);
  return (
    <>
      <section className="card" aria-labelledby="grant-head">
        <h2 id="grant-head">Your access</h2>
        <p>
          <span className="badge badge-ok">Active</span> {scopeSummary(scopes)}
        </p>
        <p className="muted">
          Until {formatDate(expiry)} ({relativeTime(expiry)}).{' '}
          <Link href={patientHref(patient, 'insights')}>Risk scores</Link>
          {billsFor({ status: 'active', scopes }) ? (
            <>
              {' · '}
              <Link href={`/provider/claims?patient=${patient}`}>Submit a claim</Link>
            </>
          ) : null}
        </p>
      </section>
      {read.length > 0 ? (
        <RecordsPanel vault={vault} patient={patient} categories={read} />
      ) : (
        <p className="notice notice-info">Your grant lets you add records but not read them.</p>
      )}
      {write.length > 0 ? (
        <section className="card" aria-labelledby="add-head">
          <h2 id="add-head">Add a record</h2>
          <p className="muted small">
            The record is encrypted in this browser with the patient’s keys and anchored on-chain with you as its
            author.
          </p>
          <AddRecordForm vault={vault} patient={patient} categories={write} />
        </section>
      ) : null}
    </>
  );
}

/**
 * Opens the records the provider may read. Opening is a clinical read, so lib/records logs it on-chain
 * (`logAccess`) from the provider's wallet; the screen says so before and while it happens.
 */
function RecordsPanel({ vault, patient, categories }: { vault: Vault; patient: Address; categories: number[] }) {
  const { state, run, busy } = useTx();
  const [results, setResults] = useState<RecordResult[]>();
  const [logging, setLogging] = useState(false);

  async function open() {
    setLogging(false);
    const read = await run(
      ({ onProgress, onStage }) =>
        readRecords(vault, patient, {
          categories,
          onProgress,
          onStage: (stage) => {
            setLogging(true);
            onStage(stage);
          },
        }),
      'Records opened.',
    );
    if (read) setResults(read);
  }

  const decrypting = state.status === 'running' && state.progress?.step === 'decrypt' ? state.progress : undefined;
  return (
    <section className="card" aria-labelledby="records-head">
      <h2 id="records-head">Records</h2>
      <p>
        Opening decrypts the records in this browser and sends one transaction from your wallet that lists which records
        you opened: <strong>your read is recorded in the patient’s audit trail</strong>, so they can see who read what
        and when. Within this session each record is recorded once: opening them again here or on another screen records
        only records you had not opened yet.
      </p>
      <button type="button" onClick={open} disabled={busy}>
        {results ? 'Open records again' : 'Open records'}
      </button>
      {logging && busy ? (
        <p className="small">Recording your read in the patient’s audit trail (one transaction)…</p>
      ) : null}
      <TxStatus state={state} />
      {decrypting?.total ? (
        <progress max={decrypting.total} value={decrypting.done ?? 0} aria-label="Records decrypted">
          {decrypting.done} of {decrypting.total}
        </progress>
      ) : null}
      {state.status === 'confirmed' && logging ? (
        <p className="muted small">Your read is recorded in the patient’s audit trail.</p>
      ) : state.status === 'confirmed' && results?.some((result) => result.ok) ? (
        <p className="muted small">
          Your read of these records was already recorded in the patient’s audit trail in this session; no transaction
          was needed.
        </p>
      ) : null}
      {results ? <RecordTimeline vault={vault} patient={patient} results={results} /> : null}
    </section>
  );
}
