/** The public shapes of the claims review: what goes in (claims, patient context) and what comes out. */
import type { Claim, Condition, Encounter, Patient } from '@medplum/fhirtypes';

/** What a flag is about. */
export type ClaimFlagKind =
  /** The same service billed again: same patient, provider, codes, day and amount as an earlier claim. */
  | 'duplicate'
  /** Nearly the same as an earlier claim: dates or amount differ within tolerance. */
  | 'near-duplicate'
  /** A sex-specific service for a patient whose recorded gender is the other one. */
  | 'sex-mismatch'
  /** An age-specific service (paediatric, adult, geriatric) for a patient outside that age. */
  | 'age-mismatch'
  /** A line priced far above what the same code usually costs (possible upcoding). */
  | 'amount-outlier'
  /** Components of a lab panel billed separately, or together with the panel itself. */
  | 'unbundled-panel'
  /** One encounter (or one day with one provider) split into several claims. */
  | 'split-encounter'
  /** The provider submitted far more claims in the window than its own history. */
  | 'provider-burst'
  /** The claim's service day has no encounter in the patient's record (a possible phantom service). */
  | 'no-encounter'
  /** The claim names a diagnosis the patient's record does not hold. */
  | 'unsupported-diagnosis';

export type ClaimSeverity = 'low' | 'medium' | 'high';

/** One reason to look at a claim again. */
export interface ClaimFlag {
  readonly kind: ClaimFlagKind;
  readonly severity: ClaimSeverity;
  /** The flagged claim's id first, then the ids of the claims it was compared with. */
  readonly claimIds: readonly string[];
  /** One sentence a person understands: what was found and against what. */
  readonly message: string;
  /** The service codes involved, as `system|code`. */
  readonly codes: readonly string[];
}

/**
 * What the insurer may read about one patient, from the records the patient granted. Every part is
 * optional: a rule that needs a missing part is skipped for that patient, never guessed.
 */
export interface PatientContext {
  /**
   * How the claims refer to the patient (`Claim.patient.reference`). Matched on the logical id, so
   * `Patient/123`, `urn:uuid:123` and `https://…/Patient/123` all match a claim naming `Patient/123`.
   */
  readonly reference: string;
  /** FHIR administrative gender (`Patient.gender`). */
  readonly gender?: Patient['gender'];
  /** FHIR date of birth (`Patient.birthDate`). */
  readonly birthDate?: string;
  /** The patient's Conditions; when given, claimed diagnoses missing from them are flagged. */
  readonly conditions?: readonly Condition[];
  /** The patient's Encounters; when given, claims on days without an encounter are flagged. */
  readonly encounters?: readonly Encounter[];
}

/** Per-code price statistics from the insurer's own claim history (log scale, robust). */
export interface AmountStats {
  /** `claimType|system|code`. */
  readonly key: string;
  readonly display: string;
  /** Number of priced lines the statistics come from. */
  readonly count: number;
  /** Median amount, in the currency of the lines. */
  readonly median: number;
  /** Median of ln(amount). */
  readonly logMedian: number;
  /** Median absolute deviation of ln(amount) from `logMedian`. */
  readonly logMad: number;
}

/** Price statistics by code; build with `buildAmountReference`. */
export interface AmountReference {
  readonly byKey: ReadonlyMap<string, AmountStats>;
  /** Codes with fewer priced lines than this have no statistics (and are never called outliers). */
  readonly minSample: number;
}

/** Thresholds of the rules; every field has a documented default. */
export interface ClaimRuleOptions {
  /** Near-duplicates: service days at most this far apart (default 3). */
  readonly duplicateDays?: number;
  /** Near-duplicates: totals within this relative difference (default 0.1 = 10 %). */
  readonly duplicateAmountTolerance?: number;
  /** Price statistics need at least this many priced lines of a code (default 5). */
  readonly amountMinSample?: number;
  /** A line is an outlier from this robust log-scale z upwards (default 4). */
  readonly amountZ?: number;
  /** The smallest log-scale spread assumed for a code (default 0.1, about ±10 %), so fixed prices do not make every cent an outlier. */
  readonly amountMinLogScale?: number;
  /** Provider bursts: window length in days (default 7). */
  readonly burstWindowDays?: number;
  /** Provider bursts: windows of history (default 26, half a year of weeks). */
  readonly burstHistoryWindows?: number;
  /** Provider bursts: the provider's first claim must lie this many windows back (default 4). */
  readonly burstMinHistoryWindows?: number;
  /** Provider bursts: the window's count must exceed this multiple of the mean (default 3) … */
  readonly burstFactor?: number;
  /** … this many standard deviations above it (default 3) … */
  readonly burstSigmas?: number;
  /** … and this many claims (default 10). */
  readonly burstMinCount?: number;
  /** A claim within this many days of an encounter in the record has one (default 1). */
  readonly encounterToleranceDays?: number;
}

/** Everything the review compares claims against. */
export interface ClaimContext {
  /** The patients the insurer may read; claims of other patients skip the record-based rules. */
  readonly patients?: readonly PatientContext[];
  /**
   * Claims already reviewed (the insurer's history). They are compared with, and feed the price and
   * provider baselines, but get no review of their own. A history claim with the `Claim.id` of a claim
   * under review is the same claim and is left out.
   */
  readonly history?: readonly Claim[];
  /** Price statistics; default: built from `history` plus the claims under review. */
  readonly amounts?: AmountReference;
  readonly options?: ClaimRuleOptions;
}

/**
 * The model's input columns, in order (see `CLAIMS_FRAUD` in `lib/ai/catalog.ts`): each is a number
 * describing the claim relative to its context.
 */
export const CLAIM_FEATURES = [
  'amount_log_z',
  'log_total',
  'item_count',
  'duplicate_similarity',
  'same_day_claims',
  'shared_encounter_claims',
  'unbundled_components',
  'provider_burst_log_ratio',
  'sex_mismatch',
  'age_mismatch',
  'no_encounter',
  'unsupported_diagnoses',
] as const;

export type ClaimFeatureName = (typeof CLAIM_FEATURES)[number];

/** The review of one claim. */
export interface ClaimReview {
  /** `Claim.id` (or its first identifier, or `#<position>` when it has neither). */
  readonly claimId: string;
  readonly claim: Claim;
  /** `Claim.patient.reference` as written. */
  readonly patient: string;
  /** `Claim.provider` reference, identifier or display. */
  readonly provider: string;
  /** `YYYY-MM-DD` the service was given, as written on the claim; undefined when it has no date. */
  readonly serviceDate?: string;
  /** `Claim.total.value` (or the sum of its lines). */
  readonly total: number;
  readonly currency: string;
  /** Every rule finding, most severe first. */
  readonly flags: readonly ClaimFlag[];
  /** The model's inputs (see {@link CLAIM_FEATURES}). */
  readonly features: Readonly<Record<ClaimFeatureName, number>>;
  /**
   * 1 − Π(1 − w) over the flags, w = 0.8 / 0.5 / 0.2 for high / medium / low: a ranking aid in
   * [0, 1), not a probability. 0 when nothing was flagged.
   */
  readonly ruleScore: number;
}
