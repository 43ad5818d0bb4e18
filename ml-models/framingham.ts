/**
 * Framingham 2008 general CVD 10-year risk (D'Agostino et al., Circulation 2008;117:743-753):
 * the published coefficients, a plain TypeScript evaluation of the equation, and its ONNX graph.
 *
 * risk = 1 − S0 ^ exp(Σ βᵢ·xᵢ − group mean), continuous xᵢ as natural logs, and exactly one of the
 * treated/untreated SBP terms. The graph writes the SBP terms as βu·ln SBP + (βt − βu)·ln SBP·treated,
 * which is the same sum and lets both sexes and treatment states share one linear layer.
 */
import { FRAMINGHAM_BMI, FRAMINGHAM_LIPID, type ModelSpec } from '../lib/ai/catalog';
import { GraphBuilder } from './onnx/graph';

export type FraminghamVariant = 'lipid' | 'bmi';
export type Sex = 'male' | 'female';

/** Coefficients for one sex of one model variant, as published. */
export interface SexCoefficients {
  /** β of ln(value) for each continuous input other than SBP, keyed by feature name. */
  readonly logTerms: Readonly<Record<string, number>>;
  readonly sbpUntreated: number;
  readonly sbpTreated: number;
  readonly smoker: number;
  readonly diabetes: number;
  readonly groupMean: number;
  readonly baselineSurvival: number;
}

export type FraminghamCoefficients = Readonly<Record<Sex, SexCoefficients>>;

/** The continuous inputs (besides SBP) each variant takes as logs, in graph column order. */
export const LOG_TERMS: Readonly<Record<FraminghamVariant, readonly string[]>> = {
  lipid: ['age', 'total_cholesterol', 'hdl'],
  bmi: ['age', 'bmi'],
};

/**
 * Reference profile for per-feature contributions: the paper's "normal" risk factors (TC 180, HDL 45,
 * SBP 125 untreated, non-smoker, non-diabetic), BMI 22.5 (middle of the normal range) and age 30, the
 * youngest validated age, so every contribution reads as "extra log-hazard over an optimal profile".
 */
export const REFERENCE_PROFILE: Readonly<Record<string, number>> = {
  age: 30,
  total_cholesterol: 180,
  hdl: 45,
  bmi: 22.5,
  sbp: 125,
};

export const SPEC_OF: Readonly<Record<FraminghamVariant, ModelSpec>> = { lipid: FRAMINGHAM_LIPID, bmi: FRAMINGHAM_BMI };

const JSON_KEYS: Readonly<Record<string, string>> = {
  age: 'ln_age',
  total_cholesterol: 'ln_total_cholesterol',
  hdl: 'ln_hdl',
  bmi: 'ln_bmi',
};

function numberAt(record: Record<string, unknown>, key: string, where: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${where}.${key} is not a number`);
  return value;
}

/**
 * Reads the coefficients of one variant from the published-coefficients JSON
 * (`framingham-2008-cvd-equation/frs2008_general_cvd.json`).
 *
 * @param json - the parsed JSON document
 * @param variant - `lipid` or `bmi`
 */
export function parseCoefficients(json: unknown, variant: FraminghamVariant): FraminghamCoefficients {
  const section = variant === 'lipid' ? 'lipid_model' : 'bmi_model_non_laboratory';
  const model = (json as Record<string, Record<string, Record<string, unknown>> | undefined>)[section];
  if (!model) throw new Error(`coefficients JSON has no ${section}`);
  const read = (sex: Sex): SexCoefficients => {
    const row = model[sex];
    if (!row) throw new Error(`${section} has no ${sex} coefficients`);
    const where = `${section}.${sex}`;
    return {
      logTerms: Object.fromEntries(LOG_TERMS[variant].map((name) => [name, numberAt(row, JSON_KEYS[name]!, where)])),
      sbpUntreated: numberAt(row, 'ln_sbp_untreated', where),
      sbpTreated: numberAt(row, 'ln_sbp_treated', where),
      smoker: numberAt(row, 'smoker', where),
      diabetes: numberAt(row, 'diabetes', where),
      groupMean: numberAt(row, 'group_mean', where),
      baselineSurvival: numberAt(row, 'baseline_survival_10y', where),
    };
  };
  return { male: read('male'), female: read('female') };
}

/** One person's inputs, keyed like the model's catalog features (`sex_male`, `sbp`, …). */
export type FraminghamInput = Readonly<Record<string, number>>;

function designRow(variant: FraminghamVariant, input: FraminghamInput): number[] {
  const value = (name: string): number => {
    const v = input[name];
    if (v === undefined) throw new Error(`missing input ${name}`);
    return v;
  };
  const lnSbp = Math.log(value('sbp'));
  return [
    ...LOG_TERMS[variant].map((name) => Math.log(value(name))),
    lnSbp,
    lnSbp * value('bp_treated'),
    value('smoker'),
    value('diabetes'),
  ];
}

function betaRow(variant: FraminghamVariant, c: SexCoefficients): number[] {
  return [
    ...LOG_TERMS[variant].map((name) => c.logTerms[name]!),
    c.sbpUntreated,
    c.sbpTreated - c.sbpUntreated,
    c.smoker,
    c.diabetes,
  ];
}

function referenceRow(variant: FraminghamVariant): number[] {
  return [...LOG_TERMS[variant].map((name) => Math.log(REFERENCE_PROFILE[name]!)), Math.log(REFERENCE_PROFILE.sbp!), 0, 0, 0];
}

/**
 * Evaluates the published equation directly, in double precision.
 *
 * @param variant - `lipid` or `bmi`
 * @param coefficients - both sexes' coefficients of that variant
 * @param input - the person's values in the catalog's units
 * @returns the 10-year risk (0–1) and the per-feature log-hazard contributions against {@link REFERENCE_PROFILE}
 */
export function framinghamRisk(
  variant: FraminghamVariant,
  coefficients: FraminghamCoefficients,
  input: FraminghamInput,
): { risk: number; contributions: number[] } {
  const c = input.sex_male === 1 ? coefficients.male : coefficients.female;
  const design = designRow(variant, input);
  const beta = betaRow(variant, c);
  const reference = referenceRow(variant);
  const linear = design.reduce((sum, x, i) => sum + x * beta[i]!, 0);
  return {
    risk: 1 - Math.pow(c.baselineSurvival, Math.exp(linear - c.groupMean)),
    contributions: design.map((x, i) => (x - reference[i]!) * beta[i]!),
  };
}

/**
 * Builds the ONNX graph of one variant: input `features` `[N, k]` in catalog order, outputs `risk`
 * `[N, 1]` and `contributions` `[N, m]`. Sex selects the coefficient row with `Where`, so one model
 * serves both sexes and mixed batches.
 *
 * @param variant - `lipid` or `bmi`
 * @param coefficients - both sexes' coefficients
 * @param metadata - strings stored in the model's `metadata_props`
 */
export function buildFraminghamGraph(
  variant: FraminghamVariant,
  coefficients: FraminghamCoefficients,
  metadata: Record<string, string>,
): Uint8Array {
  const spec = SPEC_OF[variant];
  const column = (name: string): number => spec.features.findIndex((feature) => feature.name === name);
  const g = new GraphBuilder();
  const x = g.input('features', spec.features.length, `columns: ${spec.features.map((f) => `${f.name} [${f.unit}]`).join(', ')}`);

  const logged = g.op('Log', [g.columns(x, [...LOG_TERMS[variant].map(column), column('sbp')])]);
  const lnSbp = g.columns(logged, [LOG_TERMS[variant].length]);
  const lnSbpTreated = g.op('Mul', [lnSbp, g.columns(x, [column('bp_treated')])]);
  const indicators = g.columns(x, [column('smoker'), column('diabetes')]);
  const design = g.op('Concat', [logged, lnSbpTreated, indicators], [{ name: 'axis', value: 1 }]);

  const width = spec.contributions.length;
  const male = g.op('Greater', [g.columns(x, [column('sex_male')]), g.constant([0.5], [1, 1], 'half')]);
  const bySex = (male_: number[], female: number[], hint: string): string =>
    g.op('Where', [male, g.constant(male_, [1, male_.length], `${hint}_male`), g.constant(female, [1, female.length], `${hint}_female`)]);
  const reference = referenceRow(variant);
  // Contributions come first; the linear predictor is their sum plus a per-sex constant folding in the
  // reference profile, the group mean and ln(−ln S0): 1 − S0^exp(lp − mean) = 1 − exp(−exp(lp − mean + ln(−ln S0))).
  const offset = (c: SexCoefficients): number =>
    betaRow(variant, c).reduce((sum, b, i) => sum + b * reference[i]!, 0) - c.groupMean + Math.log(-Math.log(c.baselineSurvival));
  const beta = bySex(betaRow(variant, coefficients.male), betaRow(variant, coefficients.female), 'beta');
  const contributions = g.op('Mul', [g.op('Sub', [design, g.constant(reference, [1, width], 'reference')]), beta]);
  const exponent = g.op('Add', [g.rowSum(contributions), bySex([offset(coefficients.male)], [offset(coefficients.female)], 'offset')]);
  const survival = g.op('Exp', [g.op('Neg', [g.op('Exp', [exponent])])]);
  const risk = g.op('Sub', [g.constant([1], [1, 1], 'one'), survival]);

  g.output('risk', risk, 1, '10-year CVD risk, probability 0–1');
  g.output('contributions', contributions, width, `per-feature log-hazard vs reference: ${spec.contributions.join(', ')}`);
  return g.build(spec.name, spec.title, metadata);
}
