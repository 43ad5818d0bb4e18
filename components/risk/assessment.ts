/**
 * The risk report behind the insights screens: the patient's records read through lib/records and
 * assessed by lib/ai/report (every shipped model whose hash the on-chain ModelRegistry approves, drug
 * interactions, implausible values), plus, for the patient, unusual access. This file adds what only
 * the browser has: onnxruntime-web, the models and cards the app serves, and the progress line.
 * Everything runs in this browser; nothing about the patient's health is sent anywhere.
 */
import type { Address } from 'viem';

import {
  createWebBackend,
  fetchModelLoader,
  type ActiveMedication,
  type InferenceBackend,
  type InteractionFlag,
  type ModelSpec,
} from '../../lib/ai';
import { type PatientAccessReview, reviewAccessTo } from '../../lib/ai/access-review';
import { registryApproval } from '../../lib/ai/approval';
import {
  type LocatedWarning,
  type ModelCardSummary,
  type ModelReport,
  type SourceRecord,
  assessPatientBundle,
  recordsBundle,
} from '../../lib/ai/report';
import { purposeNamed } from '../../lib/chain/purpose';
import { decodeScopes } from '../../lib/chain/categories';
import { readMedLedger } from '../../lib/chain/medledger';
import { AccessDeniedError, NotFoundError } from '../../lib/errors';
import { type OpenRecord, type UnreadableRecord, readRecords } from '../../lib/records/read';
import { readProfile } from '../../lib/records/profile';
import type { Vault } from '../../lib/records/vault';

export type { ModelApproval } from '../../lib/ai/approval';
export type { LocatedWarning, ModelCardSummary, ModelReport, SourceRecord, TrendPoint } from '../../lib/ai/report';

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

export type AccessReview = PatientAccessReview;

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

async function cardOf(spec: ModelSpec): Promise<ModelCardSummary | undefined> {
  // The card is context for the reader; a missing card never blocks a score.
  const response = await fetch(`${MODELS_PATH}/${spec.name}.json`).catch(() => undefined);
  if (!response?.ok) return undefined;
  const card = (await response.json().catch(() => undefined)) as ModelCardSummary | undefined;
  return card && { intendedUse: card.intendedUse, limits: card.limits, evaluation: card.evaluation };
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
    purpose: purposeNamed('risk-assessment'),
    onProgress: (progress) => {
      if (progress.step === 'list') onStage({ stage: 'records', done: 0, total: 0 });
      if (progress.step === 'decrypt')
        onStage({ stage: 'records', done: progress.done ?? 0, total: progress.total ?? 0 });
    },
    onStage: (transaction) => onStage({ stage: 'log-access', signing: transaction.stage === 'signing' }),
  });
  const current = results.filter((result): result is OpenRecord => result.ok && !result.superseded);
  const failed = results.filter((result): result is UnreadableRecord => !result.ok);
  const { bundle, sources, byEntry } = recordsBundle(current);

  // Score only what is about the owner: their profile names them (a provider without profile access
  // falls back to the Patient in the records, if any).
  const owner = await readProfile(vault, patient)
    .then((profile) => profile.resource)
    .catch(() => undefined);
  const assessment = await assessPatientBundle(bundle, {
    owner,
    backend: backendFor(onStage),
    loadModel: fetchModelLoader(MODELS_PATH),
    approvalOf: registryApproval(vault.chain),
    cardOf,
    byEntry,
    onStage,
  });
  let access: AccessReview | undefined;
  if (viewer === 'patient') {
    onStage({ stage: 'audit' });
    access = await reviewAccessTo(vault.chain, patient);
  }
  return {
    assessedAt: new Date(),
    viewer,
    recordsUsed: current.length,
    unreadable: { count: failed.length, reason: failed[0]?.error.message },
    readableCategories: categories,
    sources,
    models: assessment.models,
    medications: assessment.medications,
    interactions: assessment.interactions,
    plausibility: assessment.plausibility,
    access,
  };
}
