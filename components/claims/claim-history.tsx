'use client';

import type { ClaimEvent, ClaimStatus } from '../../lib/chain/claims';
import { formatDate } from '../records/format';
import styles from './claims.module.css';

/** Who is looking: each reads the same status in their own words. */
export type ClaimAudience = 'patient' | 'provider' | 'insurer';

const BADGES: Readonly<Record<ClaimStatus, { className: string; label: Readonly<Record<ClaimAudience, string>> }>> = {
  none: { className: 'badge', label: { patient: 'Unknown', provider: 'Unknown', insurer: 'Unknown' } },
  submitted: {
    className: 'badge badge-warn',
    label: { patient: 'Waiting for the insurer', provider: 'Waiting for the insurer', insurer: 'To decide' },
  },
  approved: {
    className: 'badge badge-ok',
    label: { patient: 'Approved, not paid yet', provider: 'Approved, not paid yet', insurer: 'Approved, to pay' },
  },
  denied: { className: 'badge badge-bad', label: { patient: 'Denied', provider: 'Denied', insurer: 'Denied' } },
  paid: { className: 'badge badge-ok', label: { patient: 'Paid', provider: 'Paid', insurer: 'Paid' } },
};

/** The claim's status as a badge, and a second one once the patient disputed it. */
export function ClaimStatusBadge({
  status,
  disputed,
  audience,
}: {
  status: ClaimStatus;
  disputed: boolean;
  audience: ClaimAudience;
}) {
  const badge = BADGES[status];
  return (
    <span className={styles.badges}>
      <span className={badge.className}>{badge.label[audience]}</span>
      {disputed ? <span className="badge badge-bad">Disputed</span> : null}
    </span>
  );
}

/** What a step of the claim's life is called. */
function stepLabel(event: ClaimEvent): string {
  switch (event.kind) {
    case 'submitted':
      return 'Submitted to the insurer';
    case 'adjudicated':
      return event.status === 'approved' ? 'Approved by the insurer' : 'Denied by the insurer';
    case 'paid':
      return 'Paid by the insurer';
    case 'disputed':
      return 'Disputed by the patient';
  }
}

/** The step still to come, in words, or nothing when the claim's life is complete. */
function nextStep(status: ClaimStatus): string | undefined {
  if (status === 'submitted') return 'the insurer approves or denies it';
  if (status === 'approved') return 'the insurer pays it';
  return undefined;
}

/**
 * The claim's life as the chain tells it, oldest first, each step with its date: submitted → approved
 * or denied → paid, and a dispute where there was one; the step still to come shown hollow. (A dispute
 * has no later step on-chain: the insurer answers it outside the claims contract.)
 */
export function ClaimHistory({ history, status }: { history: readonly ClaimEvent[]; status: ClaimStatus }) {
  const next = nextStep(status);
  return (
    <ol className={styles.history} aria-label="Status history">
      {history.map((event) => (
        <li
          key={`${event.transactionHash}-${event.logIndex}`}
          className={
            event.kind === 'adjudicated' && event.status === 'denied'
              ? styles.stepBad
              : event.kind === 'disputed'
                ? styles.stepWarn
                : styles.stepDone
          }
        >
          <span className={styles.stepLabel}>{stepLabel(event)}</span>{' '}
          <time className={styles.stepTime} dateTime={new Date(event.timestamp * 1000).toISOString()}>
            {formatDate(event.timestamp)}
          </time>
        </li>
      ))}
      {next ? (
        <li className={styles.stepNext}>
          <span className={styles.stepLabel}>Next: {next}</span>
        </li>
      ) : null}
    </ol>
  );
}
