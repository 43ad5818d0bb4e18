'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { Address } from 'viem';

import { describeError } from '../../lib/errors';
import { stringifyJson } from '../../lib/fhir/json';
import { exportBundleRecords } from '../../lib/records/bundle';
import type { PipelineProgress } from '../../lib/records/progress';
import { readProfile } from '../../lib/records/profile';
import { readRecords } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';
import { dateStamp, downloadBlob } from '../records/download';
import { RecordTimeline } from '../records/timeline';
import { PatientGate } from './patient-gate';
import { LoadError } from '../gate';

/** Query key of a patient's decrypted records, so other screens can refresh it after a write. */
export function recordsKey(patient: Address) {
  return ['patient-records', patient.toLowerCase()];
}

function ReadProgress({ progress }: { progress?: PipelineProgress }) {
  const label =
    progress?.step === 'decrypt' && progress.total
      ? `Verifying and decrypting record ${progress.done} of ${progress.total}`
      : 'Listing your records on-chain';
  return (
    <div className="card" role="status" aria-live="polite" aria-busy="true">
      <div className="skeleton" style={{ width: '80%' }} />
      <div className="skeleton" style={{ width: '65%' }} />
      <p className="muted small">{label}…</p>
      {progress?.total ? (
        <progress max={progress.total} value={progress.done ?? 0} aria-label="Decryption progress" />
      ) : null}
    </div>
  );
}

type ExportState =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; count: number; unreadable: number }
  | { status: 'failed'; message: string };

function ExportButton({ vault, patient }: { vault: Vault; patient: Address }) {
  const [state, setState] = useState<ExportState>({ status: 'idle' });
  async function exportAll() {
    setState({ status: 'running' });
    try {
      const { bundle, unreadable } = await exportBundleRecords(vault, patient);
      downloadBlob(stringifyJson(bundle, 2), `medledger-records-${dateStamp()}.json`, 'application/fhir+json');
      setState({ status: 'done', count: bundle.entry?.length ?? 0, unreadable });
    } catch (error) {
      setState({ status: 'failed', message: describeError(error) });
    }
  }
  return (
    <div className="export">
      <button type="button" className="secondary" onClick={exportAll} disabled={state.status === 'running'}>
        {state.status === 'running' ? 'Preparing the export…' : 'Export everything as a FHIR Bundle'}
      </button>
      <div aria-live="polite">
        {state.status === 'done' ? (
          <p className="notice notice-ok">
            Downloaded a FHIR R4 Bundle with {state.count} current record{state.count === 1 ? '' : 's'}, decrypted. Keep
            it somewhere safe: the file is not encrypted.
            {state.unreadable > 0 ? ` ${state.unreadable} record(s) could not be opened and are not in it.` : ''}
          </p>
        ) : null}
        {state.status === 'failed' ? (
          <p className="notice notice-error" role="alert">
            The export failed: {state.message} Nothing was downloaded; try again.
          </p>
        ) : null}
      </div>
    </div>
  );
}

function PatientRecords({ vault, patient }: { vault: Vault; patient: Address }) {
  const [progress, setProgress] = useState<PipelineProgress>();
  const records = useQuery({
    queryKey: recordsKey(patient),
    queryFn: () => readRecords(vault, patient, { onProgress: setProgress }),
  });
  // The profile names whose record this is; a missing or unreadable one just leaves nothing marked.
  const profile = useQuery({
    queryKey: ['patient-profile', patient.toLowerCase()],
    queryFn: () => readProfile(vault, patient).then((read) => read.resource),
    retry: false,
  });
  if (records.isPending) return <ReadProgress progress={progress} />;
  if (records.isError) {
    return (
      <LoadError
        title="Your records could not be loaded"
        hint="Check that the network is reachable, then try again."
        error={records.error}
        onRetry={records.refetch}
      />
    );
  }
  return (
    <>
      <div className="toolbar">
        <Link className="button" href="/patient/add">
          Add a record
        </Link>
        {records.data.length > 0 ? <ExportButton vault={vault} patient={patient} /> : null}
        {records.isFetching ? (
          <span className="muted small" role="status">
            Refreshing…
          </span>
        ) : null}
      </div>
      <RecordTimeline vault={vault} patient={patient} results={records.data} owner={profile.data} />
    </>
  );
}

/** /patient: the patient's own records, decrypted in the browser, and the FHIR export. */
export function PatientRecordsScreen() {
  return <PatientGate>{(vault, patient) => <PatientRecords vault={vault} patient={patient} />}</PatientGate>;
}
