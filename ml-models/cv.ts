/** Repeated stratified k-fold cross-validation with preprocessing fitted inside each training fold. */
import type { ModelSpec } from '../lib/ai/catalog';
import type { Dataset } from './datasets';
import { auc, brier, meanSd } from './metrics';
import { fitPreprocessor, transform } from './preprocess';
import { createRandom, shuffled } from './prng';

/** A way to fit a classifier on standardised rows; returns a predictor for new standardised rows. */
export interface Candidate {
  readonly name: string;
  readonly description: string;
  fit(z: number[][], y: number[], seed: number): (z: number[][]) => number[];
}

export interface CvResult {
  readonly candidate: string;
  readonly description: string;
  /** One AUC per fold per repeat. */
  readonly foldAucs: number[];
  readonly auc: { mean: number; sd: number };
  /** Brier score of each repeat's out-of-fold predictions. */
  readonly brier: { mean: number; sd: number };
  /** Out-of-fold predictions of every repeat, pooled (`repeats × n` values), with their labels. */
  readonly pooled: { probabilities: number[]; labels: number[] };
}

/**
 * Assigns each row a fold number so every fold has the same share of positives.
 *
 * @param labels - 0/1 outcomes
 * @param folds - number of folds
 * @param random - seeded source of uniform numbers
 */
export function stratifiedFolds(labels: readonly number[], folds: number, random: () => number): number[] {
  const assignment = new Array<number>(labels.length).fill(0);
  for (const cls of [0, 1]) {
    const members = shuffled(
      labels.flatMap((label, i) => (label === cls ? [i] : [])),
      random,
    );
    members.forEach((row, k) => {
      assignment[row] = k % folds;
    });
  }
  return assignment;
}

/**
 * Runs `repeats × folds` cross-validation of one candidate.
 *
 * @param spec - the model's catalog spec (drives preprocessing)
 * @param data - raw rows and labels
 * @param candidate - the learner
 * @param options - repeats, folds and seed; the same seed gives every candidate the same splits
 */
export function crossValidate(
  spec: ModelSpec,
  data: Dataset,
  candidate: Candidate,
  options: { repeats: number; folds: number; seed: number },
): CvResult {
  const random = createRandom(options.seed);
  const foldAucs: number[] = [];
  const brierScores: number[] = [];
  const pooledProbabilities: number[] = [];
  const pooledLabels: number[] = [];
  for (let repeat = 0; repeat < options.repeats; repeat += 1) {
    const assignment = stratifiedFolds(data.labels, options.folds, random);
    const outOfFold = new Array<number>(data.rows.length).fill(0);
    for (let fold = 0; fold < options.folds; fold += 1) {
      const train = assignment.flatMap((f, i) => (f === fold ? [] : [i]));
      const test = assignment.flatMap((f, i) => (f === fold ? [i] : []));
      const prep = fitPreprocessor(spec, train.map((i) => data.rows[i]!));
      const predict = candidate.fit(
        transform(spec, prep, train.map((i) => data.rows[i]!)),
        train.map((i) => data.labels[i]!),
        options.seed + repeat * options.folds + fold,
      );
      const probabilities = predict(transform(spec, prep, test.map((i) => data.rows[i]!)));
      test.forEach((row, k) => {
        outOfFold[row] = probabilities[k]!;
      });
      foldAucs.push(auc(probabilities, test.map((i) => data.labels[i]!)));
    }
    brierScores.push(brier(outOfFold, data.labels));
    pooledProbabilities.push(...outOfFold);
    pooledLabels.push(...data.labels);
  }
  return {
    candidate: candidate.name,
    description: candidate.description,
    foldAucs,
    auc: meanSd(foldAucs),
    brier: meanSd(brierScores),
    pooled: { probabilities: pooledProbabilities, labels: pooledLabels },
  };
}

/**
 * Pre-specified rule for replacing logistic regression: the richer model's mean AUC gain over the
 * same folds (or repeats) must be at least 0.01 and more than twice its standard error.
 *
 * @param baselineAucs - the baseline's AUC per fold
 * @param richerAucs - the richer model's AUC on the same folds
 */
export function richerWins(baselineAucs: readonly number[], richerAucs: readonly number[]): boolean {
  const gains = richerAucs.map((value, i) => value - baselineAucs[i]!);
  const { mean, sd } = meanSd(gains);
  return mean >= 0.01 && mean > (2 * sd) / Math.sqrt(gains.length);
}
