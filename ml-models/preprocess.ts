/**
 * Preprocessing for the dataset-trained classifiers — imputation of the dataset's missing-value
 * markers, one-hot encoding of categorical columns, standardisation — fitted on training rows only,
 * applied in TypeScript during cross-validation and emitted as ONNX operators for the exported graph.
 */
import type { ModelSpec } from '../lib/ai/catalog';
import type { GraphBuilder } from './onnx/graph';

/** One column of the expanded (post one-hot) design matrix. */
export interface ExpandedColumn {
  /** Index of the source feature in the spec. */
  readonly feature: number;
  /** `age`, or `chest_pain_type=4` for a one-hot column. */
  readonly label: string;
  /** The category this one-hot column indicates; absent for numeric columns. */
  readonly category?: number;
  readonly mean: number;
  readonly sd: number;
}

export interface Preprocessor {
  /** Value substituted for a missing marker, per source feature (NaN where the feature has none). */
  readonly fill: readonly number[];
  readonly columns: readonly ExpandedColumn[];
}

function isMissing(spec: ModelSpec, feature: number, value: number): boolean {
  const encoding = spec.features[feature]!.missingAs;
  return (encoding === 'zero' && value === 0) || (encoding === 'nan' && Number.isNaN(value));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Most frequent value; ties go to the smallest so the choice does not depend on row order. */
function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

function imputeRow(spec: ModelSpec, fill: readonly number[], row: readonly number[]): number[] {
  return row.map((value, j) => (isMissing(spec, j, value) ? fill[j]! : value));
}

function expandRow(spec: ModelSpec, row: readonly number[]): number[] {
  return spec.features.flatMap((feature, j) =>
    feature.categories ? feature.categories.map((category) => (row[j] === category ? 1 : 0)) : [row[j]!],
  );
}

/**
 * Fits imputation values (median for numeric, mode for categorical features) and standardisation
 * parameters on training rows.
 *
 * @param spec - the model's catalog spec (column order, categories, missing markers)
 * @param rows - raw training rows, missing markers included
 */
export function fitPreprocessor(spec: ModelSpec, rows: readonly (readonly number[])[]): Preprocessor {
  const fill = spec.features.map((feature, j) => {
    if (!feature.missingAs) return Number.NaN;
    const present = rows.map((row) => row[j]!).filter((value) => !isMissing(spec, j, value));
    return feature.categories ? mode(present) : median(present);
  });
  const expanded = rows.map((row) => expandRow(spec, imputeRow(spec, fill, row)));
  const labels = spec.features.flatMap((feature, j) =>
    feature.categories
      ? feature.categories.map((category) => ({ feature: j, label: `${feature.name}=${category}`, category }))
      : [{ feature: j, label: feature.name }],
  );
  const columns = labels.map((label, c) => {
    const values = expanded.map((row) => row[c]!);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    // A constant column (possible for a rare category inside one fold) is left unscaled, not divided by 0.
    return { ...label, mean, sd: variance > 0 ? Math.sqrt(variance) : 1 };
  });
  return { fill, columns };
}

/**
 * Imputes, one-hot encodes and standardises raw rows.
 *
 * @param spec - the model's catalog spec
 * @param prep - parameters from {@link fitPreprocessor}
 * @param rows - raw rows
 */
export function transform(spec: ModelSpec, prep: Preprocessor, rows: readonly (readonly number[])[]): number[][] {
  return rows.map((row) =>
    expandRow(spec, imputeRow(spec, prep.fill, row)).map((value, c) => (value - prep.columns[c]!.mean) / prep.columns[c]!.sd),
  );
}

/**
 * Emits the same preprocessing as ONNX operators: `Where` for imputation (`Equal`/`IsNaN` masks),
 * `Equal` + `Cast` for one-hot, `Sub`/`Div` for standardisation.
 *
 * @param g - the graph under construction
 * @param input - name of the raw `[N, k]` input
 * @param spec - the model's catalog spec
 * @param prep - fitted parameters
 * @returns the name of the standardised `[N, p]` design tensor
 */
export function emitPreprocessing(g: GraphBuilder, input: string, spec: ModelSpec, prep: Preprocessor): string {
  const width = spec.features.length;
  const flagged = (encoding: 'zero' | 'nan'): boolean[] => spec.features.map((feature) => feature.missingAs === encoding);
  const masks: string[] = [];
  if (flagged('zero').some(Boolean)) {
    const isZero = g.op('Equal', [input, g.constant(new Array<number>(width).fill(0), [1, width], 'zeros')]);
    masks.push(g.op('And', [isZero, g.boolean(flagged('zero'), [1, width], 'zero_is_missing')]));
  }
  if (flagged('nan').some(Boolean)) {
    masks.push(g.op('And', [g.op('IsNaN', [input]), g.boolean(flagged('nan'), [1, width], 'nan_is_missing')]));
  }
  let imputed = input;
  if (masks.length > 0) {
    const missing = masks.length === 1 ? masks[0]! : g.op('Or', masks);
    // Features without a missing marker never hit the mask; 0 stands in for their NaN fill value.
    const fill = prep.fill.map((value) => (Number.isNaN(value) ? 0 : value));
    imputed = g.op('Where', [missing, g.constant(fill, [1, width], 'fill'), input]);
  }

  const pieces = spec.features.map((feature, j) => {
    const column = g.columns(imputed, [j]);
    if (!feature.categories) return column;
    const hits = g.op('Equal', [column, g.constant(feature.categories, [1, feature.categories.length], `${feature.name}_categories`)]);
    return g.op('Cast', [hits], [{ name: 'to', value: 1 }]);
  });
  const expanded = g.op('Concat', pieces, [{ name: 'axis', value: 1 }]);
  const p = prep.columns.length;
  const centred = g.op('Sub', [expanded, g.constant(prep.columns.map((c) => c.mean), [1, p], 'mean')]);
  return g.op('Div', [centred, g.constant(prep.columns.map((c) => c.sd), [1, p], 'sd')]);
}
