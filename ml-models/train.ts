/**
 * `npm run train -- --data ../shared/data`: regenerates every ONNX model, its model card (JSON and
 * Markdown) and the ONC interaction data file, deterministically (seeded folds and initialisation,
 * no timestamps). The datasets are read from `--data` and never copied into the repository.
 * `--only <name>` (repeatable) regenerates just those models (or `onc-ddi`), e.g. `--only claims-fraud`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { CLAIMS_FRAUD, DIABETES_PIMA, FRAMINGHAM_BMI, FRAMINGHAM_LIPID, HEART_DISEASE_CLEVELAND, type ModelSpec } from '../lib/ai/catalog';
import { renderCardMarkdown, type ModelCard } from './cards';
import { buildClaimsFraud } from './claims/build';
import { buildLogisticGraph } from './classifier';
import { crossValidate, richerWins, type Candidate, type CvResult } from './cv';
import { parseCleveland, parsePima, type Dataset } from './datasets';
import {
  buildFraminghamGraph,
  framinghamRisk,
  parseCoefficients,
  REFERENCE_PROFILE,
  SPEC_OF,
  type FraminghamInput,
  type FraminghamVariant,
} from './framingham';
import { fitLogistic, predictLogistic } from './logistic';
import { reliability } from './metrics';
import { fitMlp, predictMlp } from './mlp';
import { buildOncDdi } from './onc-ddi';
import { IR_VERSION, OPSET } from './onnx/graph';
import { fitPreprocessor, transform } from './preprocess';
import { createRandom } from './prng';
import { randomFraminghamInputs } from './random-inputs';

const SEED = 20260505;
const CV = { repeats: 5, folds: 5, seed: SEED };
const LAMBDA = 1;
const GENERATED_BY = 'npm run train -- --data <shared data dir>';
const modelsDir = path.join(import.meta.dirname, 'models');
const cardsDir = path.join(import.meta.dirname, 'cards');
const ddiFile = path.join(import.meta.dirname, '../lib/ai/data/onc-ddi.json');

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function runOnnx(bytes: Uint8Array, rows: readonly (readonly number[])[]): Promise<{ risk: number[]; contributions: number[][] }> {
  const session = await ort.InferenceSession.create(bytes);
  const width = rows[0]!.length;
  const result = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, width]) });
  await session.release();
  const risk = Array.from(result.risk!.data as Float32Array);
  const flat = Array.from(result.contributions!.data as Float32Array);
  const columns = flat.length / rows.length;
  return { risk, contributions: rows.map((_, i) => flat.slice(i * columns, (i + 1) * columns)) };
}

async function writeArtefacts(spec: ModelSpec, bytes: Uint8Array, card: Omit<ModelCard, 'sha256' | 'sizeBytes' | 'file' | 'onnx' | 'generatedBy'>): Promise<ModelCard> {
  const file = `${spec.name}.onnx`;
  await writeFile(path.join(modelsDir, file), bytes);
  const full: ModelCard = {
    ...card,
    file: `ml-models/models/${file}`,
    sha256: sha256(bytes),
    sizeBytes: bytes.length,
    onnx: {
      opset: OPSET,
      irVersion: IR_VERSION,
      inputs: [`features float32 [N, ${spec.features.length}] (${spec.features.map((f) => f.name).join(', ')})`],
      outputs: ['risk float32 [N, 1]', `contributions float32 [N, ${spec.contributions.length}] (${spec.contributions.join(', ')})`],
    },
    generatedBy: GENERATED_BY,
  };
  await writeFile(path.join(cardsDir, `${spec.name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  await writeFile(path.join(cardsDir, `${spec.name}.md`), renderCardMarkdown(full));
  console.log(`${spec.name}: ${full.sha256} (${bytes.length} bytes)`);
  return full;
}

async function trainFramingham(dataDir: string, variant: FraminghamVariant): Promise<void> {
  const spec = SPEC_OF[variant];
  const source = path.join(dataDir, 'framingham-2008-cvd-equation/frs2008_general_cvd.json');
  const coefficients = parseCoefficients(JSON.parse(await readFile(source, 'utf8')), variant);
  const bytes = buildFraminghamGraph(variant, coefficients, { name: spec.name, version: spec.version, title: spec.title });

  const inputs = randomFraminghamInputs(spec, 1000, createRandom(SEED));
  const rows = inputs.map((input) => spec.features.map((f) => input[f.name]!));
  const onnx = await runOnnx(bytes, rows);
  const maxDiff = Math.max(...inputs.map((input, i) => Math.abs(onnx.risk[i]! - framinghamRisk(variant, coefficients, input).risk)));
  if (maxDiff > 1e-4) throw new Error(`${spec.name}: ONNX differs from the equation by ${maxDiff}`);
  const checks = [`ONNX (onnxruntime-node) vs double-precision equation on 1,000 seeded random valid inputs: max |Δrisk| = ${maxDiff.toExponential(2)}`];
  if (variant === 'lipid') {
    const example: FraminghamInput = { age: 55, sex_male: 1, total_cholesterol: 213, hdl: 50, sbp: 140, bp_treated: 0, smoker: 0, diabetes: 0 };
    const [risk] = (await runOnnx(bytes, [spec.features.map((f) => example[f.name]!)])).risk;
    if ((risk! * 100).toFixed(2) !== '13.53') throw new Error(`worked example gives ${risk! * 100} %, expected 13.53 %`);
    checks.push(`worked example (male 55, TC 213, HDL 50, SBP 140 untreated, non-smoker, non-diabetic): ${(risk! * 100).toFixed(3)} % (published 13.53 %)`);
  }

  await writeArtefacts(spec, bytes, {
    name: spec.name,
    version: spec.version,
    title: spec.title,
    outcome: spec.outcome,
    features: spec.features,
    contributions: { columns: spec.contributions, scale: spec.contributionScale },
    bands: spec.bands,
    data: {
      source: "D'Agostino RB Sr et al., General cardiovascular risk profile for use in primary care: the Framingham Heart Study. Circulation 2008;117:743-753, doi:10.1161/CIRCULATIONAHA.107.699579 (published coefficients; no individual data)",
      rows: 0,
      licence: 'published numeric constants',
      notes: ['Derivation cohort: 8,491 Framingham participants aged 30–74 without CVD at baseline (from the paper).'],
    },
    preprocessing: [
      'Natural logarithm of age, ' + (variant === 'lipid' ? 'total cholesterol, HDL' : 'BMI') + ' and SBP, inside the graph.',
      'Sex selects the coefficient row (Where on sex_male > 0.5); exactly one SBP coefficient applies, chosen by bp_treated.',
      `Validated ranges: age 30–74 from the paper; the other bounds are MedLedger's conservative limits for a log-linear extrapolation.`,
    ],
    model: {
      kind: 'Cox proportional-hazards equation: risk = 1 − S0^exp(Σβx − group mean).',
      parameters: { coefficients, referenceProfile: REFERENCE_PROFILE },
    },
    evaluation: {
      method: 'No training: the equation is implemented from the published coefficients and verified against a plain TypeScript evaluation.',
      reported: variant === 'lipid' ? 'C statistic 0.763 (men), 0.793 (women) in the derivation cohort' : 'C statistic reported in the paper as close to the lipid model',
      checks,
    },
    intendedUse:
      'Decision support for adults aged 30–74 without known cardiovascular disease: an estimate of 10-year risk of a first CVD event to discuss prevention with a clinician. Shown beside its inputs and contributions, never as a diagnosis.',
    limits: [
      'Derived in a mostly white US cohort (Framingham, 1968–1987 examinations); may over- or under-estimate risk in other populations and today.',
      'Not for people with existing cardiovascular disease, or outside ages 30–74.',
      'Diabetes and antihypertensive treatment are read from coded Conditions and medications; uncoded history is invisible to it.',
      'Contributions are log-hazard differences against a reference profile, not causal effects.',
    ],
  });
}

function logisticCandidate(lambda: number): Candidate {
  return {
    name: `logistic-l2`,
    description: `logistic regression, ridge λ = ${lambda}, Newton–Raphson`,
    fit: (z, y) => {
      const model = fitLogistic(z, y, lambda);
      return (rows) => predictLogistic(model, rows);
    },
  };
}

function mlpCandidate(weightDecay: number): Candidate {
  return {
    name: `mlp-8-wd${weightDecay}`,
    description: `one hidden layer of 8 tanh units, Adam 300 epochs, lr 0.01, weight decay ${weightDecay}`,
    fit: (z, y, seed) => {
      const model = fitMlp(z, y, { hidden: 8, epochs: 300, learningRate: 0.01, weightDecay, seed });
      return (rows) => predictMlp(model, rows);
    },
  };
}

interface ClassifierSource {
  spec: ModelSpec;
  data: Dataset;
  source: string;
  licence: string;
  notes: string[];
  intendedUse: string;
  limits: string[];
}

async function trainClassifier(task: ClassifierSource): Promise<CvResult> {
  const { spec, data } = task;
  const baseline = crossValidate(spec, data, logisticCandidate(LAMBDA), CV);
  const richer = [1e-3, 1e-2].map((wd) => crossValidate(spec, data, mlpCandidate(wd), CV));
  const winner = richer.find((candidate) => richerWins(baseline.foldAucs, candidate.foldAucs));
  if (winner) throw new Error(`${winner.candidate} beats logistic regression on ${spec.name}; export it before shipping`);

  const prep = fitPreprocessor(spec, data.rows);
  const model = fitLogistic(transform(spec, prep, data.rows), data.labels, LAMBDA);
  const bytes = buildLogisticGraph(spec, prep, model, { name: spec.name, version: spec.version, title: spec.title });
  const expected = predictLogistic(model, transform(spec, prep, data.rows));
  const onnx = await runOnnx(
    bytes,
    data.rows.map((row) => row.map((value) => value)),
  );
  const maxDiff = Math.max(...expected.map((p, i) => Math.abs(p - onnx.risk[i]!)));
  if (maxDiff > 1e-5) throw new Error(`${spec.name}: ONNX differs from the TypeScript model by ${maxDiff}`);

  const summary = (r: CvResult) => ({ name: r.candidate, description: r.description, auc: r.auc, brier: r.brier });
  await writeArtefacts(spec, bytes, {
    name: spec.name,
    version: spec.version,
    title: spec.title,
    outcome: spec.outcome,
    features: spec.features.map((f, j) => (f.missingAs ? { ...f, imputedWith: prep.fill[j]! } : f)),
    contributions: { columns: spec.contributions, scale: spec.contributionScale },
    bands: spec.bands,
    data: { source: task.source, rows: data.rows.length, positives: data.labels.filter((y) => y === 1).length, licence: task.licence, notes: task.notes },
    preprocessing: [
      'Imputation of the dataset’s missing markers with the median (numeric) or mode (categorical) of the training rows, as ONNX Equal/IsNaN + Where.',
      'One-hot encoding of categorical columns (Equal against the category list + Cast).',
      'Standardisation of every expanded column with training mean and SD (Sub, Div).',
      'In cross-validation all of this is fitted on the training folds only.',
    ],
    model: {
      kind: `Logistic regression with ridge penalty λ = ${LAMBDA} on standardised columns (bias unpenalised), fitted by Newton–Raphson on all ${data.rows.length} rows.`,
      parameters: {
        lambda: LAMBDA,
        bias: model.bias,
        columns: prep.columns.map((column, c) => ({ column: column.label, weight: model.weights[c], mean: column.mean, sd: column.sd })),
      },
    },
    evaluation: {
      method: `Repeated stratified ${CV.folds}-fold cross-validation, ${CV.repeats} repeats (seed ${SEED}); AUC per fold, ${CV.repeats * CV.folds} folds; preprocessing refitted per fold; every candidate sees identical folds.`,
      seed: SEED,
      auc: baseline.auc,
      candidates: [baseline, ...richer].map(summary),
      selection:
        'A richer model replaces logistic regression only if its mean paired AUC gain over the same folds is ≥ 0.01 and more than twice its standard error. No candidate met that rule, so the shipped model is logistic regression, which also gives exact per-feature contributions. λ = 1 was fixed before evaluation; in a preliminary run λ from 0.1 to 30 changed the mean AUC by less than 0.01.',
      checks: [`ONNX (onnxruntime-node) vs TypeScript predictions on all ${data.rows.length} training rows: max |Δp| = ${maxDiff.toExponential(2)}`],
    },
    calibration: {
      brier: baseline.brier,
      reliability: reliability(baseline.pooled.probabilities, baseline.pooled.labels),
      note: `Out-of-fold predictions of the shipped learner, pooled over ${CV.repeats} repeats (${baseline.pooled.labels.length} predictions).`,
    },
    intendedUse: task.intendedUse,
    limits: task.limits,
  });
  return baseline;
}

async function trainClaimsFraud(dataDir: string): Promise<void> {
  const built = await buildClaimsFraud(dataDir, { seed: SEED, lambda: LAMBDA });
  const onnx = await runOnnx(built.bytes, built.rows);
  const maxDiff = Math.max(...built.expected.map((p, i) => Math.abs(p - onnx.risk[i]!)));
  if (maxDiff > 1e-5) throw new Error(`${CLAIMS_FRAUD.name}: ONNX differs from the TypeScript model by ${maxDiff}`);
  await writeArtefacts(CLAIMS_FRAUD, built.bytes, {
    ...built.card,
    evaluation: {
      ...built.card.evaluation,
      checks: [`ONNX (onnxruntime-node) vs TypeScript predictions on all ${built.rows.length} training claims: max |Δp| = ${maxDiff.toExponential(2)}`],
    },
  });
  console.log(`${CLAIMS_FRAUD.name}: ${built.summary}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string', default: '../shared/data' }, only: { type: 'string', multiple: true } } });
  const dataDir = path.resolve(values.data!);
  const wanted = (name: string): boolean => !values.only || values.only.includes(name);
  await mkdir(modelsDir, { recursive: true });
  await mkdir(cardsDir, { recursive: true });
  await mkdir(path.dirname(ddiFile), { recursive: true });

  if (wanted(FRAMINGHAM_LIPID.name)) await trainFramingham(dataDir, 'lipid');
  if (wanted(FRAMINGHAM_BMI.name)) await trainFramingham(dataDir, 'bmi');
  if (wanted(CLAIMS_FRAUD.name)) await trainClaimsFraud(dataDir);

  const pima = !wanted(DIABETES_PIMA.name) ? undefined : await trainClassifier({
    spec: DIABETES_PIMA,
    data: parsePima(await readFile(path.join(dataDir, 'pima-indians-diabetes/pima-indians-diabetes.csv'), 'utf8')),
    source:
      'Pima Indians Diabetes Database (UCI Machine Learning Repository; National Institute of Diabetes and Digestive and Kidney Diseases; donor V. Sigillito 1990), via jbrownlee/Datasets',
    licence: 'unverified (no licence stated by the source repository or the .names file)',
    notes: [
      'Women of Pima Indian heritage aged 21 or older.',
      'Zero means missing for glucose (5 rows), diastolic BP (35), triceps skinfold (227), insulin (374), BMI (11).',
      'Published anchor: Smith et al. 1988 (ADAP), sensitivity = specificity = 76 % on 192 held-out rows.',
    ],
    intendedUse:
      'Research and education: an estimate of diabetes probability for an adult woman from the same kind of measurements as the Pima study (2-hour OGTT glucose, diabetes pedigree function). Not a screening or diagnostic tool.',
    limits: [
      'One population (Pima women ≥ 21); results for men or other populations are "out-of-range".',
      'Needs a 2-hour oral glucose tolerance test and the diabetes pedigree function, which health records rarely hold.',
      'Triceps skinfold and 2-hour insulin may be absent: the graph imputes the training median exactly as for the half of training rows that lacked them.',
      'Cross-sectional outcome; the probability is not a time-bounded incidence.',
    ],
  });
  const cleveland = !wanted(HEART_DISEASE_CLEVELAND.name) ? undefined : await trainClassifier({
    spec: HEART_DISEASE_CLEVELAND,
    data: parseCleveland(await readFile(path.join(dataDir, 'heart-disease-cleveland/processed.cleveland.csv'), 'utf8')),
    source:
      'UCI Heart Disease, Cleveland Clinic Foundation (principal investigator R. Detrano; Janosi, Steinbrunn, Pfisterer, Detrano), processed.cleveland.data',
    licence: 'unverified; the UCI .names file asks publications to name the principal investigators',
    notes: ['Outcome: num > 0 (any major vessel with > 50 % narrowing), as in the published work.', '`?` in ca (4 rows) and thal (2 rows) is treated as missing.'],
    intendedUse:
      'Research and education: probability of angiographic coronary artery disease for a patient referred for angiography with a full exercise-test work-up. Not for screening the general population.',
    limits: [
      'Referral population of one centre (1980s), 303 patients; prevalence 46 %, far above the general population.',
      'Needs exercise ECG, fluoroscopy and thallium results, which FHIR records rarely code; missing ones give "not enough data".',
      'Contributions are log-odds differences against the average training patient, not causal effects.',
    ],
  });

  if (wanted('onc-ddi')) {
    const ddi = buildOncDdi(await readFile(path.join(dataDir, 'onc-high-priority-ddi/onc_high_priority_ddi_classes.csv'), 'utf8'));
    await writeFile(ddiFile, `${JSON.stringify(ddi, null, 2)}\n`);
    console.log(`onc-ddi: ${ddi.interactions.length} interactions`);
  }
  if (pima) console.log(`CV AUC diabetes-pima ${pima.auc.mean.toFixed(3)} ± ${pima.auc.sd.toFixed(3)}`);
  if (cleveland) console.log(`CV AUC heart-disease-cleveland ${cleveland.auc.mean.toFixed(3)} ± ${cleveland.auc.sd.toFixed(3)}`);
}

await main();
