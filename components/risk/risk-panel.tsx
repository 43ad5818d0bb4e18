'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Address } from 'viem';

import { PROFILE_CATEGORIES, categoryLabel } from '../../lib/chain/categories';
import { describeError } from '../../lib/errors';
import type { Vault } from '../../lib/records/vault';
import { Skeleton } from '../gate';
import type { ReportStage, RiskReport } from './assessment';
import { AccessReview, Interactions, Plausibility } from './decision-support';
import { dayText } from './format';
import { ModelResult } from './model-result';
import styles from './risk.module.css';
import { useRiskReport } from './use-risk-report';

/**
 * Risk scores and decision support for one patient, computed in this browser from the records the
 * vault's account can read. Import it through `LazyRiskPanel` so onnxruntime-web loads only here.
 */
export function RiskPanel({ vault, patient }: { vault: Vault; patient: Address }) {
  const { data: report, error, isFetching, refetch, stage } = useRiskReport(vault, patient);
  const viewer = vault.chain.account?.toLowerCase() === patient.toLowerCase() ? 'patient' : 'provider';
  return (
    <div className={styles.panel}>
      <p className="notice notice-info" role="note">
        <strong>Decision support, not a diagnosis.</strong> These are statistical estimates computed in this browser
        from the records {viewer === 'patient' ? 'you hold' : 'you were granted'}. They can be wrong, they leave out
        everything the record does not say, and they do not replace a clinician’s judgement.
      </p>
      {isFetching ? (
        <>
          <Progress stage={stage} viewer={viewer} />
          {report ? null : <Skeleton lines={4} label="Preparing the risk report" />}
        </>
      ) : null}
      {error && !isFetching ? (
        <div className="notice notice-error" role="alert">
          <p>
            <strong>The risk report could not be built:</strong> {describeError(error)}
          </p>
          <button type="button" onClick={() => void refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {report && !isFetching ? <Report report={report} onAgain={() => void refetch()} /> : null}
    </div>
  );
}

function stageText(stage: ReportStage | undefined, viewer: 'patient' | 'provider'): string {
  switch (stage?.stage) {
    case undefined:
    case 'access':
      return viewer === 'patient' ? 'Checking your registration…' : 'Checking your access to this patient’s records…';
    case 'records':
      return stage.total === 0
        ? 'Listing the records on-chain…'
        : `Verifying and decrypting the records (${stage.done} of ${stage.total})…`;
    case 'log-access':
      return stage.signing
        ? 'Confirm the access-log transaction in your wallet: this read is recorded in the patient’s audit trail…'
        : 'Recording this read in the patient’s on-chain audit trail…';
    case 'models':
      return `Loading the risk models (${stage.done} of ${stage.total})…`;
    case 'runtime':
      return 'Starting the on-device inference runtime…';
    case 'scoring':
      return `Computing the scores (${stage.done} of ${stage.total})…`;
    case 'audit':
      return 'Reviewing who opened your records…';
  }
}

function Progress({ stage, viewer }: { stage: ReportStage | undefined; viewer: 'patient' | 'provider' }) {
  const counted = stage && 'total' in stage && stage.total > 0 ? stage : undefined;
  return (
    <div className="notice notice-pending" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {stageText(stage, viewer)}
      {counted ? (
        <progress max={counted.total} value={counted.done} aria-label="Progress">
          {counted.done} of {counted.total}
        </progress>
      ) : (
        <progress aria-label="Progress" />
      )}
    </div>
  );
}

function Report({ report, onAgain }: { report: RiskReport; onAgain: () => void }) {
  const scored = report.models.filter((model) => model.result?.status === 'ok').length;
  return (
    <>
      <div className={`card ${styles.summary}`}>
        <p role="status">
          Assessed on {dayText(report.assessedAt)} from {report.recordsUsed} current record
          {report.recordsUsed === 1 ? '' : 's'}: {scored} of {report.models.length} models had the data they need.
        </p>
        <button type="button" className="secondary" onClick={onAgain}>
          Assess again
        </button>
      </div>
      <Coverage report={report} />
      <section aria-labelledby="risk-scores">
        <h2 id="risk-scores">Risk scores</h2>
        <div className={styles.models}>
          {report.models.map((model) => (
            <ModelResult key={model.spec.name} report={model} sources={report.sources} />
          ))}
        </div>
      </section>
      <Interactions report={report} />
      <Plausibility report={report} />
      <AccessReview report={report} />
    </>
  );
}

/** What the scores could not see: records without a key, and for a provider the categories not shared. */
function Coverage({ report }: { report: RiskReport }) {
  const { count, reason } = report.unreadable;
  const notes: { key: string; body: ReactNode }[] = [];
  if (report.recordsUsed === 0) {
    notes.push({
      key: 'empty',
      body:
        report.viewer === 'patient' ? (
          <>
            There are no records yet. <Link href="/patient">Add results on your dashboard</Link> (blood pressure,
            cholesterol, BMI …), then assess again.
          </>
        ) : (
          'The patient has shared no records in the categories you may read.'
        ),
    });
  }
  const readable = report.readableCategories;
  if (readable) {
    const shared = readable.map((category) => categoryLabel(category).toLowerCase());
    // The profile (date of birth, sex) is filed under "profile" (under "other" before that category
    // existed); without it every score lacks age and sex.
    const profile = PROFILE_CATEGORIES.some((category) => readable.includes(category))
      ? ''
      : ', including the profile with date of birth and sex, so scores that need age or sex say so';
    notes.push({
      key: 'scope',
      body: `The patient shared these kinds of records with you: ${shared.join(', ')}. Other records are not read${profile}.`,
    });
  }
  if (count > 0) {
    notes.push({
      key: 'unreadable',
      body: `${count} record${count === 1 ? '' : 's'} could not be opened and ${count === 1 ? 'was' : 'were'} left out: ${reason ?? 'no reason given'}.`,
    });
  }
  if (notes.length === 0) return null;
  return (
    <div className="notice notice-info">
      {notes.map((note) => (
        <p key={note.key} className={styles.note}>
          {note.body}
        </p>
      ))}
    </div>
  );
}
