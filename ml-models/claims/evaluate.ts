/**
 * Honest evaluation of the claims review: patients are split (seeded) into a training and a held-out
 * half, fraud is injected into each half separately, the model is fitted on the training half only,
 * and every scorer ranks the held-out claims — reviewed against the training half as the insurer's
 * history. Repeated over seeded splits; reported as mean ± sd over repeats.
 */
import { CLAIMS_FRAUD } from '../../lib/ai/catalog';
import { combineScores, featureRow, reviewClaims } from '../../lib/ai/claims';
import { fitLogistic, predictLogistic } from '../logistic';
import { auc, expectedHitsAtK, meanSd, precisionAtK } from '../metrics';
import { fitMlp, predictMlp } from '../mlp';
import { fitPreprocessor, transform } from '../preprocess';
import { createRandom, shuffled } from '../prng';
import { FRAUD_PATTERNS, injectFraud, type FraudPattern, type LabelledPatient } from './inject';
import type { SyntheaPatient } from './synthea';

/** Reviewed claims as model rows with their labels. */
export interface ClaimDataset {
  readonly rows: number[][];
  readonly labels: number[];
  readonly patterns: (FraudPattern | undefined)[];
  readonly ruleScores: number[];
}

/**
 * Reviews labelled claims (against `history` when given) and returns the model rows.
 *
 * @param labelled - the patients whose claims are reviewed
 * @param history - patients whose claims form the insurer's history
 */
export function claimDataset(
  labelled: readonly LabelledPatient[],
  history: readonly LabelledPatient[] = [],
): ClaimDataset {
  const claims = labelled.flatMap((p) => p.claims);
  const reviews = reviewClaims(
    claims.map((c) => c.claim),
    { patients: labelled.map((p) => p.patient.context), history: history.flatMap((p) => p.claims.map((c) => c.claim)) },
  );
  return {
    rows: reviews.map(featureRow),
    labels: claims.map((c) => (c.pattern ? 1 : 0)),
    patterns: claims.map((c) => c.pattern),
    ruleScores: reviews.map((r) => r.ruleScore),
  };
}

/** A way to score held-out claims, given the training half. */
export interface Scorer {
  readonly name: string;
  readonly description: string;
  score(train: ClaimDataset, test: ClaimDataset, seed: number): number[];
}

/**
 * The shipped learner: standardisation (as in the graph) and ridge logistic regression.
 *
 * @param lambda - ridge penalty
 */
export function logisticScorer(lambda: number): Scorer {
  return {
    name: 'model',
    description: `the shipped learner: logistic regression, ridge λ = ${lambda}, on the standardised features`,
    score(train, test) {
      const prep = fitPreprocessor(CLAIMS_FRAUD, train.rows);
      const model = fitLogistic(transform(CLAIMS_FRAUD, prep, train.rows), train.labels, lambda);
      return predictLogistic(model, transform(CLAIMS_FRAUD, prep, test.rows));
    },
  };
}

/** The rule score alone. */
export const RULES_SCORER: Scorer = {
  name: 'rules',
  description: 'the rule score alone, 1 − Π(1 − w) over the flags',
  score: (_train, test) => test.ruleScores,
};

/**
 * Rules and the logistic model combined as the app combines them.
 *
 * @param lambda - ridge penalty of the model
 */
export function combinedScorer(lambda: number): Scorer {
  const model = logisticScorer(lambda);
  return {
    name: 'rules+model',
    description: 'combineScores(rule score, model score) = 1 − (1 − rule)(1 − model), as the app ranks claims',
    score(train, test, seed) {
      const scores = model.score(train, test, seed);
      return scores.map((p, i) => combineScores(test.ruleScores[i]!, p));
    },
  };
}

/** A richer learner reported for comparison (same features, same splits). */
export const MLP_SCORER: Scorer = {
  name: 'mlp',
  description: 'comparison: one hidden layer of 8 tanh units, Adam 300 epochs, lr 0.01, weight decay 0.001',
  score(train, test, seed) {
    const prep = fitPreprocessor(CLAIMS_FRAUD, train.rows);
    const model = fitMlp(transform(CLAIMS_FRAUD, prep, train.rows), train.labels, {
      hidden: 8,
      epochs: 300,
      learningRate: 0.01,
      weightDecay: 1e-3,
      seed,
    });
    return predictMlp(model, transform(CLAIMS_FRAUD, prep, test.rows));
  },
};

/** Ranking metrics of one scorer on one held-out half. */
export interface RankingMetrics {
  readonly auc: number;
  /** Precision among the k highest scores, for k = 10, 50 and R (the number of injected frauds). */
  readonly precisionAt: Readonly<Record<string, number>>;
  /** Per pattern: AUC of its frauds against clean claims, and the share of its frauds in the top R. */
  readonly perPattern: Readonly<Partial<Record<FraudPattern, { auc: number; recallAtR: number }>>>;
}

export const K_VALUES = [10, 50] as const;

/**
 * Ranking metrics of scores on a held-out half (ties broken at random in expectation).
 *
 * @param scores - one score per held-out claim
 * @param data - the held-out half
 */
export function rankingMetrics(scores: readonly number[], data: ClaimDataset): RankingMetrics {
  const positives = data.labels.filter((y) => y === 1).length;
  const precisionAt: Record<string, number> = {};
  for (const k of K_VALUES) precisionAt[`${k}`] = precisionAtK(scores, data.labels, k);
  precisionAt.R = precisionAtK(scores, data.labels, positives);
  const perPattern: Partial<Record<FraudPattern, { auc: number; recallAtR: number }>> = {};
  for (const pattern of FRAUD_PATTERNS) {
    const members = data.patterns.map((p) => p === pattern);
    const count = members.filter(Boolean).length;
    if (count === 0) continue;
    const keep = data.labels.map((y, i) => y === 0 || members[i]!);
    perPattern[pattern] = {
      auc: auc(
        scores.filter((_, i) => keep[i]),
        data.labels.filter((_, i) => keep[i]),
      ),
      recallAtR: expectedHitsAtK(scores, members, positives) / count,
    };
  }
  return { auc: auc(scores, data.labels), precisionAt, perPattern };
}

type MeanSd = { mean: number; sd: number };

/** One scorer's metrics over the repeats. */
export interface ScorerSummary {
  readonly name: string;
  readonly description: string;
  readonly auc: MeanSd;
  readonly precisionAt: Readonly<Record<string, MeanSd>>;
  readonly perPattern: Readonly<Record<string, { auc: MeanSd; recallAtR: MeanSd; repeats: number }>>;
}

export interface RepeatedEvaluation {
  readonly repeats: number;
  /** Mean per repeat of held-out sizes. */
  readonly heldOut: { patients: MeanSd; claims: MeanSd; frauds: MeanSd; byPattern: Readonly<Record<string, MeanSd>> };
  readonly train: { patients: MeanSd; claims: MeanSd; frauds: MeanSd };
  readonly scorers: readonly ScorerSummary[];
  /** Each scorer's held-out AUC per repeat, for paired comparisons. */
  readonly foldAucs: Readonly<Record<string, number[]>>;
}

/**
 * Repeats: split patients in half (seeded), inject fraud into each half with its own seed, fit on the
 * training half, score the held-out half.
 *
 * @param patients - the clean patients
 * @param options - repeats, injection rate, base seed and the scorers to compare
 */
export function evaluateRepeated(
  patients: readonly SyntheaPatient[],
  options: { repeats: number; rate: number; seed: number; scorers: readonly Scorer[] },
): RepeatedEvaluation {
  const perRepeat = options.scorers.map(() => [] as RankingMetrics[]);
  const sizes = {
    heldOutPatients: [] as number[],
    heldOutClaims: [] as number[],
    heldOutFrauds: [] as number[],
    trainPatients: [] as number[],
    trainClaims: [] as number[],
    trainFrauds: [] as number[],
  };
  const byPattern: Record<string, number[]> = Object.fromEntries(FRAUD_PATTERNS.map((p) => [p, []]));
  for (let repeat = 0; repeat < options.repeats; repeat += 1) {
    const order = shuffled(patients, createRandom(options.seed + repeat));
    const half = Math.ceil(order.length / 2);
    const train = injectFraud(order.slice(0, half), { rate: options.rate, seed: options.seed + 1000 + repeat });
    const heldOut = injectFraud(order.slice(half), { rate: options.rate, seed: options.seed + 2000 + repeat });
    const trainData = claimDataset(train);
    const testData = claimDataset(heldOut, train);
    sizes.trainPatients.push(train.length);
    sizes.trainClaims.push(trainData.labels.length);
    sizes.trainFrauds.push(trainData.labels.filter((y) => y === 1).length);
    sizes.heldOutPatients.push(heldOut.length);
    sizes.heldOutClaims.push(testData.labels.length);
    sizes.heldOutFrauds.push(testData.labels.filter((y) => y === 1).length);
    for (const pattern of FRAUD_PATTERNS)
      byPattern[pattern]!.push(testData.patterns.filter((p) => p === pattern).length);
    options.scorers.forEach((scorer, s) =>
      perRepeat[s]!.push(rankingMetrics(scorer.score(trainData, testData, options.seed + repeat), testData)),
    );
  }
  const scorers = options.scorers.map((scorer, s): ScorerSummary => {
    const runs = perRepeat[s]!;
    const keys = Object.keys(runs[0]!.precisionAt);
    return {
      name: scorer.name,
      description: scorer.description,
      auc: meanSd(runs.map((r) => r.auc)),
      precisionAt: Object.fromEntries(keys.map((k) => [k, meanSd(runs.map((r) => r.precisionAt[k]!))])),
      perPattern: Object.fromEntries(
        FRAUD_PATTERNS.map((pattern) => {
          const present = runs.flatMap((r) => r.perPattern[pattern] ?? []);
          return [
            pattern,
            {
              auc: meanSd(present.map((m) => m.auc)),
              recallAtR: meanSd(present.map((m) => m.recallAtR)),
              repeats: present.length,
            },
          ];
        }),
      ),
    };
  });
  return {
    repeats: options.repeats,
    heldOut: {
      patients: meanSd(sizes.heldOutPatients),
      claims: meanSd(sizes.heldOutClaims),
      frauds: meanSd(sizes.heldOutFrauds),
      byPattern: Object.fromEntries(FRAUD_PATTERNS.map((p) => [p, meanSd(byPattern[p]!)])),
    },
    train: {
      patients: meanSd(sizes.trainPatients),
      claims: meanSd(sizes.trainClaims),
      frauds: meanSd(sizes.trainFrauds),
    },
    scorers,
    foldAucs: Object.fromEntries(options.scorers.map((scorer, s) => [scorer.name, perRepeat[s]!.map((r) => r.auc)])),
  };
}
