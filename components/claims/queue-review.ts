/**
 * The insurer's fraud review of its claims queue, in this browser: the rules of lib/ai/claims over every
 * decrypted Claim of the queue (compared with each other), against what each patient lets the insurer
 * read (profile, conditions, encounters; read through lib/records and logged as a payment read), then
 * the approved claims model on onnxruntime-web. A model that cannot run (not approved, not served)
 * leaves the rules' findings standing and says why. Nothing leaves the browser.
 */
import type { Claim, Resource } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { registryApproval } from '../../lib/ai/approval';
import {
  type ClaimReview,
  type PatientContext,
  type ScoredClaim,
  patientContextOf,
  reviewClaims,
  scoreClaims,
} from '../../lib/ai/claims';
import { createWebBackend, fetchModelLoader } from '../../lib/ai/runtime-web';
import { PROFILE_CATEGORIES, RECORD_CATEGORIES, decodeScopes } from '../../lib/chain/categories';
import { readMedLedger } from '../../lib/chain/medledger';
import { purposeNamed } from '../../lib/chain/purpose';
import { describeError } from '../../lib/errors';
import type { ClaimView } from '../../lib/records/claims';
import { readRecords } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';

/** Where the app serves the onnxruntime-web wasm files and the models (see scripts/web-copy-wasm.ts). */
const WASM_PATH = '/ort/';
const MODELS_PATH = '/models';

/** The record categories the rules read from, when the patient lets the insurer read them. */
const CONTEXT_CATEGORIES: readonly number[] = [
  ...PROFILE_CATEGORIES,
  RECORD_CATEGORIES.condition,
  RECORD_CATEGORIES.encounter,
];

/** Where the review is, for the progress line. */
export type ReviewStage =
  | { stage: 'records'; patient: number; patients: number }
  | { stage: 'rules' }
  | { stage: 'model' }
  | { stage: 'runtime' }
  | { stage: 'scoring'; done: number; total: number };

/** One claim's review: the rules' flags and, when the model ran, its score. */
export type ClaimFindings = ClaimReview | ScoredClaim;

/** The queue's review: each claim's findings by on-chain claim number, and what became of the model. */
export interface QueueReview {
  readonly byClaim: ReadonlyMap<bigint, ClaimFindings>;
  /** On-chain claim number by the FHIR claim id the flags name. */
  readonly claimNumbers: ReadonlyMap<string, bigint>;
  /** The model that scored the claims, or why none did. */
  readonly model:
    | { readonly ok: true; readonly name: string; readonly version: string; readonly sha256: string }
    | { readonly ok: false; readonly reason: string };
  /** The patients of the reviewed claims. */
  readonly patients: number;
  /** Of them, those whose profile, conditions or encounters the rules could check claims against. */
  readonly patientsWithRecords: number;
}

/** Whether the findings carry the model's score. */
export function isScored(findings: ClaimFindings): findings is ScoredClaim {
  return 'modelScore' in findings;
}

/**
 * What `patient` lets the insurer read of the context the rules use, read and logged with purpose
 * "payment"; only the claim's reference when the insurer may read none of it.
 */
async function patientContext(vault: Vault, patient: Address): Promise<{ context: PatientContext; read: boolean }> {
  const reference = `Patient/${patient}`;
  const grant = await readMedLedger(vault.chain, 'grantOf', [patient, vault.chain.account!]);
  const categories = decodeScopes(grant.scopes).read.filter((category) => CONTEXT_CATEGORIES.includes(category));
  if (categories.length === 0) return { context: { reference }, read: false };
  const records = await readRecords(vault, patient, { categories, purpose: purposeNamed('payment') });
  const resources: Resource[] = records.flatMap((record) =>
    record.ok && !record.superseded ? [record.payload.resource] : [],
  );
  return { context: patientContextOf(resources, reference), read: true };
}

/**
 * Reviews the claims of `views` that could be opened, each against the others and its patient's record.
 *
 * @param vault - the insurer
 * @param views - its queue, as `listClaims` gave it
 * @param onStage - progress for the screen
 */
export async function reviewQueue(
  vault: Vault,
  views: readonly ClaimView[],
  onStage: (stage: ReviewStage) => void = () => {},
): Promise<QueueReview> {
  const opened = views.flatMap((view) => (view.claim.ok ? [{ view, claim: view.claim.resource as Claim }] : []));
  const patients = [...new Set(opened.map(({ view }) => view.ref.patient))];
  const contexts: PatientContext[] = [];
  let patientsWithRecords = 0;
  for (const [index, patient] of patients.entries()) {
    onStage({ stage: 'records', patient: index + 1, patients: patients.length });
    const { context, read } = await patientContext(vault, patient);
    contexts.push(context);
    if (read) patientsWithRecords += 1;
  }
  onStage({ stage: 'rules' });
  const reviews = reviewClaims(
    opened.map(({ claim }) => claim),
    { patients: contexts },
  );
  const claimNumbers = new Map(reviews.map((review, index) => [review.claimId, opened[index]!.view.claimId]));
  if (reviews.length === 0) {
    return {
      byClaim: new Map(),
      claimNumbers,
      model: { ok: false, reason: 'There is no claim to score.' },
      patients: 0,
      patientsWithRecords,
    };
  }
  let findings: readonly ClaimFindings[] = reviews;
  let model: QueueReview['model'];
  try {
    const approval = registryApproval(vault.chain);
    const scored = await scoreClaims(reviews, {
      backend: createWebBackend({ wasmPaths: WASM_PATH }),
      loadModel: fetchModelLoader(MODELS_PATH),
      isApproved: async (sha256) => (await approval(sha256)).approved,
      onProgress: onStage,
    });
    findings = scored;
    const { name, version, sha256 } = scored[0]!.model;
    model = { ok: true, name, version, sha256 };
  } catch (error) {
    model = { ok: false, reason: describeError(error) };
  }
  const byClaim = new Map(findings.map((entry, index) => [opened[index]!.view.claimId, entry]));
  return { byClaim, claimNumbers, model, patients: patients.length, patientsWithRecords };
}

/** The review's step as a sentence. */
export function reviewStageText(stage: ReviewStage | undefined): string {
  switch (stage?.stage) {
    case 'records':
      return `Reading what patient ${stage.patient} of ${stage.patients} lets you check claims against`;
    case 'rules':
      return 'Checking the claims against each other and the patients’ records';
    case 'model':
      return 'Loading the claims model and checking its approval on-chain';
    case 'runtime':
      return 'Starting the model runtime in this browser';
    case 'scoring':
      return `Scoring claims: ${stage.done} of ${stage.total}`;
    default:
      return 'Preparing the review';
  }
}
