/**
 * The contract between FHIR feature extraction, the ONNX graphs and their model cards: for each
 * model, the ordered input columns (name, unit, validated range) and the contribution columns the
 * graph outputs. `ml-models/train.ts` builds every graph from these specs, so the column order used
 * at inference time cannot drift from the one used in training.
 */

/** How the graph treats a value that the source dataset marks as missing. */
export type MissingEncoding = 'zero' | 'nan';

export interface FeatureSpec {
  /** Column key, also the key of the extracted FHIR feature. */
  readonly name: string;
  /** Words a person reads in "needs X". */
  readonly label: string;
  /** UCUM unit the graph expects (`1` for indicators and counts). */
  readonly unit: string;
  /** Inclusive validated range; values outside make the result "out-of-range". */
  readonly min?: number;
  readonly max?: number;
  /** Categorical codes, one-hot encoded inside the graph. */
  readonly categories?: readonly number[];
  /** The dataset marks missing values this way and the graph imputes them (fold-fitted median/mode). */
  readonly missingAs?: MissingEncoding;
  /**
   * May be absent at inference: the graph imputes it exactly as during training, where the value was
   * missing for a large share of rows. The result then lists it under `imputed`.
   */
  readonly optional?: boolean;
}

export interface RiskBand {
  /** Upper bound (exclusive) of the band as a probability; the last band has `Infinity`. */
  readonly below: number;
  readonly label: 'low' | 'intermediate' | 'high';
}

export interface ModelSpec {
  readonly name: string;
  readonly version: string;
  readonly title: string;
  readonly outcome: string;
  readonly features: readonly FeatureSpec[];
  /** Names of the columns of the graph's `contributions` output. */
  readonly contributions: readonly string[];
  /** What a contribution measures, e.g. log-odds against the training average. */
  readonly contributionScale: string;
  readonly bands: readonly RiskBand[];
}

const indicator = (name: string, label: string): FeatureSpec => ({ name, label, unit: '1', min: 0, max: 1 });

/** Framingham 10-year CVD bands commonly used with the 2008 equation (<10 %, 10–20 %, ≥20 %). */
const framinghamBands: readonly RiskBand[] = [
  { below: 0.1, label: 'low' },
  { below: 0.2, label: 'intermediate' },
  { below: Infinity, label: 'high' },
];

/** Bands for the dataset-trained classifiers: fixed cut-offs at 20 % and 50 %, not clinical thresholds. */
const classifierBands: readonly RiskBand[] = [
  { below: 0.2, label: 'low' },
  { below: 0.5, label: 'intermediate' },
  { below: Infinity, label: 'high' },
];

const framinghamContributionScale =
  'log-hazard relative to a person of age 30 with total cholesterol 180 mg/dL, HDL 45 mg/dL, untreated SBP 125 mmHg, BMI 22.5, non-smoker, non-diabetic';

export const FRAMINGHAM_LIPID: ModelSpec = {
  name: 'framingham-cvd-lipid',
  version: '1.0.0',
  title: 'Framingham 2008 general CVD 10-year risk (lipid model)',
  outcome: '10-year risk of a first cardiovascular event (coronary, cerebrovascular, peripheral artery disease, heart failure)',
  features: [
    { name: 'age', label: 'age', unit: 'a', min: 30, max: 74 },
    indicator('sex_male', 'sex (male/female)'),
    { name: 'total_cholesterol', label: 'total cholesterol', unit: 'mg/dL', min: 100, max: 400 },
    { name: 'hdl', label: 'HDL cholesterol', unit: 'mg/dL', min: 10, max: 100 },
    { name: 'sbp', label: 'systolic blood pressure', unit: 'mm[Hg]', min: 90, max: 200 },
    indicator('bp_treated', 'antihypertensive treatment'),
    indicator('smoker', 'smoking status'),
    indicator('diabetes', 'diabetes status'),
  ],
  contributions: ['age', 'total_cholesterol', 'hdl', 'sbp', 'bp_treated', 'smoker', 'diabetes'],
  contributionScale: framinghamContributionScale,
  bands: framinghamBands,
};

export const FRAMINGHAM_BMI: ModelSpec = {
  name: 'framingham-cvd-bmi',
  version: '1.0.0',
  title: 'Framingham 2008 general CVD 10-year risk (BMI, non-laboratory model)',
  outcome: FRAMINGHAM_LIPID.outcome,
  features: [
    { name: 'age', label: 'age', unit: 'a', min: 30, max: 74 },
    indicator('sex_male', 'sex (male/female)'),
    { name: 'bmi', label: 'body mass index', unit: 'kg/m2', min: 15, max: 50 },
    { name: 'sbp', label: 'systolic blood pressure', unit: 'mm[Hg]', min: 90, max: 200 },
    indicator('bp_treated', 'antihypertensive treatment'),
    indicator('smoker', 'smoking status'),
    indicator('diabetes', 'diabetes status'),
  ],
  contributions: ['age', 'bmi', 'sbp', 'bp_treated', 'smoker', 'diabetes'],
  contributionScale: framinghamContributionScale,
  bands: framinghamBands,
};

export const DIABETES_PIMA: ModelSpec = {
  name: 'diabetes-pima',
  version: '1.0.0',
  title: 'Diabetes (Pima Indians, women ≥ 21) — logistic regression',
  outcome: 'diabetes by WHO criteria at examination (prevalent or within 5 years, as in the source study)',
  features: [
    { name: 'pregnancies', label: 'number of pregnancies', unit: '1', min: 0, max: 17 },
    { name: 'glucose_ogtt_2h', label: '2-hour oral glucose tolerance test glucose', unit: 'mg/dL', min: 40, max: 200, missingAs: 'zero' },
    { name: 'dbp', label: 'diastolic blood pressure', unit: 'mm[Hg]', min: 24, max: 122, missingAs: 'zero' },
    { name: 'triceps_skinfold', label: 'triceps skinfold thickness', unit: 'mm', min: 7, max: 99, missingAs: 'zero', optional: true },
    { name: 'insulin_2h', label: '2-hour serum insulin', unit: 'u[IU]/mL', min: 14, max: 846, missingAs: 'zero', optional: true },
    { name: 'bmi', label: 'body mass index', unit: 'kg/m2', min: 18, max: 67.1, missingAs: 'zero' },
    { name: 'diabetes_pedigree', label: 'diabetes pedigree function', unit: '1', min: 0.078, max: 2.42 },
    { name: 'age', label: 'age', unit: 'a', min: 21, max: 81 },
  ],
  contributions: ['pregnancies', 'glucose_ogtt_2h', 'dbp', 'triceps_skinfold', 'insulin_2h', 'bmi', 'diabetes_pedigree', 'age'],
  contributionScale: 'log-odds relative to the average training patient',
  bands: classifierBands,
};

export const HEART_DISEASE_CLEVELAND: ModelSpec = {
  name: 'heart-disease-cleveland',
  version: '1.0.0',
  title: 'Coronary artery disease (UCI Cleveland) — logistic regression',
  outcome: 'angiographic coronary artery disease (> 50 % diameter narrowing in any major vessel)',
  features: [
    { name: 'age', label: 'age', unit: 'a', min: 29, max: 77 },
    indicator('sex_male', 'sex (male/female)'),
    { name: 'chest_pain_type', label: 'chest pain type', unit: '1', categories: [1, 2, 3, 4] },
    { name: 'resting_sbp', label: 'resting systolic blood pressure', unit: 'mm[Hg]', min: 94, max: 200 },
    { name: 'total_cholesterol', label: 'total cholesterol', unit: 'mg/dL', min: 126, max: 564 },
    indicator('fasting_glucose_over_120', 'fasting glucose'),
    { name: 'resting_ecg', label: 'resting ECG result', unit: '1', categories: [0, 1, 2] },
    { name: 'max_heart_rate', label: 'exercise test maximum heart rate', unit: '/min', min: 71, max: 202 },
    indicator('exercise_angina', 'exercise-induced angina'),
    { name: 'st_depression', label: 'exercise ST depression', unit: 'mm', min: 0, max: 6.2 },
    { name: 'st_slope', label: 'exercise ST slope', unit: '1', categories: [1, 2, 3] },
    { name: 'major_vessels', label: 'major vessels on fluoroscopy', unit: '1', min: 0, max: 3, missingAs: 'nan' },
    { name: 'thallium', label: 'thallium stress test result', unit: '1', categories: [3, 6, 7], missingAs: 'nan' },
  ],
  contributions: [
    'age', 'sex_male', 'chest_pain_type', 'resting_sbp', 'total_cholesterol', 'fasting_glucose_over_120', 'resting_ecg',
    'max_heart_rate', 'exercise_angina', 'st_depression', 'st_slope', 'major_vessels', 'thallium',
  ],
  contributionScale: 'log-odds relative to the average training patient',
  bands: classifierBands,
};

/**
 * The insurer's claims anomaly model (`lib/ai/claims`): columns are the features `reviewClaims` computes
 * for a claim relative to its context, each clipped to the range given here. Not a patient risk model,
 * so it is not in {@link MODELS} (the risk engine's list); the seed approves it like every model with a card.
 */
export const CLAIMS_FRAUD: ModelSpec = {
  name: 'claims-fraud',
  version: '1.0.0',
  title: 'Claims anomaly score (insurer, logistic regression on claim-context features)',
  outcome:
    'the claim carries one of the injected fraud patterns (duplicate, upcoding, unbundling, phantom service); trained on synthetic injections into Synthea claims, not on confirmed fraud',
  features: [
    { name: 'amount_log_z', label: "largest line price vs its code's usual (robust log-scale z)", unit: '1', min: -20, max: 20 },
    { name: 'log_total', label: 'claim total, ln(1 + amount)', unit: '1', min: 0, max: 30 },
    { name: 'item_count', label: 'number of coded lines', unit: '1', min: 0, max: 50 },
    { name: 'duplicate_similarity', label: 'similarity to an earlier claim not naming another encounter (1 = exact copy)', unit: '1', min: 0, max: 1 },
    { name: 'same_day_claims', label: 'other claims of the same type, patient, provider and day', unit: '1', min: 0, max: 10 },
    { name: 'shared_encounter_claims', label: 'earlier claims naming the same encounter (same type, provider and day)', unit: '1', min: 0, max: 10 },
    { name: 'unbundled_components', label: 'lab panel components billed apart from their panel', unit: '1', min: 0, max: 20 },
    { name: 'provider_burst_log_ratio', label: "provider's claims in the week vs its usual, ln((n + 1) / (mean + 1))", unit: '1', min: -5, max: 5 },
    indicator('sex_mismatch', 'service contradicts the recorded gender'),
    indicator('age_mismatch', 'service contradicts the age at service'),
    indicator('no_encounter', 'no encounter in the record near the service day'),
    { name: 'unsupported_diagnoses', label: 'claimed diagnoses missing from the record', unit: '1', min: 0, max: 10 },
  ],
  contributions: [
    'amount_log_z', 'log_total', 'item_count', 'duplicate_similarity', 'same_day_claims', 'shared_encounter_claims',
    'unbundled_components', 'provider_burst_log_ratio', 'sex_mismatch', 'age_mismatch', 'no_encounter', 'unsupported_diagnoses',
  ],
  contributionScale: 'log-odds relative to the average training claim',
  bands: classifierBands,
};

/** Every shipped model, in the order results are reported. */
export const MODELS: readonly ModelSpec[] = [FRAMINGHAM_LIPID, FRAMINGHAM_BMI, DIABETES_PIMA, HEART_DISEASE_CLEVELAND];

/**
 * The band a risk falls in.
 *
 * @param spec - the model whose bands apply
 * @param risk - probability in [0, 1]
 */
export function bandOf(spec: ModelSpec, risk: number): RiskBand['label'] {
  const band = spec.bands.find((candidate) => risk < candidate.below);
  return (band ?? spec.bands[spec.bands.length - 1]!).label;
}
