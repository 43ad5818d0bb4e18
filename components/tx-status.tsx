'use client';

import type { PipelineProgress } from '../lib/records/progress';
import type { TxState } from './use-tx';

const WRITE_STEPS: PipelineProgress['step'][] = ['validate', 'encrypt', 'upload', 'sign', 'pending', 'confirmed'];

/** Share of the write pipeline done, 0–100, from the step and its item/byte counts. */
function percentOf(progress: PipelineProgress): number | undefined {
  const index = WRITE_STEPS.indexOf(progress.step);
  if (index < 0) return progress.total ? Math.round(((progress.done ?? 0) / progress.total) * 100) : undefined;
  const within = progress.total ? (progress.done ?? 0) / progress.total : 0;
  return Math.min(100, Math.round(((index + within) / (WRITE_STEPS.length - 1)) * 100));
}

/** Pending / confirmed / failed line for a transaction or pipeline run, announced to screen readers. */
export function TxStatus({ state, showSteps = false }: { state: TxState; showSteps?: boolean }) {
  if (state.status === 'idle') return null;
  if (state.status === 'failed') {
    return (
      <p className="notice notice-error" role="alert">
        <strong>Failed:</strong> {state.message}
      </p>
    );
  }
  if (state.status === 'confirmed') {
    return (
      <p className="notice notice-ok" role="status">
        <strong>Done:</strong> {state.label}
        {state.hash ? <span className="mono small"> tx {state.hash.slice(0, 10)}…</span> : null}
      </p>
    );
  }
  const percent = state.progress ? percentOf(state.progress) : undefined;
  return (
    <div className="notice notice-pending" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {state.label}
      {state.hash ? <span className="mono small"> tx {state.hash.slice(0, 10)}…</span> : null}
      {showSteps && percent !== undefined ? (
        <>
          <progress max={100} value={percent} aria-label="Progress">
            {percent}%
          </progress>
          <ol className="steps" aria-label="Steps">
            {WRITE_STEPS.map((step) => (
              <li key={step} className={WRITE_STEPS.indexOf(step) <= WRITE_STEPS.indexOf(state.progress!.step) ? 'step-done' : ''}>
                {step}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </div>
  );
}
