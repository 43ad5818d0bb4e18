/**
 * The claims review: every rule run over a batch of FHIR R4 Claims against the insurer's history and
 * the patient records it may read, giving each claim its flags (why, against which claims, how
 * serious), a rule score and the numeric features the fraud model scores. Pure and synchronous, so
 * the web app, the CLI and the training script compute exactly the same thing.
 */
import type { Claim } from '@medplum/fhirtypes';

import { CLAIMS_FRAUD } from '../catalog';
import { buildAmountReference, checkAmounts } from './amounts';
import { checkBurst } from './bursts';
import { checkDemographics } from './demographics';
import { checkDuplicates } from './duplicates';
import { readClaim, referenceId, type ClaimFacts } from './facts';
import { checkRecord, indexRecord, type RecordIndex } from './record';
import {
  CLAIM_FEATURES,
  type ClaimContext,
  type ClaimFeatureName,
  type ClaimFlag,
  type ClaimReview,
  type ClaimRuleOptions,
  type ClaimSeverity,
  type PatientContext,
} from './types';
import { checkPanels, checkSplit } from './unbundling';
import { upperBound } from '../windowed-baseline';

/** The rules' thresholds when the context sets none (see {@link ClaimRuleOptions} for each). */
export const DEFAULT_CLAIM_RULE_OPTIONS: Readonly<Required<ClaimRuleOptions>> = {
  duplicateDays: 3,
  duplicateAmountTolerance: 0.1,
  amountMinSample: 5,
  amountZ: 4,
  amountMinLogScale: 0.1,
  burstWindowDays: 7,
  burstHistoryWindows: 26,
  burstMinHistoryWindows: 4,
  burstFactor: 3,
  burstSigmas: 3,
  burstMinCount: 10,
  encounterToleranceDays: 1,
};

/** How much one flag of each severity adds to the rule score. */
export const SEVERITY_WEIGHT: Readonly<Record<ClaimSeverity, number>> = { high: 0.8, medium: 0.5, low: 0.2 };

const SEVERITY_RANK: Readonly<Record<ClaimSeverity, number>> = { high: 0, medium: 1, low: 2 };

/** Each feature's validated range in the catalog, to which it is clipped so the model sees values like those it was trained on. */
const FEATURE_RANGES = new Map(
  CLAIMS_FRAUD.features.map((feature) => [feature.name, [feature.min ?? -Infinity, feature.max ?? Infinity] as const]),
);

function clipToRanges(features: Record<ClaimFeatureName, number>): Record<ClaimFeatureName, number> {
  for (const name of CLAIM_FEATURES) {
    const [low, high] = FEATURE_RANGES.get(name)!;
    features[name] = Math.min(high, Math.max(low, features[name]));
  }
  return features;
}

/**
 * 1 − Π(1 − w) over the flags' severity weights: 0 with no flag, rising with each and with severity.
 *
 * @param flags - a claim's flags
 */
export function ruleScoreOf(flags: readonly Pick<ClaimFlag, 'severity'>[]): number {
  return 1 - flags.reduce((keep, flag) => keep * (1 - SEVERITY_WEIGHT[flag.severity]), 1);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = groups.get(k) ?? [];
    list.push(item);
    groups.set(k, list);
  }
  return groups;
}

const sameDayKey = (facts: ClaimFacts): string | undefined =>
  facts.day ? `${facts.patientId}\u0000${facts.provider}\u0000${facts.day}` : undefined;

/**
 * Reviews claims: duplicates and near-duplicates, services contradicting the patient's recorded sex or
 * age, prices far above the code's usual, unbundled lab panels and split encounters, provider bursts,
 * services on days without an encounter, and diagnoses the record lacks.
 *
 * Claims are compared with each other and with `context.history` (claims already reviewed; history
 * claims with the id of a claim under review are left out); only the claims passed in get a review. Rules needing a part of the patient record the context lacks are
 * skipped for that patient, never guessed.
 *
 * @param claims - the FHIR R4 Claims to review, typically one batch the insurer received
 * @param context - the insurer's history, the patients it may read, price statistics and thresholds
 * @returns one review per claim, in input order
 *
 * @example
 * ```ts
 * const reviews = reviewClaims(newClaims, {
 *   history: earlierClaims,
 *   patients: [patientContextOf(patientRecords, 'Patient/123')],
 * });
 * for (const review of reviews) for (const flag of review.flags) console.log(review.claimId, flag.severity, flag.message);
 * ```
 */
export function reviewClaims(claims: readonly Claim[], context: ClaimContext = {}): ClaimReview[] {
  const options = { ...DEFAULT_CLAIM_RULE_OPTIONS, ...context.options };
  const reviewed = claims.map((claim, i) => readClaim(claim, i));
  // A history that already holds a claim under review (same Claim.id) would make it its own duplicate.
  const reviewedIds = new Set(claims.flatMap((claim) => (claim.id ? [claim.id] : [])));
  const history = (context.history ?? [])
    .filter((claim) => !claim.id || !reviewedIds.has(claim.id))
    .map((claim, i) => readClaim(claim, claims.length + i));
  const all = [...reviewed, ...history];
  const amounts = context.amounts ?? buildAmountReference(all, options.amountMinSample);

  // Each patient's dated claims by day, so a claim is compared only with those within the duplicate window.
  const byPatient = groupBy(
    all.filter((facts) => facts.dayNumber !== undefined).sort((a, b) => a.dayNumber! - b.dayNumber!),
    (facts) => facts.patientId,
  );
  const patientDays = new Map(
    [...byPatient.entries()].map(([patient, list]) => [patient, list.map((facts) => facts.dayNumber!)]),
  );
  const nearby = (facts: ClaimFacts): ClaimFacts[] => {
    const list = byPatient.get(facts.patientId);
    const days = patientDays.get(facts.patientId);
    if (!list || !days || facts.dayNumber === undefined) return [];
    return list.slice(
      upperBound(days, facts.dayNumber - options.duplicateDays - 1),
      upperBound(days, facts.dayNumber + options.duplicateDays),
    );
  };
  const bySameDay = groupBy(all, sameDayKey);
  const byProvider = groupBy(
    all.filter((facts) => facts.time !== undefined).sort((a, b) => a.time! - b.time! || a.position - b.position),
    (facts) => facts.provider,
  );
  const providerTimes = new Map(
    [...byProvider.entries()].map(([provider, list]) => [provider, list.map((facts) => facts.time!)]),
  );
  const patients = new Map<string, { context: PatientContext; record: RecordIndex }>(
    (context.patients ?? []).map((patient) => [
      referenceId(patient.reference),
      { context: patient, record: indexRecord(patient) },
    ]),
  );
  const burstOptions = {
    windowDays: options.burstWindowDays,
    historyWindows: options.burstHistoryWindows,
    minHistoryWindows: options.burstMinHistoryWindows,
    factor: options.burstFactor,
    sigmas: options.burstSigmas,
    minCount: options.burstMinCount,
  };

  return reviewed.map((facts) => {
    const patient = patients.get(facts.patientId);
    const sameDay = bySameDay.get(sameDayKey(facts) ?? '') ?? [facts];
    const amount = checkAmounts(facts, amounts, options.amountZ, options.amountMinLogScale);
    const duplicate = checkDuplicates(facts, nearby(facts), {
      days: options.duplicateDays,
      amountTolerance: options.duplicateAmountTolerance,
    });
    const demographic = checkDemographics(facts, patient?.context);
    const panels = checkPanels(facts, sameDay);
    const split = checkSplit(facts, sameDay);
    const burst = checkBurst(
      facts,
      byProvider.get(facts.provider) ?? [],
      providerTimes.get(facts.provider) ?? [],
      burstOptions,
    );
    const record = checkRecord(facts, patient?.record, options.encounterToleranceDays);

    const flags = [duplicate, demographic, amount, panels, split, record, burst]
      .flatMap((check) => check.flags)
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
    const features = clipToRanges({
      amount_log_z: amount.maxZ,
      log_total: Math.log1p(Math.max(0, facts.total)),
      item_count: facts.lines.length,
      duplicate_similarity: duplicate.similarity,
      same_day_claims: split.sameDayClaims,
      shared_encounter_claims: split.sharedEncounterClaims,
      unbundled_components: panels.unbundledComponents,
      provider_burst_log_ratio: burst.logRatio,
      sex_mismatch: demographic.sexMismatch,
      age_mismatch: demographic.ageMismatch,
      no_encounter: record.noEncounter,
      unsupported_diagnoses: record.unsupportedDiagnoses,
    });
    return {
      claimId: facts.id,
      claim: facts.claim,
      patient: facts.patient,
      provider: facts.provider,
      serviceDate: facts.day,
      total: facts.total,
      currency: facts.currency,
      flags,
      features,
      ruleScore: ruleScoreOf(flags),
    };
  });
}

/**
 * A review's features as one model input row, in {@link CLAIM_FEATURES} order.
 *
 * @param review - a claim's review
 */
export function featureRow(review: Pick<ClaimReview, 'features'>): number[] {
  return CLAIM_FEATURES.map((name) => review.features[name]);
}
