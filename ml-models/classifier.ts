/**
 * Exports a fitted logistic regression, with its preprocessing folded in, as an ONNX graph:
 * input `features` `[N, k]` (raw values in catalog units, dataset missing markers allowed), outputs
 * `risk` `[N, 1]` and `contributions` `[N, k]` — each source feature's share of the log-odds against
 * the average training patient (one-hot columns summed back to their feature).
 */
import type { ModelSpec } from '../lib/ai/catalog';
import type { LogisticModel } from './logistic';
import { GraphBuilder } from './onnx/graph';
import { emitPreprocessing, type Preprocessor } from './preprocess';

/**
 * Builds the graph bytes.
 *
 * @param spec - the model's catalog spec
 * @param prep - preprocessing fitted on all training rows
 * @param model - coefficients on the standardised design
 * @param metadata - strings stored in the model's `metadata_props`
 */
export function buildLogisticGraph(
  spec: ModelSpec,
  prep: Preprocessor,
  model: LogisticModel,
  metadata: Record<string, string>,
): Uint8Array {
  const g = new GraphBuilder();
  const k = spec.features.length;
  const p = prep.columns.length;
  const x = g.input('features', k, `columns: ${spec.features.map((f) => `${f.name} [${f.unit}]`).join(', ')}`);
  const z = emitPreprocessing(g, x, spec, prep);
  const terms = g.op('Mul', [z, g.constant(model.weights, [1, p], 'weights')]);
  const logit = g.op('Add', [g.rowSum(terms), g.constant([model.bias], [1, 1], 'bias')]);
  const risk = g.op('Sigmoid', [logit]);
  // Sums expanded columns back to source features: aggregation[c][j] = 1 when column c came from feature j.
  const aggregation = prep.columns.flatMap((column) => spec.features.map((_, j) => (column.feature === j ? 1 : 0)));
  const contributions = g.op('MatMul', [terms, g.constant(aggregation, [p, k], 'aggregate')]);
  g.output('risk', risk, 1, `probability of ${spec.outcome}`);
  g.output('contributions', contributions, k, `per-feature log-odds vs training average: ${spec.contributions.join(', ')}`);
  return g.build(spec.name, spec.title, metadata);
}
