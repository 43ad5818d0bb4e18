/**
 * The insurer's fraud review of its claims queue, in this browser: lib/records' review of the queue
 * (lib/ai's claim rules over the decrypted Claims, compared with each other and with what each patient
 * lets the insurer read) scored by the claims model approved on-chain, on onnxruntime-web. A model that
 * cannot run (not approved, not served) leaves the rules' findings standing and says why. Nothing
 * leaves the browser.
 */
import { registryApproval } from '../../lib/ai/approval';
import { type ClaimReview, type ScoredClaim, scoreClaims } from '../../lib/ai/claims';
import { createWebBackend, fetchModelLoader } from '../../lib/ai/runtime-web';
import { describeError } from '../../lib/errors';
import type { ClaimReviewer } from '../../lib/records/claims';
import { reviewClaimQueue } from '../../lib/records/claims-review';
import type { Vault } from '../../lib/records/vault';

/** Where the app serves the onnxruntime-web wasm files and the models (see scripts/web-copy-wasm.ts). */
const WASM_PATH = '/ort/';
const MODELS_PATH = '/models';

/** Where the review is, for the progress line. */
export type ReviewStage =
  { stage: 'rules' } | { stage: 'model' } | { stage: 'runtime' } | { stage: 'scoring'; done: number; total: number };

/** The model that scored the queue, or why none did. */
export type ModelOutcome =
  | { readonly ok: true; readonly name: string; readonly version: string; readonly sha256: string }
  | { readonly ok: false; readonly reason: string };

/** Whether a claim's review carries the model's score. */
export function isScored(review: ClaimReview): review is ScoredClaim {
  return 'modelScore' in review;
}

/**
 * The reviewer `listClaims` runs on the insurer's queue: the rules of lib/records, then the approved
 * claims model over their features. `onModel` learns what became of the model.
 *
 * @param vault - the insurer
 * @param onStage - progress for the screen
 * @param onModel - the model that scored the claims, or why none did
 */
export function scoringReviewer(
  vault: Vault,
  onStage: (stage: ReviewStage) => void,
  onModel: (outcome: ModelOutcome) => void,
): ClaimReviewer {
  return async (views, records) => {
    onStage({ stage: 'rules' });
    const review = await reviewClaimQueue(views, records);
    const { reviews } = review;
    if (reviews.size === 0) {
      onModel({ ok: false, reason: 'There is no claim to score.' });
      return review;
    }
    const numbers = [...reviews.keys()];
    try {
      const approval = registryApproval(vault.chain);
      const scored = await scoreClaims([...reviews.values()], {
        backend: createWebBackend({ wasmPaths: WASM_PATH }),
        loadModel: fetchModelLoader(MODELS_PATH),
        isApproved: async (sha256) => (await approval(sha256)).approved,
        onProgress: onStage,
      });
      const { name, version, sha256 } = scored[0]!.model;
      onModel({ ok: true, name, version, sha256 });
      return { ...review, reviews: new Map(scored.map((scoredClaim, index) => [numbers[index]!, scoredClaim])) };
    } catch (error) {
      onModel({ ok: false, reason: describeError(error) });
      return review;
    }
  };
}

/** The review's step as a sentence. */
export function reviewStageText(stage: ReviewStage | undefined): string {
  switch (stage?.stage) {
    case 'model':
      return 'Loading the claims model and checking its approval on-chain';
    case 'runtime':
      return 'Starting the model runtime in this browser';
    case 'scoring':
      return `Scoring claims: ${stage.done} of ${stage.total}`;
    default:
      return 'Checking the claims against each other and what the patients let you read';
  }
}
