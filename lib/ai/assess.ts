/**
 * Risk assessment of a FHIR bundle with every shipped model: features → validity checks → approved
 * model → risk, band and per-feature contributions. A model whose inputs are missing or outside its
 * validated range returns "insufficient" or "out-of-range" with the reason, never a score.
 */
import type { Patient } from '@medplum/fhirtypes';

import { bandOf, MODELS, type FeatureSpec, type ModelSpec, type RiskBand } from './catalog';
import { extractFeatures, type ExtractedFeature, type FeatureExtraction } from './features';
import type { ResourceSource } from './fhir';
import { assertApproved, modelHash, type ApprovalCheck, type InferenceBackend, type ModelLoader, type RiskSession } from './runtime';

export type RiskStatus = 'ok' | 'insufficient' | 'out-of-range';

export interface RiskInput {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** `YYYY-MM-DD` of the record the value came from; null when it follows from the absence of records. */
  readonly date: string | null;
  readonly source: string | null;
}

export interface RiskResult {
  readonly model: string;
  readonly version: string;
  readonly title: string;
  readonly sha256: string;
  readonly status: RiskStatus;
  /** Probability 0–1; null unless status is "ok". */
  readonly risk: number | null;
  readonly band: RiskBand['label'] | null;
  /** Per-feature contributions (see `contributionScale`); empty unless status is "ok". */
  readonly contributions: readonly { name: string; value: number }[];
  readonly contributionScale: string;
  readonly inputs: readonly RiskInput[];
  /** Labels of the inputs the model needs but the record lacks. */
  readonly missing: readonly string[];
  /** Inputs outside the validated range, as sentences. */
  readonly outOfRange: readonly string[];
  /** Optional inputs the model imputed as it did in training. */
  readonly imputed: readonly string[];
  /** One sentence for people: the score, "not enough data: needs …" or "outside the model's validated range: …". */
  readonly message: string;
}

export interface RiskEngineOptions {
  readonly backend: InferenceBackend;
  readonly loadModel: ModelLoader;
  /** Hash approval, e.g. the on-chain ModelRegistry; a model that is not approved is refused. */
  readonly isApproved: ApprovalCheck;
  /** Models to run; defaults to every shipped model. */
  readonly models?: readonly ModelSpec[];
}

export interface AssessOptions {
  /** Assessment date `YYYY-MM-DD` (or a Date); defaults to today. Each input is the latest on or before it. */
  readonly at?: Date | string;
  /** The patient's profile: resources about anyone else are not used (default: the first Patient). */
  readonly owner?: Patient;
}

/**
 * How each model feature is read from the extracted FHIR features when names differ or a
 * threshold applies; every other feature is read under its own name.
 */
const DERIVED: Readonly<Record<string, (features: ReadonlyMap<string, ExtractedFeature>) => ExtractedFeature | undefined>> = {
  resting_sbp: (f) => rename(f.get('sbp'), 'resting_sbp'),
  fasting_glucose_over_120: (f) => {
    const glucose = f.get('fasting_glucose');
    return glucose && { ...glucose, name: 'fasting_glucose_over_120', value: glucose.value > 120 ? 1 : 0, unit: '1' };
  },
};

function rename(feature: ExtractedFeature | undefined, name: string): ExtractedFeature | undefined {
  return feature && { ...feature, name };
}

/** Models validated for one sex only, with the sex they require. */
const SEX_RESTRICTED: Readonly<Record<string, 'female'>> = { 'diabetes-pima': 'female' };

function validityProblem(feature: FeatureSpec, value: number): string | undefined {
  if (feature.categories && !feature.categories.includes(value)) return `${feature.label} ${value} is not one of ${feature.categories.join(', ')}`;
  if ((feature.min !== undefined && value < feature.min) || (feature.max !== undefined && value > feature.max)) {
    const unit = feature.unit === 'a' ? ' years' : feature.unit === '1' ? '' : ` ${feature.unit}`;
    return `${feature.label} ${round(value)}${unit} is outside ${feature.min}–${feature.max}`;
  }
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

interface Prepared {
  readonly row: Float32Array | undefined;
  readonly inputs: RiskInput[];
  readonly missing: string[];
  readonly outOfRange: string[];
  readonly imputed: string[];
}

function prepare(spec: ModelSpec, extraction: FeatureExtraction): Prepared {
  const inputs: RiskInput[] = [];
  const missing: string[] = [];
  const outOfRange: string[] = [];
  const imputed: string[] = [];
  const row = new Float32Array(spec.features.length);
  const requiredSex = SEX_RESTRICTED[spec.name];
  if (requiredSex) {
    const sex = extraction.features.get('sex_male');
    if (!sex) missing.push('sex (male/female)');
    else if ((sex.value === 1 ? 'male' : 'female') !== requiredSex) outOfRange.push(`the model is validated for ${requiredSex} patients only`);
  }
  spec.features.forEach((feature, j) => {
    const found = DERIVED[feature.name]?.(extraction.features) ?? extraction.features.get(feature.name);
    if (!found) {
      if (feature.optional && feature.missingAs === 'zero') {
        imputed.push(feature.label);
        row[j] = 0;
      } else {
        missing.push(feature.label);
      }
      return;
    }
    inputs.push({ name: feature.name, value: round(found.value), unit: found.unit, date: found.date, source: found.source });
    const problem = validityProblem(feature, found.value);
    if (problem) outOfRange.push(problem);
    row[j] = found.value;
  });
  const usable = missing.length === 0 && outOfRange.length === 0;
  return { row: usable ? row : undefined, inputs, missing, outOfRange, imputed };
}

/** Runs the shipped models on patients' bundles, keeping approved sessions open between calls. */
export class RiskEngine {
  private readonly options: RiskEngineOptions;
  private readonly models: readonly ModelSpec[];
  private readonly loaded = new Map<string, Promise<{ sha256: string; bytes: Uint8Array }>>();
  private readonly sessions = new Map<string, Promise<RiskSession>>();

  constructor(options: RiskEngineOptions) {
    this.options = options;
    this.models = options.models ?? MODELS;
  }

  private model(spec: ModelSpec): Promise<{ sha256: string; bytes: Uint8Array }> {
    let entry = this.loaded.get(spec.name);
    if (!entry) {
      entry = this.options.loadModel(spec).then((bytes) => ({ bytes, sha256: modelHash(bytes) }));
      this.loaded.set(spec.name, entry);
    }
    return entry;
  }

  private session(spec: ModelSpec): Promise<RiskSession> {
    let session = this.sessions.get(spec.name);
    if (!session) {
      session = this.model(spec).then(async ({ bytes, sha256 }) => {
        await assertApproved(spec, sha256, this.options.isApproved);
        return this.options.backend.createSession(bytes, spec.features.length);
      });
      // A refused or failed model is retried next time rather than cached as a rejection.
      session.catch(() => this.sessions.delete(spec.name));
      this.sessions.set(spec.name, session);
    }
    return session;
  }

  /**
   * Assesses one patient's bundle with every model.
   *
   * @param source - the patient's Bundle (or resources)
   * @param options - `at`: the assessment date, default today
   * @returns one result per model, in catalog order
   * @throws IntegrityError when a model that has enough data is not approved
   */
  async assess(source: ResourceSource, options: AssessOptions = {}): Promise<RiskResult[]> {
    const extraction = extractFeatures(source, options);
    const results: RiskResult[] = [];
    for (const spec of this.models) results.push(await this.assessOne(spec, extraction));
    return results;
  }

  private async assessOne(spec: ModelSpec, extraction: FeatureExtraction): Promise<RiskResult> {
    const { sha256 } = await this.model(spec);
    const prepared = prepare(spec, extraction);
    const base = {
      model: spec.name,
      version: spec.version,
      title: spec.title,
      sha256,
      contributionScale: spec.contributionScale,
      inputs: prepared.inputs,
      missing: prepared.missing,
      outOfRange: prepared.outOfRange,
      imputed: prepared.imputed,
    };
    if (prepared.outOfRange.length > 0) {
      return { ...base, status: 'out-of-range', risk: null, band: null, contributions: [], message: `outside the model's validated range: ${prepared.outOfRange.join('; ')}` };
    }
    if (!prepared.row) {
      return { ...base, status: 'insufficient', risk: null, band: null, contributions: [], message: `not enough data: needs ${prepared.missing.join(', ')}` };
    }
    const session = await this.session(spec);
    const output = await session.run(prepared.row, 1);
    const risk = output.risk[0]!;
    const band = bandOf(spec, risk);
    return {
      ...base,
      status: 'ok',
      risk,
      band,
      contributions: spec.contributions.map((name, i) => ({ name, value: output.contributions[i]! })),
      message: `${(risk * 100).toFixed(1)} % (${band})`,
    };
  }

  /** Releases every open session. */
  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (session) => (await session.catch(() => undefined))?.release()));
  }
}

/**
 * Assesses one bundle with every model and releases the sessions afterwards.
 *
 * @param source - the patient's Bundle (or resources)
 * @param options - backend, model loader, approval check and `at`
 */
export async function assessBundle(source: ResourceSource, options: RiskEngineOptions & AssessOptions): Promise<RiskResult[]> {
  const engine = new RiskEngine(options);
  try {
    return await engine.assess(source, { at: options.at, owner: options.owner });
  } finally {
    await engine.close();
  }
}
