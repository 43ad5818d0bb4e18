/**
 * Upcoding: a line priced far above what the same code usually costs in the insurer's own claims.
 * Prices are compared on the log scale (a price twice the usual is as far above as half is below) with
 * the median and the median absolute deviation, so a few outliers in the history do not move the
 * reference, and with a floor on the spread, so codes with fixed prices do not make every cent an outlier.
 */
import type { Claim } from '@medplum/fhirtypes';

import { describeCode, money, readClaim, type ClaimFacts, type ClaimLine } from './facts';
import type { AmountReference, AmountStats, ClaimFlag } from './types';

/** The scale of a normal distribution's MAD: 1.4826 × MAD estimates its standard deviation. */
const MAD_TO_SD = 1.4826;

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The statistics key of a line: claim type, system and code (a pharmacy visit line is priced apart from a clinic's). */
export function amountKey(facts: Pick<ClaimFacts, 'type'>, line: Pick<ClaimLine, 'code'>): string {
  return `${facts.type}|${line.code}`;
}

/**
 * Per-code price statistics from claims (the insurer's history, usually with the claims under review).
 *
 * @param claims - FHIR Claims or already read facts
 * @param minSample - codes with fewer priced lines get no statistics (default 5)
 */
export function buildAmountReference(claims: readonly (Claim | ClaimFacts)[], minSample = 5): AmountReference {
  const samples = new Map<string, { display: string; amounts: number[] }>();
  claims.forEach((claim, position) => {
    const facts = 'resourceType' in claim ? readClaim(claim, position) : claim;
    for (const line of facts.lines) {
      if (line.diagnosis || line.amount === undefined || !(line.amount > 0)) continue;
      const key = amountKey(facts, line);
      const entry = samples.get(key) ?? { display: line.display, amounts: [] };
      entry.amounts.push(line.amount);
      samples.set(key, entry);
    }
  });
  const byKey = new Map<string, AmountStats>();
  for (const [key, { display, amounts }] of [...samples.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (amounts.length < minSample) continue;
    const logs = amounts.map(Math.log).sort((a, b) => a - b);
    const logMedian = median(logs);
    const logMad = median(logs.map((value) => Math.abs(value - logMedian)).sort((a, b) => a - b));
    byKey.set(key, {
      key,
      display,
      count: amounts.length,
      median: median([...amounts].sort((a, b) => a - b)),
      logMedian,
      logMad,
    });
  }
  return { byKey, minSample };
}

/**
 * How many spreads a price lies above the code's usual: (ln amount − median ln) / max(1.4826·MAD, floor).
 *
 * @param amount - the line's price (> 0)
 * @param stats - the code's statistics
 * @param minLogScale - the smallest spread assumed
 */
export function robustLogZ(amount: number, stats: AmountStats, minLogScale: number): number {
  return (Math.log(amount) - stats.logMedian) / Math.max(MAD_TO_SD * stats.logMad, minLogScale);
}

/** The amount rule's finding and the model's input for one claim. */
export interface AmountCheck {
  readonly flags: ClaimFlag[];
  /** The largest robust z of the claim's priced lines that have statistics (0 when none has). */
  readonly maxZ: number;
}

/**
 * Flags the lines of a claim priced at least `zThreshold` robust spreads above their code's usual.
 *
 * @param facts - the claim
 * @param reference - per-code statistics
 * @param zThreshold - robust z from which a line is an outlier
 * @param minLogScale - the smallest spread assumed
 */
export function checkAmounts(
  facts: ClaimFacts,
  reference: AmountReference,
  zThreshold: number,
  minLogScale: number,
): AmountCheck {
  const flags: ClaimFlag[] = [];
  let maxZ: number | undefined;
  for (const line of facts.lines) {
    if (line.diagnosis || line.amount === undefined || !(line.amount > 0)) continue;
    const stats = reference.byKey.get(amountKey(facts, line));
    if (!stats) continue;
    const z = robustLogZ(line.amount, stats, minLogScale);
    maxZ = maxZ === undefined ? z : Math.max(maxZ, z);
    if (z < zThreshold) continue;
    const ratio = line.amount / stats.median;
    flags.push({
      kind: 'amount-outlier',
      severity: z >= 2 * zThreshold ? 'high' : 'medium',
      claimIds: [facts.id],
      codes: [line.code],
      message: `${describeCode(line.code, line.display)} is billed at ${money(line.amount, facts.currency)}, ${ratio.toFixed(1)} times the usual ${money(stats.median, facts.currency)} for this code (median of ${stats.count} ${facts.type || 'claim'} lines; ${z.toFixed(1)} robust spreads above).`,
    });
  }
  return { flags, maxZ: maxZ ?? 0 };
}
