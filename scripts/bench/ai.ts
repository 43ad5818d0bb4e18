/**
 * `npm run bench -- ai`: onnxruntime-web (wasm, as in the browser) on the Framingham lipid model —
 * session creation, batch-1 latency and batch-10k time — against the same equation in plain
 * TypeScript, plus the size of every shipped model.
 *
 * Every timed figure is a median over samples of at least `minSampleMs` each (the operation repeated
 * `repsPerSample` times back to back inside one sample, then divided), taken after calibration and a
 * discarded warm-up sample (scripts/bench/lib/sampling.ts). The figures are CPU time of the thread
 * that runs everything here (JS and onnxruntime-web's single-threaded wasm), so that other work on
 * the machine does not move them; on an idle machine wall-clock time is the same within a few per
 * cent, and it is reported beside them (`wallMedianMs`, `wallSamplesMs`). A sample during which
 * other processes held this thread's CPU is retaken. The four operations are sampled in turn, round
 * by round, so that they see the same machine conditions, and `batch10kRatioToPlainJs` is the median
 * of the per-round ratios of the two batch-10k samples. `samples` holds every sample and the spread
 * of each figure.
 */
import os from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-web/wasm';
import { FRAMINGHAM_LIPID, MODELS } from '../../lib/ai/catalog';
import { CARDS_DIR, MODELS_DIR, ORT_WEB_DIST } from '../../lib/ai/node';
import { framinghamRisk, type FraminghamCoefficients } from '../../ml-models/framingham';
import { createRandom } from '../../ml-models/prng';
import { randomFraminghamInputs } from '../../ml-models/random-inputs';
import { DEFAULT_SAMPLING, measure, pairedRatio, round } from './lib/sampling';

/** The lipid equation as a loop over a flat `[rows × 8]` batch in catalog column order. */
function plainLipidBatch(coefficients: FraminghamCoefficients): (batch: Float32Array, rows: number) => { risk: Float64Array; contributions: Float64Array } {
  const row = (c: FraminghamCoefficients['male']) => ({
    beta: [c.logTerms.age!, c.logTerms.total_cholesterol!, c.logTerms.hdl!, c.sbpUntreated, c.sbpTreated - c.sbpUntreated, c.smoker, c.diabetes],
    groupMean: c.groupMean,
    lnS0: Math.log(c.baselineSurvival),
  });
  const male = row(coefficients.male);
  const female = row(coefficients.female);
  const reference = [Math.log(30), Math.log(180), Math.log(45), Math.log(125), 0, 0, 0];
  return (batch, rows) => {
    const risk = new Float64Array(rows);
    const contributions = new Float64Array(rows * 7);
    const design = new Float64Array(7);
    for (let r = 0; r < rows; r += 1) {
      const o = r * 8;
      const c = batch[o + 1]! > 0.5 ? male : female;
      const lnSbp = Math.log(batch[o + 4]!);
      design[0] = Math.log(batch[o]!);
      design[1] = Math.log(batch[o + 2]!);
      design[2] = Math.log(batch[o + 3]!);
      design[3] = lnSbp;
      design[4] = lnSbp * batch[o + 5]!;
      design[5] = batch[o + 6]!;
      design[6] = batch[o + 7]!;
      let linear = 0;
      for (let j = 0; j < 7; j += 1) {
        linear += design[j]! * c.beta[j]!;
        contributions[r * 7 + j] = (design[j]! - reference[j]!) * c.beta[j]!;
      }
      risk[r] = 1 - Math.exp(Math.exp(linear - c.groupMean) * c.lnS0);
    }
    return { risk, contributions };
  };
}

/**
 * Runs the benchmark.
 *
 * @param _args - unused
 */
export default async function (_args: string[]): Promise<object> {
  ort.env.wasm.wasmPaths = ORT_WEB_DIST;
  ort.env.wasm.numThreads = 1;
  const spec = FRAMINGHAM_LIPID;
  const bytes = new Uint8Array(await readFile(path.join(MODELS_DIR, `${spec.name}.onnx`)));
  const card = JSON.parse(await readFile(path.join(CARDS_DIR, `${spec.name}.json`), 'utf8')) as { model: { parameters: { coefficients: FraminghamCoefficients } } };
  const coefficients = card.model.parameters.coefficients;

  // The first session also instantiates the wasm module; later ones measure session creation alone.
  const warm = await ort.InferenceSession.create(bytes);
  await warm.release();
  const session = await ort.InferenceSession.create(bytes);

  const inputs = randomFraminghamInputs(spec, 10_000, createRandom(1));
  const batch = Float32Array.from(inputs.flatMap((input) => spec.features.map((f) => input[f.name]!)));
  const width = spec.features.length;
  const one = batch.slice(0, width);

  // The plain-JS baseline is a tight loop over the same flat batch computing the same outputs (risk
  // and seven contributions per row), so the ratio is not flattered by a slow reference.
  const plain = plainLipidBatch(coefficients);
  const check = framinghamRisk('lipid', coefficients, Object.fromEntries(spec.features.map((f, j) => [f.name, one[j]!])));
  if (Math.abs(plain(one, 1).risk[0]! - check.risk) > 1e-12) throw new Error('plain-JS baseline disagrees with the equation');

  const sampling = { ...DEFAULT_SAMPLING, clock: 'cpu' } as const;
  const loadAverageBefore = os.loadavg()[0]!;
  const measured = await measure(
    {
      sessionCreateMs: async () => (await ort.InferenceSession.create(bytes)).release(),
      wasmBatch1Ms: () => session.run({ features: new ort.Tensor('float32', one, [1, width]) }),
      wasmBatch10kMs: () => session.run({ features: new ort.Tensor('float32', batch, [10_000, width]) }),
      plainJsBatch10kMs: () => plain(batch, 10_000),
    },
    sampling,
  );
  const loadAverageAfter = os.loadavg()[0]!;
  await session.release();
  const ratio = pairedRatio(measured.wasmBatch10kMs, measured.plainJsBatch10kMs);

  const modelSizesBytes = Object.fromEntries(
    await Promise.all(MODELS.map(async (m) => [m.name, (await stat(path.join(MODELS_DIR, `${m.name}.onnx`))).size] as const)),
  );
  return {
    model: spec.name,
    runtime: `onnxruntime-web ${ort.env.versions.web} (wasm, 1 thread) under Node ${process.versions.node}`,
    sessionCreateMs: measured.sessionCreateMs.medianMs,
    wasmBatch1Ms: measured.wasmBatch1Ms.medianMs,
    wasmBatch10kMs: measured.wasmBatch10kMs.medianMs,
    plainJsBatch10kMs: measured.plainJsBatch10kMs.medianMs,
    batch10kRatioToPlainJs: ratio.median,
    targets: { wasmBatch1Ms: '≤ 1', batch10kRatioToPlainJs: '≤ 2' },
    modelSizesBytes,
    sampling: { ...sampling, loadAverage1m: { before: round(loadAverageBefore, 3), after: round(loadAverageAfter, 3) } },
    samples: {
      ...measured,
      batch10kRatioToPlainJs: { ...ratio, ratioOfMedians: round(measured.wasmBatch10kMs.medianMs / measured.plainJsBatch10kMs.medianMs) },
    },
    note:
      `medians of ${sampling.samples} samples per figure after calibration and ${sampling.warmupSamples} discarded warm-up sample; ` +
      `each sample is ≥ ${sampling.minSampleMs} ms of back-to-back repetitions (repsPerSample), divided by the repetition count, ` +
      `timed as this thread's CPU time (wall-clock time in wallMedianMs and wallSamplesMs), ` +
      `and is retaken (retakenSamples) when this thread had the CPU for less than ${sampling.minCpuShare * 100} % of it; ` +
      'the four operations are sampled in turn and the batch-10k ratio is the median of the per-round ratios; ' +
      'maxOverMin and iqrOverMedian give the spread; the plain-JS loop computes the same risk and contributions',
  };
}
