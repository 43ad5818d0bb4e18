/**
 * A one-hidden-layer perceptron (tanh, sigmoid output), the "richer model" candidate that must beat
 * logistic regression on repeated cross-validation before it may replace it.
 */
import { sigmoid } from './linalg';
import { createRandom, normal } from './prng';

export interface MlpOptions {
  readonly hidden: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly seed: number;
}

export interface MlpModel {
  /** `hidden × p` input weights. */
  readonly w1: number[][];
  readonly b1: number[];
  readonly w2: number[];
  readonly b2: number;
}

function forward(model: MlpModel, row: readonly number[]): { hidden: number[]; prob: number } {
  const hidden = model.w1.map((weights, h) => Math.tanh(weights.reduce((sum, w, k) => sum + w * row[k]!, model.b1[h]!)));
  return { hidden, prob: sigmoid(hidden.reduce((sum, a, h) => sum + a * model.w2[h]!, model.b2)) };
}

/**
 * Trains by full-batch Adam on log-loss with L2 weight decay, from a seeded Xavier initialisation.
 *
 * @param z - standardised design rows
 * @param y - 0/1 labels
 * @param options - architecture and optimiser settings
 */
export function fitMlp(z: readonly (readonly number[])[], y: readonly number[], options: MlpOptions): MlpModel {
  const p = z[0]?.length ?? 0;
  const random = createRandom(options.seed);
  const h = options.hidden;
  // Parameters live in one flat vector [w1 (h·p), b1 (h), w2 (h), b2] so Adam's moments are plain arrays.
  const theta = [
    ...Array.from({ length: h * p }, () => normal(random) * Math.sqrt(1 / p)),
    ...new Array<number>(h).fill(0),
    ...Array.from({ length: h }, () => normal(random) * Math.sqrt(1 / h)),
    0,
  ];
  const size = theta.length;
  const unpack = (): MlpModel => ({
    w1: Array.from({ length: options.hidden }, (_, h) => theta.slice(h * p, (h + 1) * p)),
    b1: theta.slice(options.hidden * p, options.hidden * p + options.hidden),
    w2: theta.slice(options.hidden * p + options.hidden, options.hidden * p + 2 * options.hidden),
    b2: theta[size - 1]!,
  });
  const m = new Array<number>(size).fill(0);
  const v = new Array<number>(size).fill(0);
  for (let epoch = 1; epoch <= options.epochs; epoch += 1) {
    const model = unpack();
    const gradient = new Array<number>(size).fill(0);
    z.forEach((row, i) => {
      const { hidden, prob } = forward(model, row);
      const delta = (prob - y[i]!) / z.length;
      hidden.forEach((a, h) => {
        gradient[options.hidden * p + options.hidden + h]! += delta * a;
        const back = delta * model.w2[h]! * (1 - a * a);
        gradient[options.hidden * p + h]! += back;
        for (let k = 0; k < p; k += 1) gradient[h * p + k]! += back * row[k]!;
      });
      gradient[size - 1]! += delta;
    });
    for (let k = 0; k < size; k += 1) {
      const g = gradient[k]! + options.weightDecay * theta[k]!;
      m[k] = 0.9 * m[k]! + 0.1 * g;
      v[k] = 0.999 * v[k]! + 0.001 * g * g;
      const mHat = m[k]! / (1 - 0.9 ** epoch);
      const vHat = v[k]! / (1 - 0.999 ** epoch);
      theta[k]! -= (options.learningRate * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  }
  return unpack();
}

/**
 * Predicted probabilities.
 *
 * @param model - a fitted network
 * @param z - standardised design rows
 */
export function predictMlp(model: MlpModel, z: readonly (readonly number[])[]): number[] {
  return z.map((row) => forward(model, row).prob);
}
