/**
 * `risk BUNDLE.json [--at YYYY-MM-DD] [--json]`: every shipped model's result for a FHIR bundle, run
 * with onnxruntime-node. With no chain configured (no `isApproved` passed in), a model is approved
 * when its hash equals the one in its shipped model card, and the output says so. Failures are thrown
 * for the CLI to report like any other command's.
 */
import type { Bundle } from '@medplum/fhirtypes';

import { assessBundle, checkInteractions, MODELS, type ApprovalCheck, type RiskResult } from '../../lib/ai';
import { createNodeBackend, fileModelLoader, shippedCardApproval } from '../../lib/ai/node';
import { ValidationError } from '../../lib/errors';
import { parseJson } from '../../lib/fhir';

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
 * Assesses the bundle in `text` (read from `file`).
 *
 * @param file - the file's name, for messages
 * @param text - its content
 * @param options - `at`: the assessment date (default today); `isApproved`: the on-chain approval check
 *   when a chain is configured
 * @returns the report for people and its JSON form
 * @throws ValidationError when the file is not JSON, not a Bundle, or `at` is not a date
 */
export async function assessRiskFile(
  file: string,
  text: string,
  options: { at?: string; isApproved?: ApprovalCheck } = {},
): Promise<{ human: string; data: unknown }> {
  const at = options.at ?? new Date().toISOString().slice(0, 10);
  const bundle = parseJson(text, file) as Bundle | null;
  if (typeof bundle !== 'object' || bundle === null || bundle.resourceType !== 'Bundle') {
    const found = (bundle as { resourceType?: unknown } | null)?.resourceType;
    throw new ValidationError(
      [{ path: file, message: `is not a FHIR Bundle${typeof found === 'string' ? ` (it is a ${found})` : ''}` }],
      'Cannot assess risk',
    );
  }
  const approval = options.isApproved
    ? { isApproved: options.isApproved, source: 'on-chain ModelRegistry' }
    : { isApproved: await shippedCardApproval(MODELS), source: 'no chain configured: models approved by matching the SHA-256 in their shipped model cards' };
  const results = await assessBundle(bundle, { backend: createNodeBackend(), loadModel: fileModelLoader, isApproved: approval.isApproved, at });
  const interactions = checkInteractions(bundle, { at });
  const human = [
    `Risk assessment of ${file} at ${at} (approval: ${approval.source})\n`,
    results.map(formatResult).join('\n\n'),
    `\nDrug–drug interactions (ONC high-priority list): ${interactions.length === 0 ? 'none' : ''}`,
    ...interactions.map((flag) => `  ${flag.message}`),
  ].join('\n');
  return { human, data: { at, approval: approval.source, runtime: 'onnxruntime-node', results, interactions } };
}
