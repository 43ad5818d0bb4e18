/**
 * Provider bursts: a provider submitting far more claims in the window ending at a claim than in its
 * own history. The windows, the baseline and the burst test are the unusual-access detector's
 * (`windowed-baseline.ts`); here the count is claims per provider instead of reads.
 */
import {
  baselineOf,
  countByWindow,
  hasEnoughHistory,
  isBurst,
  upperBound,
  type BurstThresholds,
  type WindowLayout,
} from '../windowed-baseline';
import type { ClaimFacts } from './facts';
import type { ClaimFlag } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** At most this many other claims are named in a burst flag. */
const MAX_NAMED = 100;

export interface BurstOptions extends BurstThresholds {
  readonly windowDays: number;
  readonly historyWindows: number;
  readonly minHistoryWindows: number;
}

/** The burst rule's findings and the model's input for one claim. */
export interface BurstCheck {
  readonly flags: ClaimFlag[];
  /** ln((claims in the window + 1) / (usual per window + 1)); 0 while the provider has too little history. */
  readonly logRatio: number;
}

/**
 * Judges the provider's claim count in the window ending at this claim against its own history.
 *
 * @param facts - the claim under review
 * @param providerClaims - the provider's claims with a time, sorted by time (history included)
 * @param providerTimes - their times, in the same order
 * @param options - window, history and thresholds
 */
export function checkBurst(
  facts: ClaimFacts,
  providerClaims: readonly ClaimFacts[],
  providerTimes: readonly number[],
  options: BurstOptions,
): BurstCheck {
  if (facts.time === undefined || providerTimes.length === 0) return { flags: [], logRatio: 0 };
  const windowMs = options.windowDays * DAY_MS;
  const layout: WindowLayout = { now: facts.time, windowMs, historyWindows: options.historyWindows };
  if (!hasEnoughHistory(providerTimes[0]!, layout, options.minHistoryWindows)) return { flags: [], logRatio: 0 };
  const { history, current: count } = countByWindow(providerTimes, layout);
  const baseline = baselineOf(history);
  const logRatio = Math.log((count + 1) / (baseline.mean + 1));
  if (!isBurst(count, baseline, options)) return { flags: [], logRatio };
  const inWindow = providerClaims.slice(
    upperBound(providerTimes, facts.time - windowMs),
    upperBound(providerTimes, facts.time),
  );
  const others = inWindow.filter((claim) => claim.position !== facts.position).map((claim) => claim.id);
  return {
    logRatio,
    flags: [
      {
        kind: 'provider-burst',
        severity: 'medium',
        claimIds: [facts.id, ...others.slice(0, MAX_NAMED)],
        codes: [],
        message: `${facts.provider} submitted ${count} claims in the ${options.windowDays} days up to ${facts.day}; its usual is ${baseline.mean.toFixed(1)} ± ${baseline.sd.toFixed(1)} per ${options.windowDays} days over the ${options.historyWindows} windows before.`,
      },
    ],
  };
}
