/**
 * The claims model on onnxruntime (web in the browser, node in the CLI and tests): the features of
 * each reviewed claim scored by the approved `claims-fraud` ONNX file, with per-feature contributions,
 * and combined with the rule score. The model runs only when its SHA-256 is approved, like every model.
 */
import { bandOf, CLAIMS_FRAUD, type ModelSpec, type RiskBand } from '../catalog';
import {
  assertApproved,
  modelHash,
  type ApprovalCheck,
  type InferenceBackend,
  type ModelLoader,
  type RiskSession,
} from '../runtime';
import { featureRow } from './review';
import type { ClaimReview } from './types';

/** Rows per inference call, so progress can be reported on large batches. */
const BATCH_ROWS = 1000;

/** Progress of {@link ClaimScorer.score}: loading the file, starting the runtime, scoring rows. */
export type ClaimScoringStage =
  { stage: 'model' } | { stage: 'runtime' } | { stage: 'scoring'; done: number; total: number };

export interface ClaimScorerOptions {
  /** `createWebBackend(…)` in the browser, `createNodeBackend()` from `lib/ai/node` in Node. */
  readonly backend: InferenceBackend;
  /** `fetchModelLoader('/models')` in the browser, `fileModelLoader` from `lib/ai/node` in Node. */
  readonly loadModel: ModelLoader;
  /** Whether the file's SHA-256 may run: the on-chain ModelRegistry in the app, the shipped card offline. */
  readonly isApproved: ApprovalCheck;
  /** Default {@link CLAIMS_FRAUD}. */
  readonly spec?: ModelSpec;
  readonly onProgress?: (stage: ClaimScoringStage) => void;
}

/** A reviewed claim with the model's score. */
export interface ScoredClaim extends ClaimReview {
  /** The model's probability that the claim carries an injected fraud pattern (0–1); a ranking score, see the model card. */
  readonly modelScore: number;
  readonly band: RiskBand['label'];
  /** Each feature's share of the model's log-odds against the average training claim. */
  readonly contributions: readonly { readonly name: string; readonly value: number }[];
  /** {@link combineScores} of the rule score and the model score: the order to review claims in. */
  readonly combinedScore: number;
  readonly model: {
    readonly name: string;
    readonly version: string;
    readonly sha256: string;
    readonly backend: string;
  };
}

/**
 * Rules and model together: 1 − (1 − rule score)(1 − model score), so either one alone can put a
 * claim at the top and both together put it higher.
 *
 * @param ruleScore - the review's rule score
 * @param modelScore - the model's score
 */
export function combineScores(ruleScore: number, modelScore: number): number {
  return 1 - (1 - ruleScore) * (1 - modelScore);
}

/** Scores reviewed claims with the approved claims model, keeping its session open between calls. */
export class ClaimScorer {
  private readonly options: ClaimScorerOptions;
  private readonly spec: ModelSpec;
  private opened: Promise<{ session: RiskSession; sha256: string }> | undefined;

  constructor(options: ClaimScorerOptions) {
    this.options = options;
    this.spec = options.spec ?? CLAIMS_FRAUD;
  }

  private open(): Promise<{ session: RiskSession; sha256: string }> {
    if (!this.opened) {
      this.opened = (async () => {
        this.options.onProgress?.({ stage: 'model' });
        const bytes = await this.options.loadModel(this.spec);
        const sha256 = modelHash(bytes);
        await assertApproved(this.spec, sha256, this.options.isApproved);
        this.options.onProgress?.({ stage: 'runtime' });
        return { session: await this.options.backend.createSession(bytes, this.spec.features.length), sha256 };
      })();
      // A refused or failed model is retried next time rather than cached as a rejection.
      this.opened.catch(() => {
        this.opened = undefined;
      });
    }
    return this.opened;
  }

  /**
   * Scores reviews from `reviewClaims`.
   *
   * @param reviews - the reviewed claims
   * @returns one scored claim per review, in the same order
   * @throws IntegrityError when the model file's hash is not approved (nothing is scored)
   */
  async score(reviews: readonly ClaimReview[]): Promise<ScoredClaim[]> {
    const { session, sha256 } = await this.open();
    const scored: ScoredClaim[] = [];
    for (let start = 0; start < reviews.length; start += BATCH_ROWS) {
      this.options.onProgress?.({ stage: 'scoring', done: start, total: reviews.length });
      const batch = reviews.slice(start, start + BATCH_ROWS);
      const output = await session.run(Float32Array.from(batch.flatMap(featureRow)), batch.length);
      const stride = output.contributions.length / batch.length;
      batch.forEach((review, i) => {
        const modelScore = output.risk[i]!;
        scored.push({
          ...review,
          modelScore,
          band: bandOf(this.spec, modelScore),
          contributions: this.spec.contributions.map((name, j) => ({
            name,
            value: output.contributions[i * stride + j]!,
          })),
          combinedScore: combineScores(review.ruleScore, modelScore),
          model: { name: this.spec.name, version: this.spec.version, sha256, backend: this.options.backend.name },
        });
      });
    }
    this.options.onProgress?.({ stage: 'scoring', done: reviews.length, total: reviews.length });
    return scored;
  }

  /** Releases the session. */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    await (await opened?.catch(() => undefined))?.session.release();
  }
}

/**
 * Scores reviews once and releases the session.
 *
 * @param reviews - the reviewed claims
 * @param options - backend, model loader and approval check
 * @throws IntegrityError when the model file's hash is not approved
 */
export async function scoreClaims(
  reviews: readonly ClaimReview[],
  options: ClaimScorerOptions,
): Promise<ScoredClaim[]> {
  const scorer = new ClaimScorer(options);
  try {
    return await scorer.score(reviews);
  } finally {
    await scorer.close();
  }
}
