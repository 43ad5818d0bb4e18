/** Model cards: the JSON document the training script writes beside each model, and its Markdown rendering. */
import type { FeatureSpec, RiskBand } from '../lib/ai/catalog';
import type { RepeatedEvaluation, ScorerSummary } from './claims/evaluate';
import type { ReliabilityBin } from './metrics';

export interface CandidateSummary {
  readonly name: string;
  readonly description: string;
  readonly auc: { mean: number; sd: number };
  readonly brier: { mean: number; sd: number };
}

/** How synthetic fraud was injected to label and evaluate the claims model. */
export interface InjectionSummary {
  /** Share of the clean claims drawn for each pattern. */
  readonly ratePerPattern: number;
  /** The seeds, in words (shipped model and each evaluation repeat). */
  readonly seeds: string;
  readonly patterns: readonly { readonly pattern: string; readonly description: string }[];
}

/** Ranking on held-out patients, repeated over seeded patient splits. */
export interface HeldOutSummary {
  readonly method: string;
  readonly repeats: number;
  readonly heldOut: RepeatedEvaluation['heldOut'];
  readonly train: RepeatedEvaluation['train'];
  readonly scorers: readonly ScorerSummary[];
  /** What the figures do and do not mean. */
  readonly caveat: string;
}

export interface ModelCard {
  readonly name: string;
  readonly version: string;
  readonly title: string;
  readonly outcome: string;
  readonly file: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly onnx: { opset: number; irVersion: number; inputs: string[]; outputs: string[] };
  readonly features: readonly (FeatureSpec & { imputedWith?: number })[];
  readonly contributions: { columns: readonly string[]; scale: string };
  readonly bands: readonly RiskBand[];
  readonly data: { source: string; rows: number; positives?: number; licence: string; notes: string[] };
  readonly preprocessing: string[];
  readonly model: { kind: string; parameters: Record<string, unknown> };
  readonly evaluation: {
    method: string;
    seed?: number;
    auc?: { mean: number; sd: number };
    candidates?: CandidateSummary[];
    selection?: string;
    reported?: string;
    checks: string[];
    injection?: InjectionSummary;
    heldOut?: HeldOutSummary;
  };
  readonly calibration?: { brier: { mean: number; sd: number }; reliability: ReliabilityBin[]; note: string };
  readonly intendedUse: string;
  readonly limits: string[];
  readonly generatedBy: string;
}

const pct = (value: number, digits = 1): string => `${(value * 100).toFixed(digits)} %`;
const range = (f: FeatureSpec): string => (f.min === undefined ? (f.categories ? f.categories.join(', ') : '') : `${f.min}–${f.max}`);

const meanSd = (value: { mean: number; sd: number }, digits = 3): string => `${value.mean.toFixed(digits)} ± ${value.sd.toFixed(digits)}`;

function renderInjection(injection: InjectionSummary): string[] {
  return [
    '',
    '## Injected fraud (labels)',
    '',
    `Each pattern is drawn from ${pct(injection.ratePerPattern)} of the clean claims; ${injection.seeds}.`,
    '',
    '| pattern | how it is injected |',
    '|---|---|',
    ...injection.patterns.map((p) => `| ${p.pattern} | ${p.description} |`),
  ];
}

function renderHeldOut(heldOut: HeldOutSummary): string[] {
  const patterns = Object.keys(heldOut.scorers[0]?.perPattern ?? {});
  const ks = Object.keys(heldOut.scorers[0]?.precisionAt ?? {});
  return [
    '',
    '## Held-out evaluation',
    '',
    `> ${heldOut.caveat}`,
    '',
    `- Method: ${heldOut.method}`,
    `- Per repeat (mean ± sd over ${heldOut.repeats}): training ${meanSd(heldOut.train.patients, 1)} patients, ${meanSd(heldOut.train.claims, 1)} claims, ${meanSd(heldOut.train.frauds, 1)} injected; held out ${meanSd(heldOut.heldOut.patients, 1)} patients, ${meanSd(heldOut.heldOut.claims, 1)} claims, ${meanSd(heldOut.heldOut.frauds, 1)} injected (${patterns.map((p) => `${p} ${meanSd(heldOut.heldOut.byPattern[p]!, 1)}`).join(', ')}).`,
    '',
    `| scorer | ROC AUC | ${ks.map((k) => `precision@${k}`).join(' | ')} |`,
    `|---|---|${ks.map(() => '---|').join('')}`,
    ...heldOut.scorers.map((s) => `| ${s.name}: ${s.description} | ${meanSd(s.auc)} | ${ks.map((k) => meanSd(s.precisionAt[k]!, 2)).join(' | ')} |`),
    '',
    'Per pattern: ROC AUC of that pattern’s frauds against the clean claims, and the share of them among the R highest-ranked claims (R = all injected frauds of the repeat).',
    '',
    `| scorer | ${patterns.map((p) => `${p} AUC | ${p} in top R`).join(' | ')} |`,
    `|---|${patterns.map(() => '---|---|').join('')}`,
    ...heldOut.scorers.map(
      (s) => `| ${s.name} | ${patterns.map((p) => `${meanSd(s.perPattern[p]!.auc)} | ${meanSd(s.perPattern[p]!.recallAtR, 2)}`).join(' | ')} |`,
    ),
  ];
}

/**
 * Renders a card as Markdown for people.
 *
 * @param card - the card document
 */
export function renderCardMarkdown(card: ModelCard): string {
  const lines: string[] = [
    `# ${card.title}`,
    '',
    `Model \`${card.name}\` version ${card.version}. Generated by \`${card.generatedBy}\`; do not edit by hand.`,
    '',
    `- File: \`${card.file}\` (${card.sizeBytes} bytes, ONNX opset ${card.onnx.opset}, IR ${card.onnx.irVersion})`,
    `- SHA-256: \`${card.sha256}\``,
    `- Predicts: ${card.outcome}`,
    `- Inputs: ${card.onnx.inputs.join('; ')}`,
    `- Outputs: ${card.onnx.outputs.join('; ')}`,
    '',
    '## Input features',
    '',
    '| # | name | meaning | unit | validated range | missing handling |',
    '|---|---|---|---|---|---|',
    ...card.features.map(
      (f, i) =>
        `| ${i} | \`${f.name}\` | ${f.label} | ${f.unit} | ${range(f)} | ${
          f.missingAs ? `${f.missingAs === 'zero' ? '0' : 'NaN'} → ${f.imputedWith}${f.optional ? ' (may be absent at inference)' : ''}` : 'required'
        } |`,
    ),
    '',
    `Contributions (${card.contributions.columns.join(', ')}) are in ${card.contributions.scale}.`,
    '',
    `Bands: ${card.bands.map((b) => `${b.label} below ${Number.isFinite(b.below) ? pct(b.below, 0) : '100 %'}`).join(', ')}.`,
    '',
    '## Data',
    '',
    `- Source: ${card.data.source}`,
    `- Rows: ${card.data.rows}${card.data.positives === undefined ? '' : `, positives: ${card.data.positives}`}`,
    `- Licence: ${card.data.licence}`,
    ...card.data.notes.map((note) => `- ${note}`),
    '',
    '## Preprocessing',
    '',
    ...card.preprocessing.map((step) => `- ${step}`),
    '',
    '## Model',
    '',
    `${card.model.kind}`,
    '',
    '```json',
    JSON.stringify(card.model.parameters, null, 2),
    '```',
    '',
    '## Evaluation',
    '',
    `- Method: ${card.evaluation.method}`,
  ];
  if (card.evaluation.auc) lines.push(`- AUC: ${card.evaluation.auc.mean.toFixed(3)} ± ${card.evaluation.auc.sd.toFixed(3)} (mean ± sd over folds)`);
  if (card.evaluation.reported) lines.push(`- Published: ${card.evaluation.reported}`);
  if (card.evaluation.candidates) {
    lines.push('', '| candidate | AUC mean ± sd | Brier mean ± sd |', '|---|---|---|');
    for (const c of card.evaluation.candidates) {
      lines.push(`| ${c.name}: ${c.description} | ${c.auc.mean.toFixed(3)} ± ${c.auc.sd.toFixed(3)} | ${c.brier.mean.toFixed(4)} ± ${c.brier.sd.toFixed(4)} |`);
    }
  }
  if (card.evaluation.selection) lines.push('', `Selection: ${card.evaluation.selection}`);
  lines.push('', ...card.evaluation.checks.map((check) => `- Check: ${check}`));
  if (card.evaluation.injection) lines.push(...renderInjection(card.evaluation.injection));
  if (card.evaluation.heldOut) lines.push(...renderHeldOut(card.evaluation.heldOut));
  if (card.calibration) {
    lines.push(
      '',
      '## Calibration',
      '',
      `Brier score ${card.calibration.brier.mean.toFixed(4)} ± ${card.calibration.brier.sd.toFixed(4)}. ${card.calibration.note}`,
      '',
      '| predicted | n | mean predicted | observed |',
      '|---|---|---|---|',
      ...card.calibration.reliability.map((b) => `| ${pct(b.from, 0)}–${pct(b.to, 0)} | ${b.count} | ${pct(b.meanPredicted)} | ${pct(b.observedRate)} |`),
    );
  }
  lines.push('', '## Intended use', '', card.intendedUse, '', '## Limits', '', ...card.limits.map((limit) => `- ${limit}`), '');
  return lines.join('\n');
}
