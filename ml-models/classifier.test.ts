import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import { DIABETES_PIMA, HEART_DISEASE_CLEVELAND, type ModelSpec } from '../lib/ai/catalog';
import { ORT_WEB_DIST } from '../lib/ai/node';
import { buildLogisticGraph } from './classifier';
import { fitLogistic, predictLogistic } from './logistic';
import { auc, brier, reliability } from './metrics';
import { fitPreprocessor, transform } from './preprocess';
import { createRandom } from './prng';

ortWeb.env.wasm.wasmPaths = ORT_WEB_DIST;
ortWeb.env.wasm.numThreads = 1;

/** Random rows in the spec's ranges, with the dataset's missing markers sprinkled in. */
function syntheticRows(spec: ModelSpec, count: number, seed: number): number[][] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () =>
    spec.features.map((f) => {
      if (f.missingAs && random() < 0.1) return f.missingAs === 'zero' ? 0 : Number.NaN;
      if (f.categories) return f.categories[Math.floor(random() * f.categories.length)]!;
      const min = f.min ?? 0;
      const max = f.max ?? 1;
      return f.unit === '1' && max === 1 ? (random() < 0.5 ? 0 : 1) : Math.round(min + random() * (max - min));
    }),
  );
}

async function risks(ort: typeof ortNode | typeof ortWeb, bytes: Uint8Array, rows: number[][]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]) });
  await session.release();
  return out.risk!.data as Float32Array;
}

describe('metrics', () => {
  it('auc counts ties as one half', () => {
    assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(auc([0.5, 0.5], [0, 1]), 0.5);
  });
  it('brier and reliability summarise calibration', () => {
    assert.equal(brier([1, 0], [1, 1]), 0.5);
    assert.deepEqual(reliability([0.05, 0.15, 0.95], [0, 1, 1], 10).map((b) => b.count), [1, 1, 1]);
  });
});

describe('logistic graphs with folded preprocessing', () => {
  for (const spec of [DIABETES_PIMA, HEART_DISEASE_CLEVELAND]) {
    it(`${spec.name}: the graph equals the TypeScript pipeline and runs the same on node and web`, async () => {
      const rows = syntheticRows(spec, 300, 7);
      const labels = rows.map((_, i) => i % 2);
      const prep = fitPreprocessor(spec, rows);
      const model = fitLogistic(transform(spec, prep, rows), labels, 1);
      const bytes = buildLogisticGraph(spec, prep, model, { name: spec.name });
      const expected = predictLogistic(model, transform(spec, prep, rows));
      const [node, web] = await Promise.all([risks(ortNode, bytes, rows), risks(ortWeb, bytes, rows)]);
      expected.forEach((p, i) => {
        assert.ok(Math.abs(node[i]! - p) < 1e-5, `row ${i}: ${node[i]} vs ${p}`);
        assert.ok(Math.abs(node[i]! - web[i]!) < 1e-5);
      });
    });

    it(`${spec.name}: the shipped model agrees between onnxruntime-node and onnxruntime-web`, async () => {
      const bytes = new Uint8Array(readFileSync(path.join(import.meta.dirname, 'models', `${spec.name}.onnx`)));
      const rows = syntheticRows(spec, 500, 9);
      const [node, web] = await Promise.all([risks(ortNode, bytes, rows), risks(ortWeb, bytes, rows)]);
      node.forEach((value, i) => assert.ok(Math.abs(value - web[i]!) < 1e-5));
    });
  }
});
