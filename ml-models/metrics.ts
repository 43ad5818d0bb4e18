/** Discrimination and calibration metrics reported in the model cards. */

/**
 * Area under the ROC curve by the Mann–Whitney rank statistic (ties count one half).
 *
 * @param scores - predicted scores
 * @param labels - 0/1 outcomes
 */
export function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((score, i) => ({ score, label: labels[i]! })).sort((a, b) => a.score - b.score);
  let rankSumPositive = 0;
  let positives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && order[end]!.score === order[start]!.score) end += 1;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k += 1) {
      if (order[k]!.label === 1) {
        rankSumPositive += averageRank;
        positives += 1;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) throw new Error('AUC needs both classes');
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Mean squared error of predicted probabilities.
 *
 * @param probabilities - predicted probabilities
 * @param labels - 0/1 outcomes
 */
export function brier(probabilities: readonly number[], labels: readonly number[]): number {
  return probabilities.reduce((sum, p, i) => sum + (p - labels[i]!) ** 2, 0) / probabilities.length;
}

export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/**
 * Reliability table over equal-width probability bins; empty bins are omitted.
 *
 * @param probabilities - predicted probabilities
 * @param labels - 0/1 outcomes
 * @param bins - number of bins over [0, 1]
 */
export function reliability(probabilities: readonly number[], labels: readonly number[], bins = 10): ReliabilityBin[] {
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  probabilities.forEach((p, i) => {
    const bin = sums[Math.min(bins - 1, Math.floor(p * bins))]!;
    bin.count += 1;
    bin.predicted += p;
    bin.observed += labels[i]!;
  });
  return sums.flatMap((bin, k) =>
    bin.count === 0
      ? []
      : [{ from: k / bins, to: (k + 1) / bins, count: bin.count, meanPredicted: bin.predicted / bin.count, observedRate: bin.observed / bin.count }],
  );
}

/**
 * Mean and sample standard deviation.
 *
 * @param values - at least one value
 */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance) };
}

/**
 * Expected number of hits among the `k` highest scores when ties are broken at random: a tie group
 * straddling rank `k` contributes its hit rate times the places it gets, so the order of equal
 * scores in the input cannot flatter a scorer.
 *
 * @param scores - predicted scores
 * @param hits - whether each item is a hit
 * @param k - how many top items
 */
export function expectedHitsAtK(scores: readonly number[], hits: readonly boolean[], k: number): number {
  const order = scores.map((score, i) => ({ score, hit: hits[i]! })).sort((a, b) => b.score - a.score);
  let taken = 0;
  let expected = 0;
  for (let start = 0; start < order.length && taken < k; ) {
    let end = start;
    while (end < order.length && order[end]!.score === order[start]!.score) end += 1;
    const size = end - start;
    const groupHits = order.slice(start, end).filter((item) => item.hit).length;
    const places = Math.min(size, k - taken);
    expected += (groupHits * places) / size;
    taken += places;
    start = end;
  }
  return expected;
}

/**
 * Precision among the `k` highest scores, ties broken at random in expectation.
 *
 * @param scores - predicted scores
 * @param labels - 0/1 outcomes
 * @param k - how many top items (at most the number of items)
 */
export function precisionAtK(scores: readonly number[], labels: readonly number[], k: number): number {
  const top = Math.min(k, scores.length);
  return expectedHitsAtK(
    scores,
    labels.map((label) => label === 1),
    top,
  ) / top;
}
