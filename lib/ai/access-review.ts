/**
 * The unusual-access review a patient sees, on the same data the admin reviews: every provider that
 * read this patient is judged on its whole access log (all patients, public on-chain), and only the
 * findings that concern this patient are kept. Judging on the patient's own slice would compare a
 * provider's reads of one patient with nothing and disagree with the admin's screen.
 */
import type { Address } from 'viem';

import { type ChainContext, accessLog } from '../chain';
import { type UnusualAccessFinding, reviewProviders } from './unusual-access';

export interface PatientAccessReview {
  /** Findings about providers that opened this patient's records. */
  readonly findings: readonly UnusualAccessFinding[];
  /** Providers that read this patient but whose history is too short to judge yet. */
  readonly notEnoughHistory: readonly Address[];
  /** Logged reads of this patient's records, and the distinct providers behind them. */
  readonly reads: number;
  readonly providers: number;
}

/**
 * Reviews the providers that read `patient` for unusual access up to `now` (default: the current time,
 * so a burst that just happened is what counts).
 */
export async function reviewAccessTo(
  context: ChainContext,
  patient: Address,
  now: number = Date.now(),
): Promise<PatientAccessReview> {
  const own = await accessLog(context, { patients: [patient] });
  const readers = [...new Set(own.map((entry) => entry.provider))];
  const log = await accessLog(context, { providers: readers });
  const verdicts = reviewProviders(
    log.map((entry) => ({
      provider: entry.provider,
      patient: entry.patient,
      recordIds: entry.recordIds.map(String),
      timestamp: entry.timestamp * 1000,
    })),
    { now },
  );
  const lower = patient.toLowerCase();
  return {
    findings: verdicts.flatMap((verdict) =>
      verdict.findings.filter((finding) => finding.patients.some((p) => p.toLowerCase() === lower)),
    ),
    notEnoughHistory: verdicts
      .filter((verdict) => verdict.verdict === 'not-enough-history')
      .map((verdict) => verdict.provider as Address),
    reads: own.length,
    providers: readers.length,
  };
}
