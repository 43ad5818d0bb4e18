'use client';

import { type FormEvent, useId, useState } from 'react';

import { type ClaimView, disputeClaim } from '../../lib/records/claims';
import type { Vault } from '../../lib/records/vault';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import styles from './claims.module.css';

/** Longest reason the form takes: a letter, not a file. */
const MAX_REASON = 2000;

/**
 * The patient disputes the insurer's decision on a claim, once: their reasons are encrypted into a
 * billing record (so the insurer and the provider who billed can read them) and the claim is marked
 * disputed on-chain.
 */
export function DisputeForm({
  vault,
  view,
  onDisputed,
}: {
  vault: Vault;
  view: ClaimView;
  onDisputed: (message: string) => void;
}) {
  const { state, run, busy } = useTx();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string>();
  const reasonId = useId();
  const hintId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    if (!reason.trim()) return setProblem('Say why you dispute the decision.');
    const message = 'Your dispute is recorded. The insurer and the provider who billed can read your reasons.';
    const done = await run(async ({ onProgress }) => disputeClaim(vault, view.ref, reason, { onProgress }), message);
    if (done) {
      setReason('');
      setOpen(false);
      onDisputed(message);
    }
  }

  if (!open) {
    return (
      <div className={styles.actions}>
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Dispute this decision
        </button>
        <TxStatus state={state} />
      </div>
    );
  }
  return (
    <form className={styles.actionForm} onSubmit={submit} aria-label={`Dispute claim ${view.claimId}`}>
      <label htmlFor={reasonId}>Why do you dispute the decision?</label>
      <textarea
        id={reasonId}
        rows={4}
        maxLength={MAX_REASON}
        value={reason}
        aria-describedby={hintId}
        onChange={(event) => setReason(event.target.value)}
        disabled={busy}
      />
      <p id={hintId} className="small muted field-hint">
        Your reasons are encrypted in this browser and added to your records under Billing &amp; insurance, where the
        insurer and the provider who billed can read them. A claim can be disputed once.
      </p>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="button-row">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending the dispute…' : 'Send dispute'}
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
      </div>
      <TxStatus state={state} showSteps />
    </form>
  );
}
