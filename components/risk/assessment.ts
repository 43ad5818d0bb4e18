/**
 * The risk report behind the insights screens: the patient's records read through lib/records, turned
 * into one FHIR bundle, scored by every shipped model whose hash the on-chain ModelRegistry approves,
 * and checked for drug interactions, implausible values and (for the patient) unusual access.
 * Everything runs in this browser; nothing about the patient's health is sent anywhere.
 */
import type { Bundle, CodeableConcept, Resource } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import {
  activeMedications,
  assessmentInstant,
  checkBundle,
  checkInteractions,
  createWebBackend,
  detectUnusualAccess,
  fetchModelLoader,
  MODELS,
  modelHash,
  RiskEngine,
  type AccessEvent,
  type ActiveMedication,
  type InferenceBackend,
  type InteractionFlag,
  type ModelSpec,
  type PlausibilityWarning,
  type RiskResult,
  type UnusualAccessFinding,
} from '../../lib/ai';
import { patientActivity } from '../../lib/chain/activity';
import { decodeScopes, type RecordCategory } from '../../lib/chain/categories';
import { readMedLedger, readModelRegistry } from '../../lib/chain/medledger';
import { AccessDeniedError, IntegrityError, NotFoundError, describeError } from '../../lib/errors';
import { exportBundle } from '../../lib/fhir';
import { type OpenRecord, type UnreadableRecord, readRecords } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';

/** Where the app serves the onnxruntime-web wasm files and the models (see scripts/web-copy-wasm.ts). */
const WASM_PATH = '/ort/';
const MODELS_PATH = '/models';

/** Where the report is, for the progress line. */
export type ReportStage =
  | { stage: 'access' }
  | { stage: 'records'; done: number; total: number }
  /** A provider's read being logged on-chain; `signing` while the wallet asks to confirm. */
  | { stage: 'log-access'; signing: boolean }
  | { stage: 'models'; done: number; total: number }
  | { stage: 'runtime' }
  | { stage: 'scoring'; done: number; total: number }
  | { stage: 'audit' };

/** A record the scores can point back to. */
export interface SourceRecord {
  readonly recordId: bigint;
  /** What the record is, e.g. "Cholesterol [Mass/volume]". */
  readonly label: string;
  /** Unix seconds the record was anchored on-chain. */
  readonly anchoredAt: number;
}

/** What the on-chain ModelRegistry says about the hash of a model file. */
export interface ModelApproval {
  readonly approved: boolean;
  /** Unix seconds of approval; 0 when never approved. */
  readonly approvedAt: number;
  readonly deprecated: boolean;
  readonly registeredName: string;
  readonly registeredVersion: number;
}

/** The parts of a model card the panel shows (the card JSON written by `npm run train`). */
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

export interface AccessReview {
  readonly findings: readonly UnusualAccessFinding[];
  /** `AccessLogged` events reviewed and the distinct providers behind them. */
  readonly reads: number;
  readonly providers: number;
}

export interface RiskReport {
  readonly assessedAt: Date;
  readonly viewer: 'patient' | 'provider';
  /** Current (not superseded) records the scores were computed from. */
  readonly recordsUsed: number;
  /** Records that could not be opened, with the first reason. */
  readonly unreadable: { count: number; reason?: string };
  /** For a provider: the categories the patient lets it read. */
  readonly readableCategories?: readonly number[];
  /** `ResourceType/id` → the record it came from. */
  readonly sources: ReadonlyMap<string, SourceRecord>;
  readonly models: readonly ModelReport[];
  readonly medications: readonly ActiveMedication[];
  readonly interactions: readonly InteractionFlag[];
  readonly plausibility: readonly LocatedWarning[];
  /** Only in the patient's own view: the audit trail is theirs to review. */
  readonly access?: AccessReview;
}

export interface ReportOptions {
  readonly onStage?: (stage: ReportStage) => void;
}

// One runtime per page: onnxruntime-web is fetched and compiled on the first score, then reused.
let sharedBackend: InferenceBackend | undefined;

/** The onnxruntime-web backend, reporting when its runtime is first started. */
function backendFor(onStage: (stage: ReportStage) => void): InferenceBackend {
  sharedBackend ??= createWebBackend({ wasmPaths: WASM_PATH });
  const backend = sharedBackend;
  return {
    name: backend.name,
    createSession(model, width) {
      onStage({ stage: 'runtime' });
      return backend.createSession(model, width);
    },
  };
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
 * The current records as a collection Bundle in which every resource has an id, so each model input
 * names the record it came from. Resources stored without an id get one derived from the record id.
 */
function bundleOf(records: readonly OpenRecord[]): {
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

/** The categories a provider may read; refuses when the patient has not granted live access. */
async function readableCategories(vault: Vault, patient: Address, provider: Address): Promise<number[]> {
  const grant = await readMedLedger(vault.chain, 'grantOf', [patient, provider]);
  const live =
    grant.scopes !== 0n && (await readMedLedger(vault.chain, 'hasAccess', [patient, provider, grant.scopes]));
  const categories = decodeScopes(grant.scopes).read;
  if (!live || categories.length === 0) {
    throw new AccessDeniedError(
      `${patient} has not given you read access to any records, or the access expired or was revoked. Ask the patient for access from the provider dashboard.`,
    );
  }
  return categories;
}

async function approvalOf(vault: Vault, sha256: string): Promise<ModelApproval> {
  const model = await readModelRegistry(vault.chain, 'modelOf', [`0x${sha256}`]);
  const approved = await readModelRegistry(vault.chain, 'isApproved', [`0x${sha256}`]);
  return {
    approved,
    approvedAt: Number(model.approvedAt),
    deprecated: model.deprecated,
    registeredName: model.name,
    registeredVersion: Number(model.version),
  };
}

async function cardOf(spec: ModelSpec): Promise<ModelCardSummary | undefined> {
  // The card is context for the reader; a missing card never blocks a score.
  const response = await fetch(`${MODELS_PATH}/${spec.name}.json`).catch(() => undefined);
  if (!response?.ok) return undefined;
  const card = (await response.json().catch(() => undefined)) as ModelCardSummary | undefined;
  return card && { intendedUse: card.intendedUse, limits: card.limits, evaluation: card.evaluation };
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

async function scoreModels(
  vault: Vault,
  bundle: Bundle,
  at: Date,
  onStage: (stage: ReportStage) => void,
): Promise<ModelReport[]> {
  const loadModel = fetchModelLoader(MODELS_PATH);
  let loaded = 0;
  onStage({ stage: 'models', done: 0, total: MODELS.length });
  const files = await Promise.all(
    MODELS.map(async (spec) => {
      const [bytes, card] = await Promise.all([loadModel(spec), cardOf(spec)]);
      const sha256 = modelHash(bytes);
      const approval = await approvalOf(vault, sha256);
      onStage({ stage: 'models', done: ++loaded, total: MODELS.length });
      return { spec, bytes, sha256, approval, card };
    }),
  );
  const backend = backendFor(onStage);
  const isApproved = async (sha256: string) => readModelRegistry(vault.chain, 'isApproved', [`0x${sha256}`]);
  const days = observationDays(bundle, at);
  const reports: ModelReport[] = [];
  for (const [index, file] of files.entries()) {
    onStage({ stage: 'scoring', done: index, total: files.length });
    // One engine per model, so a refused model does not keep the others from running.
    const engine = new RiskEngine({ backend, loadModel: async () => file.bytes, isApproved, models: [file.spec] });
    const base = { spec: file.spec, sha256: file.sha256, approval: file.approval, card: file.card };
    try {
      if (!file.approval.approved) {
        // The engine would refuse only once it has enough data to run; say so up front either way.
        throw new IntegrityError(
          `Model ${file.spec.name} ${file.spec.version} (sha256 ${file.sha256}) is not approved in the on-chain model registry, so it was not run.`,
        );
      }
      const [result] = await engine.assess(bundle, { at });
      const trend: TrendPoint[] = [];
      if (result?.status === 'ok') {
        for (const day of days) {
          const [earlier] = await engine.assess(bundle, { at: day });
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

/** Unusual access to this patient's records, from their on-chain audit trail. */
async function reviewAccess(vault: Vault, patient: Address): Promise<AccessReview> {
  const activity = await patientActivity(vault.chain, patient);
  const events: AccessEvent[] = activity.flatMap((event) =>
    event.kind === 'accessLogged'
      ? [
          {
            provider: event.provider,
            patient,
            recordIds: event.recordIds.map(String),
            timestamp: event.timestamp * 1000,
          },
        ]
      : [],
  );
  // Review the day up to now, not up to the latest read, so a burst that just happened is what counts.
  const findings = detectUnusualAccess(events, { now: Date.now() });
  return {
    findings,
    reads: events.length,
    providers: new Set(events.map((event) => event.provider.toLowerCase())).size,
  };
}

/**
 * Builds the risk report of `patient` for the vault's account (the patient or a granted provider).
 * A provider's read is logged on-chain (`logAccess`), exactly as the provider record screens do.
 *
 * @param vault - the acting account's vault
 * @param patient - whose records to assess
 * @param options - `onStage` for progress
 * @throws AccessDeniedError when a provider has no live read access; NotFoundError when the patient is not registered
 */
export async function buildRiskReport(
  vault: Vault,
  patient: Address,
  options: ReportOptions = {},
): Promise<RiskReport> {
  const onStage = options.onStage ?? (() => {});
  const viewer = vault.chain.account?.toLowerCase() === patient.toLowerCase() ? 'patient' : 'provider';
  onStage({ stage: 'access' });
  if (!(await readMedLedger(vault.chain, 'isPatient', [patient]))) {
    throw new NotFoundError(
      viewer === 'patient'
        ? 'This wallet is not registered as a patient yet. Register on the Get started page, then add your records.'
        : `${patient} is not a registered MedLedger patient. Check the address.`,
    );
  }
  const categories = viewer === 'provider' ? await readableCategories(vault, patient, vault.chain.account!) : undefined;

  const results = await readRecords(vault, patient, {
    categories,
    logAccess: viewer === 'provider',
    onProgress: (progress) => {
      if (progress.step === 'list') onStage({ stage: 'records', done: 0, total: 0 });
      if (progress.step === 'decrypt')
        onStage({ stage: 'records', done: progress.done ?? 0, total: progress.total ?? 0 });
    },
    onStage: (transaction) => onStage({ stage: 'log-access', signing: transaction.stage === 'signing' }),
  });
  const current = results.filter((result): result is OpenRecord => result.ok && !result.superseded);
  const failed = results.filter((result): result is UnreadableRecord => !result.ok);
  const { bundle, sources, byEntry } = bundleOf(current);

  const assessedAt = assessmentInstant();
  const models = await scoreModels(vault, bundle, assessedAt, onStage);
  const plausibility = checkBundle(bundle).map((warning) => {
    const index = /^Bundle\.entry\[(\d+)\]/.exec(warning.path)?.[1];
    return { warning, source: index === undefined ? undefined : byEntry[Number(index)] };
  });
  let access: AccessReview | undefined;
  if (viewer === 'patient') {
    onStage({ stage: 'audit' });
    access = await reviewAccess(vault, patient);
  }
  return {
    assessedAt: new Date(),
    viewer,
    recordsUsed: current.length,
    unreadable: { count: failed.length, reason: failed[0]?.error.message },
    readableCategories: categories,
    sources,
    models,
    medications: activeMedications(bundle, assessedAt),
    interactions: checkInteractions(bundle, { at: assessedAt }),
    plausibility,
    access,
  };
}
