/** L2-regularised logistic regression fitted by Newton–Raphson (IRLS): deterministic and exact. */
import { choleskySolve, sigmoid } from './linalg';

export interface LogisticModel {
  readonly weights: number[];
  readonly bias: number;
}

/**
 * Fits `P(y = 1) = σ(b + w·z)` minimising log-loss + λ/2·‖w‖² (the bias is not penalised).
 *
 * @param z - standardised design rows
 * @param y - 0/1 labels
 * @param lambda - ridge penalty
 */
export function fitLogistic(z: readonly (readonly number[])[], y: readonly number[], lambda: number): LogisticModel {
  const p = z[0]?.length ?? 0;
  // theta[0] is the bias, theta[1..p] the weights.
  let theta = new Array<number>(p + 1).fill(0);
  for (let iteration = 0; iteration < 100; iteration += 1) {
    const gradient = new Array<number>(p + 1).fill(0);
    const hessian = Array.from({ length: p + 1 }, () => new Array<number>(p + 1).fill(0));
    z.forEach((row, i) => {
      const x = [1, ...row];
      const prob = sigmoid(x.reduce((sum, v, k) => sum + v * theta[k]!, 0));
      const weight = prob * (1 - prob);
      for (let a = 0; a <= p; a += 1) {
        gradient[a]! += (prob - y[i]!) * x[a]!;
        for (let b = 0; b <= a; b += 1) hessian[a]![b]! += weight * x[a]! * x[b]!;
      }
    });
    for (let a = 0; a <= p; a += 1) {
      for (let b = 0; b < a; b += 1) hessian[b]![a] = hessian[a]![b]!;
      if (a > 0) {
        gradient[a]! += lambda * theta[a]!;
        hessian[a]![a]! += lambda;
      }
    }
    const step = choleskySolve(hessian, gradient);
    theta = theta.map((value, k) => value - step[k]!);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  return { bias: theta[0]!, weights: theta.slice(1) };
}

/**
 * Predicted probabilities.
 *
 * @param model - a fitted model
 * @param z - standardised design rows
 */
export function predictLogistic(model: LogisticModel, z: readonly (readonly number[])[]): number[] {
  return z.map((row) => sigmoid(row.reduce((sum, v, k) => sum + v * model.weights[k]!, model.bias)));
}
