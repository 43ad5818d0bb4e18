/**
 * `risk BUNDLE.json [--at YYYY-MM-DD] [--json]`: every shipped model's result for a FHIR bundle, run
 * with onnxruntime-node. With no chain configured (no `isApproved` passed in), a model is approved
 * when its hash equals the one in its shipped model card, and the output says so.
 */
import { readFile } from 'node:fs/promises';
import type { Bundle } from '@medplum/fhirtypes';
import { parseArgs } from 'node:util';
import { describeError } from '../../lib/errors';
import { assessBundle, checkInteractions, MODELS, type ApprovalCheck, type RiskResult } from '../../lib/ai';
import { createNodeBackend, fileModelLoader, shippedCardApproval } from '../../lib/ai/node';

const USAGE = 'usage: risk BUNDLE.json [--at YYYY-MM-DD] [--json]';

const displayUnit = (unit: string): string => (unit === '1' ? '' : unit === 'a' ? ' years' : ` ${unit}`);

function formatResult(result: RiskResult): string {
  const lines = [`${result.title}`, `  model ${result.model} ${result.version}, sha256 ${result.sha256}`, `  ${result.status}: ${result.message}`];
  if (result.status === 'ok') {
    lines.push(`  contributions (${result.contributionScale}):`);
    for (const c of result.contributions) lines.push(`    ${c.name.padEnd(26)} ${c.value >= 0 ? '+' : ''}${c.value.toFixed(3)}`);
  }
  if (result.inputs.length > 0) {
    lines.push('  inputs:');
    for (const input of result.inputs) lines.push(`    ${input.name.padEnd(26)} ${input.value}${displayUnit(input.unit)}${input.date ? ` (${input.date})` : ''}`);
  }
  if (result.imputed.length > 0) lines.push(`  imputed as in training: ${result.imputed.join(', ')}`);
  return lines.join('\n');
}

/**
 * Runs the command.
 *
 * @param argv - arguments after `risk`
 * @param deps - `isApproved`: the on-chain approval check when a chain is configured
 * @returns the process exit code
 */
export async function riskCommand(argv: string[], deps: { isApproved?: ApprovalCheck } = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { at: { type: 'string' }, json: { type: 'boolean', default: false } } });
  } catch (error) {
    console.error(`${describeError(error)}\n${USAGE}`);
    return 2;
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const at = parsed.values.at ?? new Date().toISOString().slice(0, 10);
  try {
    const bundle = JSON.parse(await readFile(file, 'utf8')) as Bundle;
    if (typeof bundle !== 'object' || bundle === null || bundle.resourceType !== 'Bundle') {
      console.error(`${file} is not a FHIR Bundle`);
      return 1;
    }
    const approval = deps.isApproved
      ? { isApproved: deps.isApproved, source: 'on-chain ModelRegistry' }
      : { isApproved: await shippedCardApproval(MODELS), source: 'no chain configured: models approved by matching the SHA-256 in their shipped model cards' };
    const results = await assessBundle(bundle, { backend: createNodeBackend(), loadModel: fileModelLoader, isApproved: approval.isApproved, at });
    const interactions = checkInteractions(bundle, { at });
    if (parsed.values.json) {
      console.log(JSON.stringify({ at, approval: approval.source, runtime: 'onnxruntime-node', results, interactions }, null, 2));
    } else {
      console.log(`Risk assessment of ${file} at ${at} (approval: ${approval.source})\n`);
      console.log(results.map(formatResult).join('\n\n'));
      console.log(`\nDrug–drug interactions (ONC high-priority list): ${interactions.length === 0 ? 'none' : ''}`);
      for (const flag of interactions) console.log(`  ${flag.message}`);
    }
    return 0;
  } catch (error) {
    console.error(describeError(error));
    return 1;
  }
}
