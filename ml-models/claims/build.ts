/**
 * The claims model, end to end: Synthea claims → injected fraud → repeated held-out evaluation of the
 * rules, the model and both combined → the shipped logistic regression fitted on every patient → its
 * ONNX graph and model card. Called by `ml-models/train.ts`; deterministic for a given seed.
 */
import { CLAIMS_FRAUD } from '../../lib/ai/catalog';
import { DEFAULT_CLAIM_RULE_OPTIONS } from '../../lib/ai/claims';
import type { ModelCard } from '../cards';
import { buildLogisticGraph } from '../classifier';
import { richerWins } from '../cv';
import { fitLogistic, predictLogistic } from '../logistic';
import { fitPreprocessor, transform } from '../preprocess';
import { claimDataset, combinedScorer, evaluateRepeated, logisticScorer, MLP_SCORER, RULES_SCORER } from './evaluate';
import { FRAUD_PATTERNS, INJECTION_PROTOCOL, injectFraud } from './inject';
import { loadSyntheaPatients } from './synthea';

/** Share of the clean claims drawn for each fraud pattern. */
const RATE_PER_PATTERN = 0.03;
/** Seeded patient splits of the evaluation. */
const REPEATS = 50;

export type ClaimsCardBody = Omit<ModelCard, 'sha256' | 'sizeBytes' | 'file' | 'onnx' | 'generatedBy'>;

export interface ClaimsModelBuild {
  readonly bytes: Uint8Array;
  /** The training rows and the TypeScript model's predictions on them, to check the graph against. */
  readonly rows: number[][];
  readonly expected: number[];
  readonly card: ClaimsCardBody;
  readonly summary: string;
}

/**
 * Evaluates and builds the claims model.
 *
 * @param dataDir - the shared data directory (reads `fhir-r4-synthea/`)
 * @param options - the base seed and the ridge penalty
 */
export async function buildClaimsFraud(
  dataDir: string,
  options: { seed: number; lambda: number },
): Promise<ClaimsModelBuild> {
  const { seed, lambda } = options;
  const patients = await loadSyntheaPatients(dataDir);
  const cleanClaims = patients.flatMap((p) => p.claims);
  const claimTypes = new Map<string, number>();
  for (const claim of cleanClaims) {
    const type = claim.type?.coding?.[0]?.code ?? 'untyped';
    claimTypes.set(type, (claimTypes.get(type) ?? 0) + 1);
  }

  const cleanFlagged = claimDataset(
    patients.map((patient) => ({ patient, claims: patient.claims.map((claim) => ({ claim })) })),
  ).ruleScores.filter((score) => score > 0).length;
  const eobClaims = patients.reduce((sum, p) => sum + p.eob.claims, 0);
  const eobMatching = patients.reduce((sum, p) => sum + p.eob.matching, 0);

  const model = logisticScorer(lambda);
  const evaluation = evaluateRepeated(patients, {
    repeats: REPEATS,
    rate: RATE_PER_PATTERN,
    seed,
    scorers: [RULES_SCORER, model, combinedScorer(lambda), MLP_SCORER],
  });
  if (richerWins(evaluation.foldAucs[model.name]!, evaluation.foldAucs[MLP_SCORER.name]!)) {
    throw new Error('The MLP beats logistic regression on the claims model; export it before shipping');
  }

  const labelled = injectFraud(patients, { rate: RATE_PER_PATTERN, seed });
  const data = claimDataset(labelled);
  const prep = fitPreprocessor(CLAIMS_FRAUD, data.rows);
  const fitted = fitLogistic(transform(CLAIMS_FRAUD, prep, data.rows), data.labels, lambda);
  const bytes = buildLogisticGraph(CLAIMS_FRAUD, prep, fitted, {
    name: CLAIMS_FRAUD.name,
    version: CLAIMS_FRAUD.version,
    title: CLAIMS_FRAUD.title,
  });
  const positives = data.labels.filter((y) => y === 1).length;
  const byPattern = FRAUD_PATTERNS.map((p) => `${p} ${data.patterns.filter((q) => q === p).length}`).join(', ');
  const scorer = (name: string) => evaluation.scorers.find((s) => s.name === name)!;
  const describe = (name: string) => {
    const s = scorer(name);
    return `${name} AUC ${s.auc.mean.toFixed(3)} ± ${s.auc.sd.toFixed(3)}, precision@R ${s.precisionAt.R!.mean.toFixed(2)}`;
  };

  const card: ClaimsCardBody = {
    name: CLAIMS_FRAUD.name,
    version: CLAIMS_FRAUD.version,
    title: CLAIMS_FRAUD.title,
    outcome: CLAIMS_FRAUD.outcome,
    features: CLAIMS_FRAUD.features,
    contributions: { columns: CLAIMS_FRAUD.contributions, scale: CLAIMS_FRAUD.contributionScale },
    bands: CLAIMS_FRAUD.bands,
    data: {
      source: `Synthea FHIR R4 patient bundles in the shared data directory (fhir-r4-synthea: ${patients.length} patients from smart-on-fhir/generated-sample-data and google/fhir-data-pipes; see its README), with fraud injected as described below`,
      rows: data.labels.length,
      positives,
      licence: 'Apache-2.0 (both source repositories; synthetic patients, no real people)',
      notes: [
        `${cleanClaims.length} clean Claims (${[...claimTypes.entries()]
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([type, n]) => `${n} ${type}`)
          .join(
            ', ',
          )}) of ${patients.length} patients; with the shipped model's injection (seed ${seed}) ${data.labels.length} claims, ${positives} of them fraud (${byPattern}).`,
        `Claims carry their prices (item.net and total), so ExplanationOfBenefits were not needed: ${eobClaims} claims have an EOB and for ${eobMatching} of them the EOB's submitted line charges equal the Claim's line prices; the other ${cleanClaims.length - eobClaims} claims have none.`,
        'The patient context is what a granted record gives the insurer: Patient gender and birthDate, Conditions and Encounters of the same bundle.',
        `On the clean claims of all ${patients.length} patients the rules flag ${cleanFlagged} of ${cleanClaims.length}.`,
      ],
    },
    preprocessing: [
      '`reviewClaims` (lib/ai/claims) computes the features of each claim against the other claims of the batch, the insurer’s history and the patient context; counts and scores are clipped to the validated ranges listed above.',
      'Standardisation of every feature with the training mean and SD, inside the graph (Sub, Div).',
      'In the evaluation the model’s standardisation and coefficients are fitted on the training patients only; held-out claims are reviewed against the training claims as the insurer’s history.',
    ],
    model: {
      kind: `Logistic regression with ridge penalty λ = ${lambda} on standardised features (bias unpenalised), fitted by Newton–Raphson on all ${data.labels.length} claims of the shipped injection.`,
      parameters: {
        lambda,
        bias: fitted.bias,
        columns: prep.columns.map((column, c) => ({
          column: column.label,
          weight: fitted.weights[c],
          mean: column.mean,
          sd: column.sd,
        })),
        ruleThresholds: DEFAULT_CLAIM_RULE_OPTIONS,
      },
    },
    evaluation: {
      method: `${REPEATS} repeats: patients shuffled with seed ${seed} + repeat and split in half (training ${Math.ceil(patients.length / 2)}, held out ${Math.floor(patients.length / 2)}); fraud injected into each half separately (seeds ${seed + 1000} + repeat and ${seed + 2000} + repeat); the model fitted on the training half; every scorer ranks the held-out claims. Ties are broken at random in expectation.`,
      seed,
      selection:
        'Logistic regression was chosen before evaluation, for its exact per-feature contributions. The MLP is shown for comparison; by the rule the risk models use (mean paired AUC gain ≥ 0.01 and more than twice its standard error over the same repeats) it does not replace it.',
      checks: [],
      injection: {
        ratePerPattern: RATE_PER_PATTERN,
        seeds: `shipped model: seed ${seed} over all ${patients.length} patients; evaluation: ${seed + 1000} + repeat (training half) and ${seed + 2000} + repeat (held-out half)`,
        patterns: INJECTION_PROTOCOL,
      },
      heldOut: {
        method: `patients, not claims, are split, so no patient's claims are on both sides; R is the number of injected frauds in the held-out half (precision@50 cannot exceed R / 50).`,
        repeats: evaluation.repeats,
        heldOut: evaluation.heldOut,
        train: evaluation.train,
        scorers: evaluation.scorers,
        caveat:
          'Synthetic fraud injected into synthetic (Synthea) claims, built to match what the rules look for: these figures show that the rules and the model find the patterns as designed on data like this. They are not real-world performance; real fraud is rarer, more varied and adapts, and Synthea prices are far more regular than real ones.',
      },
    },
    intendedUse:
      'Decision support for an insurer’s claims reviewer, on its own machine: rank decrypted FHIR Claims for manual review beside the rule flags that explain them. Never an automatic denial, never a finding of fraud.',
    limits: [
      `Trained and evaluated only on injected synthetic fraud in ${patients.length} Synthea patients (${cleanClaims.length} clean claims); the score is a ranking aid, not a calibrated probability of real fraud (${((100 * positives) / data.labels.length).toFixed(1)} % of the training claims are injected fraud).`,
      'Synthea bills many services at fixed prices, which makes upcoding easy to see; real price variation across providers and contracts is wider, so the price rule needs the insurer’s own history (at least 5 priced lines per code) and its spread floor may need tuning.',
      'Administrative gender is not anatomy: sex-mismatch flags for transgender or intersex patients may be correct claims; the code tables are small and US-centric (SNOMED CT, CVX, LOINC, CPT/HCPCS).',
      'Rules that need the patient record (sex, age, encounters, conditions) are silent for patients whose records the insurer may not read.',
      'Provider bursts need a provider history of several weeks; the Synthea data have too few claims per provider to exercise that rule, and no burst was injected.',
      'Contributions are log-odds differences against the average training claim, not causes.',
    ],
  };
  return {
    bytes,
    rows: data.rows,
    expected: predictLogistic(fitted, transform(CLAIMS_FRAUD, prep, data.rows)),
    card,
    summary: `${describe('rules')}; ${describe('model')}; ${describe('rules+model')} (held out, ${REPEATS} repeats)`,
  };
}
