'use client';

import type { Claim } from '@medplum/fhirtypes';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';

import { CLAIMS_FRAUD } from '../../lib/ai/catalog';
import type { ClaimFlag, ClaimReview } from '../../lib/ai/claims';
import {
  type ClaimOutcome,
  type ClaimView,
  type ReviewedPatient,
  ClaimRecordOrphanedError,
  adjudicateClaim,
  explanationOfBenefitFor,
  listClaims,
  payClaim,
} from '../../lib/records/claims';
import type { PipelineProgress } from '../../lib/records/progress';
import type { Vault } from '../../lib/records/vault';
import { LoadError } from '../gate';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { ClaimCard, type ClaimStepDone, RefusedClaims, StepDone } from './claim-card';
import styles from './claims.module.css';
import { type ModelOutcome, type ReviewStage, isScored, reviewStageText, scoringReviewer } from './queue-review';
import { claimsKey, claimsProgressText, invalidateClaims } from './use-claims';

const SEVERITY: Readonly<Record<string, { label: string; badge: string }>> = {
  high: { label: 'High', badge: 'badge badge-bad' },
  medium: { label: 'Medium', badge: 'badge badge-warn' },
  low: { label: 'Low', badge: 'badge' },
};

const FEATURE_LABELS = new Map(CLAIMS_FRAUD.features.map((feature) => [feature.name, feature.label]));

/** A score as a percentage; never "100 %" for a score short of 1, nor split across lines. */
function percent(value: number): string {
  const rounded = Math.round(value * 100);
  return `${value < 1 ? Math.min(rounded, 99) : rounded}\u00a0%`;
}

/**
 * "Compared with claim 3, claim 5.": the claims a flag compared with (by their on-chain numbers) that
 * its sentence does not already name; nothing when it names them all.
 */
function comparedText(flag: ClaimFlag): string | undefined {
  const unnamed = flag.claimIds.slice(1).filter((id) => !new RegExp(`\\bclaims? ${id}\\b`).test(flag.message));
  return unnamed.length ? `Compared with ${unnamed.map((id) => `claim ${id}`).join(', ')}.` : undefined;
}

/** The fraud review of one claim: flagged or clean, each flag's reason and what it compared, the model score. */
function ReviewPanel({ findings }: { findings: ClaimReview | undefined }) {
  const headingId = useId();
  if (!findings) {
    return (
      <section className={styles.review} aria-labelledby={headingId}>
        <h4 id={headingId} className={styles.reviewTitle}>
          Fraud review <span className="badge">Not reviewed</span>
        </h4>
        <p className="small muted">The claim could not be opened, so it could not be reviewed.</p>
      </section>
    );
  }
  const { flags } = findings;
  const scored = isScored(findings) ? findings : undefined;
  // What raised the score, once it is worth a look (the model's "low" band says nothing stands out).
  const drivers =
    scored && scored.modelScore >= 0.2
      ? [...scored.contributions]
          .filter((contribution) => contribution.value > 0.05)
          .sort((a, b) => b.value - a.value)
          .slice(0, 3)
      : [];
  return (
    <section
      className={`${styles.review} ${flags.length ? styles.reviewFlagged : styles.reviewClean}`}
      aria-labelledby={headingId}
    >
      <h4 id={headingId} className={styles.reviewTitle}>
        Fraud review{' '}
        {flags.length ? (
          <span className="badge badge-bad">
            Flagged: {flags.length} finding{flags.length === 1 ? '' : 's'}
          </span>
        ) : (
          <span className="badge badge-ok">Clean</span>
        )}
      </h4>
      {flags.length ? (
        <ul className={styles.flags} aria-label="Findings">
          {flags.map((flag, index) => (
            <li key={`${flag.kind}-${index}`}>
              <span className={SEVERITY[flag.severity]?.badge ?? 'badge'}>
                {SEVERITY[flag.severity]?.label ?? flag.severity}
              </span>{' '}
              {flag.message}
              {comparedText(flag) ? <span className="small muted"> {comparedText(flag)}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="small">No rule flagged this claim.</p>
      )}
      {scored ? (
        <div className={styles.score}>
          <p className="small">
            Model score <strong>{percent(scored.modelScore)}</strong> ({scored.band}) · with the rules{' '}
            <strong>{percent(scored.combinedScore)}</strong>
          </p>
          <meter
            min={0}
            max={1}
            low={0.2}
            high={0.5}
            optimum={0}
            value={scored.combinedScore}
            aria-label="Review score"
          />
          {drivers.length ? (
            <p className="small muted">
              Raised most by: {drivers.map((driver) => FEATURE_LABELS.get(driver.name) ?? driver.name).join('; ')}.
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** Approve or deny a submitted claim, with the decision's note; the EOB goes into the patient's record. */
function DecideForm({ vault, view, onDone }: { vault: Vault; view: ClaimView; onDone: (message: string) => void }) {
  const { state, run, busy } = useTx();
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string>();
  // An answer record written by an attempt whose claim transaction failed: presented again on retry.
  const [orphan, setOrphan] = useState<{ recordId: bigint; outcome: ClaimOutcome }>();
  const noteId = useId();
  const claim = view.claim.ok ? (view.claim.resource as Claim) : undefined;

  async function decide(outcome: ClaimOutcome) {
    setProblem(undefined);
    if (!claim) return;
    if (outcome === 'denied' && !note.trim()) {
      return setProblem('Say why the claim is denied: the patient and the provider read it in the decision.');
    }
    const retry = orphan?.outcome === outcome ? orphan.recordId : undefined;
    const answer = explanationOfBenefitFor(claim, view.ref, outcome, vault.chain.deployment.chainId, {
      ...(note.trim() ? { disposition: note.trim() } : {}),
    });
    const message = `Claim ${view.claimId} ${outcome}. The explanation of benefit is in the patient’s record.`;
    const done = await run(async ({ onProgress }) => {
      try {
        return await adjudicateClaim(vault, view.ref, outcome, answer, {
          onProgress,
          ...(retry === undefined ? {} : { recordId: retry }),
        });
      } catch (error) {
        if (error instanceof ClaimRecordOrphanedError) setOrphan({ recordId: error.recordId, outcome });
        throw error;
      }
    }, message);
    if (done) onDone(message);
  }

  if (!claim) {
    return <p className="notice notice-info small">The claim could not be opened here, so it cannot be decided.</p>;
  }
  return (
    <form
      className={styles.actionForm}
      aria-label={`Decide claim ${view.claimId}`}
      onSubmit={(event: FormEvent) => event.preventDefault()}
    >
      <label htmlFor={noteId}>Decision note (needed to deny)</label>
      <textarea
        id={noteId}
        rows={2}
        maxLength={500}
        value={note}
        placeholder="e.g. Covered in full under the plan"
        onChange={(event) => setNote(event.target.value)}
        disabled={busy}
      />
      <p className="small muted field-hint">
        Approving or denying writes an explanation of benefit, encrypted into the patient’s record, and records the
        decision on-chain.
      </p>
      {orphan ? (
        <p className="notice notice-info small">
          The {orphan.outcome === 'approved' ? 'approval' : 'denial'} record {orphan.recordId.toString()} is already in
          the patient’s record; the same decision again presents it instead of writing another.
        </p>
      ) : null}
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="button-row">
        <button type="button" onClick={() => decide('approved')} disabled={busy}>
          Approve
        </button>
        <button type="button" className="danger" onClick={() => decide('denied')} disabled={busy}>
          Deny
        </button>
      </div>
      <TxStatus state={state} showSteps />
    </form>
  );
}

/** Record the payment of an approved claim: only a fingerprint of the reference goes on-chain. */
function PayForm({ vault, view, onDone }: { vault: Vault; view: ClaimView; onDone: (message: string) => void }) {
  const { state, run, busy } = useTx();
  const [reference, setReference] = useState('');
  const [problem, setProblem] = useState<string>();
  const referenceId = useId();
  const hintId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    if (!reference.trim()) return setProblem('Give the reference of the payment, e.g. the transfer id.');
    const message = `Claim ${view.claimId} is paid. Keep the reference “${reference.trim()}”: the chain holds only its fingerprint.`;
    const done = await run(async ({ onProgress }) => payClaim(vault, view.ref, reference, { onProgress }), message);
    if (done) {
      setReference('');
      onDone(message);
    }
  }

  return (
    <form className={styles.actionForm} onSubmit={submit} aria-label={`Pay claim ${view.claimId}`}>
      <label htmlFor={referenceId}>Payment reference</label>
      <div className={styles.inline}>
        <input
          id={referenceId}
          value={reference}
          maxLength={120}
          autoComplete="off"
          placeholder="e.g. SEPA-2026-03-000417"
          aria-describedby={hintId}
          onChange={(event) => setReference(event.target.value)}
          disabled={busy}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Recording…' : 'Record payment'}
        </button>
      </div>
      <p id={hintId} className="small muted field-hint">
        Only a fingerprint of the reference goes on-chain, bound to this claim. Name the transfer; never put amounts or
        health data in it.
      </p>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <TxStatus state={state} />
    </form>
  );
}

type QueueStage = { kind: 'list'; progress?: PipelineProgress } | { kind: 'review'; stage?: ReviewStage };

function QueueProgress({ stage }: { stage: QueueStage | undefined }) {
  const text =
    stage?.kind === 'review'
      ? reviewStageText(stage.stage)
      : claimsProgressText(stage?.kind === 'list' ? stage.progress : undefined);
  return (
    <p className="notice notice-pending" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {text}…
    </p>
  );
}

function QueueGroup({
  title,
  views,
  vault,
  onChanged,
  lastStep,
  empty,
}: {
  title: string;
  views: readonly ClaimView[];
  vault: Vault;
  onChanged: (step: ClaimStepDone) => void;
  lastStep: ClaimStepDone | undefined;
  empty: string;
}) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className={styles.group}>
      <h3 id={headingId}>
        {title} <span className="count muted">({views.length})</span>
      </h3>
      {views.length === 0 ? (
        <p className="empty">{empty}</p>
      ) : (
        <ul className={styles.list} aria-label={title}>
          {views.map((view) => (
            <ClaimCard
              key={view.claimId.toString()}
              view={view}
              audience="insurer"
              aside={<ReviewPanel findings={view.review} />}
            >
              {lastStep?.claimId === view.claimId ? <StepDone message={lastStep.message} /> : null}
              {view.status === 'submitted' ? (
                <DecideForm
                  vault={vault}
                  view={view}
                  onDone={(message) => onChanged({ claimId: view.claimId, message })}
                />
              ) : null}
              {view.status === 'approved' ? (
                <PayForm
                  vault={vault}
                  view={view}
                  onDone={(message) => onChanged({ claimId: view.claimId, message })}
                />
              ) : null}
            </ClaimCard>
          ))}
        </ul>
      )}
    </section>
  );
}

/** How far the rules could check claims against the patients' own records, as a sentence. */
function recordsCoverage(reviewed: readonly ReviewedPatient[]): string {
  const patients = reviewed.length;
  const patientsWithRecords = reviewed.filter((patient) => patient.categories.length > 0).length;
  const checks = 'sex, age, diagnoses and visits';
  if (patientsWithRecords === 0) {
    return patients === 1
      ? `The patient has not let you read their profile, conditions or visits, so the claims are compared with each other only, not with the ${checks} in their record.`
      : `None of the ${patients} patients lets you read their profile, conditions or visits, so the claims are compared with each other only, not with the ${checks} in their records.`;
  }
  return `${patientsWithRecords} of ${patients} patient${patients === 1 ? '' : 's'} let you read their profile, conditions or visits: their claims are also checked against the ${checks} there.`;
}

/** The review's score of a claim for ordering: highest first, unreviewed last. */
function rank(view: ClaimView): number {
  if (!view.review) return -1;
  return isScored(view.review) ? view.review.combinedScore : view.review.ruleScore;
}

/**
 * The insurer's claims queue: every claim billed to it, verified on-chain and decrypted here (a logged
 * read, so it opens when asked), each with the fraud review, Approve / Deny for claims to decide and
 * Pay for approved ones, every step with its progress and a decoded reason when the chain refuses.
 */
export function InsurerQueue({ vault }: { vault: Vault }) {
  const queryClient = useQueryClient();
  const account = vault.chain.account;
  const key = claimsKey('insurer', account);
  const [opened, setOpened] = useState(() => queryClient.getQueryData(key) !== undefined);
  const [stage, setStage] = useState<QueueStage>();
  const queue = useQuery({
    queryKey: key,
    enabled: opened,
    queryFn: async () => {
      setStage({ kind: 'list' });
      // Set by the reviewer while the list is made: which model scored the queue, or why none did.
      const scoring: { model: ModelOutcome } = { model: { ok: false, reason: 'There is no claim to score.' } };
      const {
        claims,
        refused,
        reviewed = [],
      } = await listClaims(vault, {
        as: 'insurer',
        onProgress: (progress) => setStage({ kind: 'list', progress }),
        review: scoringReviewer(
          vault,
          (reviewStage) => setStage({ kind: 'review', stage: reviewStage }),
          (outcome) => {
            scoring.model = outcome;
          },
        ),
      });
      return { claims: [...claims].reverse(), refused, model: scoring.model, reviewed };
    },
    retry: false,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const refresh = () => invalidateClaims(queryClient, account);
  const [lastStep, setLastStep] = useState<ClaimStepDone>();
  const changed = (step: ClaimStepDone) => {
    setLastStep(step);
    void refresh();
  };

  const intro = (
    <p className="muted">
      Opening the queue decrypts each claim in this browser and records your read in the patient’s audit trail, with the
      purpose “payment”. The fraud review runs here too: rules that compare the claims with each other and with what
      each patient lets you read, and the claims model approved on-chain. Nothing is sent anywhere.
    </p>
  );
  if (!opened) {
    return (
      <>
        {intro}
        <button type="button" onClick={() => setOpened(true)}>
          Open the claims queue
        </button>
      </>
    );
  }
  if (queue.isPending) {
    return (
      <>
        {intro}
        <QueueProgress stage={stage} />
      </>
    );
  }
  if (!queue.data) {
    return <LoadError what="The claims queue could not be opened" error={queue.error} onRetry={queue.refetch} />;
  }
  const { claims, refused, model, reviewed } = queue.data;
  const toDecide = claims.filter((view) => view.status === 'submitted').sort((a, b) => rank(b) - rank(a));
  const toPay = claims.filter((view) => view.status === 'approved');
  const done = claims.filter((view) => view.status !== 'submitted' && view.status !== 'approved');
  const flagged = claims.filter((view) => (view.review?.flags.length ?? 0) > 0).length;
  return (
    <>
      <div className="toolbar">
        <p className={styles.summary} role="status">
          <strong>{toDecide.length}</strong> to decide · <strong>{toPay.length}</strong> to pay ·{' '}
          <strong>{flagged}</strong> flagged
        </p>
        <button type="button" className="secondary" onClick={refresh} disabled={queue.isFetching}>
          {queue.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {queue.isFetching ? <QueueProgress stage={stage} /> : null}
      {model.ok ? (
        <p className="small muted">
          Scored by the model {model.name} {model.version} (SHA-256{' '}
          <span className="mono">{model.sha256.slice(0, 12)}…</span>, approved on-chain), in this browser. Its score
          ranks claims for review; it is not a probability of fraud.
        </p>
      ) : (
        <p className="notice notice-info small">
          No model score: {model.reason} The rules’ findings below stand on their own.
        </p>
      )}
      {reviewed.length > 0 ? <p className="small muted">{recordsCoverage(reviewed)}</p> : null}
      <RefusedClaims refused={refused} />
      <QueueGroup
        title="To decide"
        views={toDecide}
        vault={vault}
        onChanged={changed}
        lastStep={lastStep}
        empty="No claim is waiting for a decision."
      />
      <QueueGroup
        title="Approved, to pay"
        views={toPay}
        vault={vault}
        onChanged={changed}
        lastStep={lastStep}
        empty="No approved claim is waiting for payment."
      />
      <QueueGroup
        title="Paid or denied"
        views={done}
        vault={vault}
        onChanged={changed}
        lastStep={lastStep}
        empty="Nothing decided yet."
      />
    </>
  );
}
