/**
 * A patient's risk report from their decrypted records, the same in the web app and the CLI: every
 * shipped model scored only when the on-chain ModelRegistry approves its file's hash (with the score's
 * history), active medications and their interactions, and plausibility warnings pointing back to the
 * record they came from. The caller brings the records, the inference backend, the model files and
 * the approval lookup; nothing here reads the chain or the network itself.
 */
import type { Bundle, BundleEntry, CodeableConcept, Patient, Resource } from '@medplum/fhirtypes';

import type { RecordCategory } from '../chain/categories';
import { IntegrityError, describeError } from '../errors';
import { exportBundle } from '../fhir/bundle';
import type { ApprovalLookup, ModelApproval } from './approval';
import { RiskEngine, type RiskResult } from './assess';
import { MODELS, type ModelSpec } from './catalog';
import { checkInteractions, type InteractionFlag } from './ddi';
import { assessmentInstant } from './features';
import { activeMedications, type ActiveMedication } from './fhir';
import { checkBundle, type PlausibilityWarning } from './plausibility';
import { modelHash, type InferenceBackend, type ModelLoader } from './runtime';

/** A record the scores can point back to. */
export interface SourceRecord {
  readonly recordId: bigint;
  /** What the record is, e.g. "Observation: Cholesterol [Mass/volume]". */
  readonly label: string;
  /** Unix seconds the record was anchored on-chain. */
  readonly anchoredAt: number;
}

/** The parts of a model card a report shows (the card JSON written by `npm run train`). */
export interface ModelCardSummary {
  readonly intendedUse?: string;
  readonly limits?: readonly string[];
  readonly evaluation?: { method?: string; auc?: { mean: number; sd: number }; reported?: string };
}

/** One point of a score's history: the model re-run as of an earlier date. */
export interface TrendPoint {
  readonly date: string;
  readonly risk: number;
}

export interface ModelReport {
  readonly spec: ModelSpec;
  readonly sha256: string;
  readonly approval: ModelApproval;
  /** The engine's result; absent when the model was refused. */
  readonly result?: RiskResult;
  /** Why the model was not run (not approved), as a sentence. */
  readonly refusal?: string;
  readonly card?: ModelCardSummary;
  /** The score as of each day a recorded result changed it, oldest first (only when the model ran). */
  readonly trend: readonly TrendPoint[];
}

export interface LocatedWarning {
  readonly warning: PlausibilityWarning;
  readonly source?: SourceRecord;
}

/** Progress of {@link scoreModels}. */
export type ScoringStage =
  { stage: 'models'; done: number; total: number } | { stage: 'scoring'; done: number; total: number };

/** A decrypted record as lib/records returns it (only what the report reads). */
export interface ReportRecord {
  readonly header: { readonly recordId: bigint; readonly createdAt: number; readonly category: number };
  readonly payload: { readonly resource: Resource; readonly entry?: Omit<BundleEntry, 'resource'> };
}

function resourceLabel(resource: Resource): string {
  if (resource.resourceType === 'Patient') return 'Patient profile (date of birth, sex)';
  const concept =
    (resource as { code?: CodeableConcept }).code ??
    (resource as { medicationCodeableConcept?: CodeableConcept }).medicationCodeableConcept;
  const words =
    concept?.text ?? concept?.coding?.find((coding) => coding.display)?.display ?? concept?.coding?.[0]?.code;
  return words ? `${resource.resourceType}: ${words}` : resource.resourceType;
}

/**
 * Current records as a collection Bundle in which every resource has an id, so each model input names
 * the record it came from. Resources stored without an id get one derived from the record id.
 *
 * @param records - the current (not superseded) records, opened
 * @returns the bundle, the record behind each `ResourceType/id`, and the record behind each entry
 */
export function recordsBundle(records: readonly ReportRecord[]): {
  bundle: Bundle;
  sources: Map<string, SourceRecord>;
  byEntry: SourceRecord[];
} {
  const sources = new Map<string, SourceRecord>();
  const byEntry: SourceRecord[] = [];
  const drafts = records.map((record) => {
    const original = record.payload.resource;
    const resource = original.id ? original : { ...original, id: `medledger-record-${record.header.recordId}` };
    const source = {
      recordId: record.header.recordId,
      label: resourceLabel(resource),
      anchoredAt: record.header.createdAt,
    };
    sources.set(`${resource.resourceType}/${resource.id}`, source);
    byEntry.push(source);
    return { resource, entry: record.payload.entry ?? {}, category: record.header.category as RecordCategory };
  });
  return { bundle: exportBundle(drafts, { type: 'collection' }), sources, byEntry };
}

/** Days (`YYYY-MM-DD`) on which observations were taken, before the assessment date, oldest first. */
function observationDays(bundle: Bundle, at: Date): string[] {
  const days = new Set<string>();
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (resource?.resourceType !== 'Observation') continue;
    const when =
      resource.effectiveDateTime ?? resource.effectiveInstant ?? resource.effectivePeriod?.start ?? resource.issued;
    const day = when?.slice(0, 10);
    if (day && /^\d{4}-\d{2}-\d{2}$/.test(day) && new Date(`${day}T23:59:59.999Z`) < at) days.add(day);
  }
  return [...days].sort();
}

/** What {@link scoreModels} needs besides the bundle. */
export interface ScoreOptions {
  /** The assessment date (`YYYY-MM-DD` or a Date); default now. */
  readonly at?: Date | string;
  /** The patient's profile: resources about anyone else are not used (default: the first Patient). */
  readonly owner?: Patient;
  readonly backend: InferenceBackend;
  readonly loadModel: ModelLoader;
  /** The approval of each model file's hash; a model that is not approved is not run. */
  readonly approvalOf: ApprovalLookup;
  /** The model card to show beside a score; a missing card never blocks one. */
  readonly cardOf?: (spec: ModelSpec) => Promise<ModelCardSummary | undefined>;
  /** Default: every shipped model. */
  readonly models?: readonly ModelSpec[];
  /** Whether to re-run each model as of every earlier observation day (default true). */
  readonly trend?: boolean;
  readonly onStage?: (stage: ScoringStage) => void;
}

/**
 * Scores a bundle with every model whose file's hash is approved, each model on its own (a refused
 * model does not keep the others from running), with its history when `trend` is on.
 *
 * @param bundle - the patient's resources
 * @param options - backend, model files, approval lookup, cards, date and progress
 * @returns one report per model, in catalog order
 */
export async function scoreModels(bundle: Bundle, options: ScoreOptions): Promise<ModelReport[]> {
  const models = options.models ?? MODELS;
  const onStage = options.onStage ?? (() => {});
  const at = assessmentInstant(options.at);
  let loaded = 0;
  onStage({ stage: 'models', done: 0, total: models.length });
  const files = await Promise.all(
    models.map(async (spec) => {
      const [bytes, card] = await Promise.all([options.loadModel(spec), options.cardOf?.(spec)]);
      const sha256 = modelHash(bytes);
      const approval = await options.approvalOf(sha256);
      onStage({ stage: 'models', done: ++loaded, total: models.length });
      return { spec, bytes, sha256, approval, card };
    }),
  );
  const days = options.trend === false ? [] : observationDays(bundle, at);
  const reports: ModelReport[] = [];
  for (const [index, file] of files.entries()) {
    onStage({ stage: 'scoring', done: index, total: files.length });
    const engine = new RiskEngine({
      backend: options.backend,
      loadModel: async () => file.bytes,
      isApproved: async () => file.approval.approved,
      models: [file.spec],
    });
    const base = { spec: file.spec, sha256: file.sha256, approval: file.approval, card: file.card };
    try {
      if (!file.approval.approved) {
        // The engine would refuse only once it has enough data to run; say so up front either way.
        throw new IntegrityError(
          `Model ${file.spec.name} ${file.spec.version} (sha256 ${file.sha256}) is not approved in the on-chain model registry, so it was not run.`,
        );
      }
      const [result] = await engine.assess(bundle, { at, owner: options.owner });
      const trend: TrendPoint[] = [];
      if (result?.status === 'ok') {
        for (const day of days) {
          const [earlier] = await engine.assess(bundle, { at: day, owner: options.owner });
          // A day whose results this model does not use leaves the score as it was: not a new point.
          const unchanged = trend.length > 0 && Math.abs(trend[trend.length - 1]!.risk - (earlier?.risk ?? NaN)) < 1e-6;
          if (earlier?.status === 'ok' && earlier.risk !== null && !unchanged)
            trend.push({ date: day, risk: earlier.risk });
        }
      }
      reports.push({ ...base, result, trend });
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      reports.push({ ...base, refusal: describeError(error), trend: [] });
    } finally {
      await engine.close();
    }
  }
  onStage({ stage: 'scoring', done: files.length, total: files.length });
  return reports;
}

/** Everything the report says about a bundle besides who may read it. */
export interface BundleAssessment {
  readonly assessedAt: Date;
  readonly models: readonly ModelReport[];
  readonly medications: readonly ActiveMedication[];
  readonly interactions: readonly InteractionFlag[];
  readonly plausibility: readonly LocatedWarning[];
}

/**
 * Assesses a patient's bundle: model scores ({@link scoreModels}), active medications, drug–drug
 * interactions and plausibility warnings.
 *
 * @param bundle - the patient's resources
 * @param options - as for {@link scoreModels}, plus `byEntry`: the record behind each bundle entry, so
 *   that warnings name it (from {@link recordsBundle})
 */
export async function assessPatientBundle(
  bundle: Bundle,
  options: ScoreOptions & { readonly byEntry?: readonly SourceRecord[] },
): Promise<BundleAssessment> {
  const assessedAt = assessmentInstant(options.at);
  const models = await scoreModels(bundle, { ...options, at: assessedAt });
  const plausibility = checkBundle(bundle).map((warning) => {
    const index = /^Bundle\.entry\[(\d+)\]/.exec(warning.path)?.[1];
    return { warning, source: index === undefined ? undefined : options.byEntry?.[Number(index)] };
  });
  return {
    assessedAt,
    models,
    medications: activeMedications(bundle, assessedAt, options.owner),
    interactions: checkInteractions(bundle, { at: assessedAt, owner: options.owner }),
    plausibility,
  };
}
