import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import type { ModelSpec } from '../lib/ai/catalog';
import { ORT_WEB_DIST } from '../lib/ai/node';
import { framinghamRisk, SPEC_OF, type FraminghamCoefficients, type FraminghamVariant } from './framingham';
import { createRandom } from './prng';
import { randomFraminghamInputs } from './random-inputs';

ortWeb.env.wasm.wasmPaths = ORT_WEB_DIST;
ortWeb.env.wasm.numThreads = 1;

const dir = import.meta.dirname;
const modelBytes = (spec: ModelSpec): Uint8Array => new Uint8Array(readFileSync(path.join(dir, 'models', `${spec.name}.onnx`)));
const coefficientsOf = (spec: ModelSpec): FraminghamCoefficients =>
  (JSON.parse(readFileSync(path.join(dir, 'cards', `${spec.name}.json`), 'utf8')) as { model: { parameters: { coefficients: FraminghamCoefficients } } }).model
    .parameters.coefficients;

async function run(ort: typeof ortNode | typeof ortWeb, bytes: Uint8Array, rows: number[][]): Promise<{ risk: Float32Array; contributions: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes);
  const width = rows[0]!.length;
  const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, width]) });
  await session.release();
  return { risk: out.risk!.data as Float32Array, contributions: out.contributions!.data as Float32Array };
}

describe('Framingham 2008 ONNX graphs', () => {
  it('reproduce the published worked example (male 55, TC 213, HDL 50, SBP 140 untreated → 13.53 %)', async () => {
    const spec = SPEC_OF.lipid;
    const example: Record<string, number> = { age: 55, sex_male: 1, total_cholesterol: 213, hdl: 50, sbp: 140, bp_treated: 0, smoker: 0, diabetes: 0 };
    const { risk } = await run(ortNode, modelBytes(spec), [spec.features.map((f) => example[f.name]!)]);
    assert.equal((risk[0]! * 100).toFixed(2), '13.53');
    assert.equal((framinghamRisk('lipid', coefficientsOf(spec), example).risk * 100).toFixed(2), '13.53');
  });

  for (const variant of ['lipid', 'bmi'] as FraminghamVariant[]) {
    const spec = SPEC_OF[variant];
    const inputs = randomFraminghamInputs(spec, 1000, createRandom(variant === 'lipid' ? 11 : 12));
    const rows = inputs.map((input) => spec.features.map((f) => input[f.name]!));

    it(`${variant}: matches the plain TypeScript equation within 1e-4 on 1,000 random valid inputs`, async () => {
      const coefficients = coefficientsOf(spec);
      const { risk, contributions } = await run(ortNode, modelBytes(spec), rows);
      const width = spec.contributions.length;
      inputs.forEach((input, i) => {
        // Inputs are rounded to float32 exactly as the graph sees them.
        const asFloat = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Math.fround(v)]));
        const expected = framinghamRisk(variant, coefficients, asFloat);
        assert.ok(Math.abs(risk[i]! - expected.risk) < 1e-4, `row ${i}: ${risk[i]} vs ${expected.risk}`);
        expected.contributions.forEach((c, j) => assert.ok(Math.abs(contributions[i * width + j]! - c) < 1e-4));
      });
    });

    it(`${variant}: onnxruntime-web (wasm) agrees with onnxruntime-node within 1e-5`, async () => {
      const bytes = modelBytes(spec);
      const [node, web] = await Promise.all([run(ortNode, bytes, rows), run(ortWeb, bytes, rows)]);
      node.risk.forEach((value, i) => assert.ok(Math.abs(value - web.risk[i]!) < 1e-5, `row ${i}`));
      node.contributions.forEach((value, i) => assert.ok(Math.abs(value - web.contributions[i]!) < 1e-5));
    });
  }
});
