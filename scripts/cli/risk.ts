/**
 * `risk BUNDLE.json [--at YYYY-MM-DD] [--json]`: every shipped model's result for a FHIR bundle, run
 * with onnxruntime-node through lib/ai/report, as the web app's insights screens run them. When a
 * chain answers at `MEDLEDGER_RPC_URL`, each model file's SHA-256 is looked up in its on-chain
 * ModelRegistry and a model that is not approved is not run; without a chain the report says approval
 * was not checked, and runs the models whose files match the SHA-256 of their shipped model cards.
 * Failures are thrown for the CLI to report like any other command's.
 */
import type { Bundle } from '@medplum/fhirtypes';

import {
  type ApprovalLookup,
  type ModelApproval,
  type ModelReport,
  MODELS,
  type RiskResult,
  assessPatientBundle,
  registryApproval,
} from '../../lib/ai';
import { createNodeBackend, fileModelLoader, shippedCardHashes } from '../../lib/ai/node';
import { DEFAULT_RPC_URL, connectChain, readModelRegistry } from '../../lib/chain';
import { ValidationError, describeError } from '../../lib/errors';
import { parseJson } from '../../lib/fhir';

/** Where approvals come from: the on-chain ModelRegistry, or nowhere (not checked). */
export interface RiskApproval {
  /** Whether an on-chain ModelRegistry was asked. */
  readonly checked: boolean;
  /** One sentence saying where approvals came from, or why they were not checked. */
  readonly source: string;
  readonly approvalOf: ApprovalLookup;
}

/**
 * Approval without a chain: not checked. A model still runs only when its file is the one its shipped
 * model card names (so a swapped file is refused), but nobody approved it for this deployment.
 *
 * @param reason - why no registry was asked
 */
export async function uncheckedApproval(reason: string): Promise<RiskApproval> {
  const hashes = new Set((await shippedCardHashes(MODELS)).values());
  return {
    checked: false,
    source: `not checked (${reason}); models run because their SHA-256 matches their shipped model card`,
    approvalOf: async (sha256) => ({
      approved: hashes.has(sha256),
      approvedAt: 0,
      deprecated: false,
      registeredName: '',
      registeredVersion: 0,
    }),
  };
}

/**
 * The ModelRegistry of the chain at `rpcUrl` when one answers there and its registry can be read;
 * otherwise {@link uncheckedApproval} saying why.
 *
 * @param rpcUrl - the chain's JSON-RPC URL (default `MEDLEDGER_RPC_URL`, then the devnet's)
 */
export async function approvalFromChain(
  rpcUrl: string = process.env.MEDLEDGER_RPC_URL ?? DEFAULT_RPC_URL,
): Promise<RiskApproval> {
  try {
    const chain = await connectChain({ rpcUrl });
    // One read up front, so a registry that cannot be read means "not checked", not a failed command.
    await readModelRegistry(chain, 'isApproved', [`0x${'0'.repeat(64)}`]);
    return {
      checked: true,
      source: `on-chain ModelRegistry ${chain.deployment.modelRegistry} (chain ${chain.deployment.chainId} at ${rpcUrl})`,
      approvalOf: registryApproval(chain),
    };
  } catch (error) {
    return uncheckedApproval(`no MedLedger chain reachable at ${rpcUrl}: ${describeError(error)}`);
  }
}

const displayUnit = (unit: string): string => (unit === '1' ? '' : unit === 'a' ? ' years' : ` ${unit}`);

function approvalLine(approval: ModelApproval, checked: boolean): string {
  if (!checked)
    return approval.approved
      ? 'not checked (file matches its model card)'
      : 'not checked, and the file does not match its model card';
  if (!approval.approved)
    return approval.deprecated
      ? 'deprecated in the on-chain ModelRegistry'
      : 'NOT approved in the on-chain ModelRegistry';
  const since = new Date(approval.approvedAt * 1000).toISOString().slice(0, 10);
  return `approved on-chain as ${approval.registeredName} v${approval.registeredVersion} since ${since}`;
}

function formatResult(result: RiskResult): string[] {
  const lines = [`  ${result.status}: ${result.message}`];
  if (result.status === 'ok') {
    lines.push(`  contributions (${result.contributionScale}):`);
    for (const c of result.contributions)
      lines.push(`    ${c.name.padEnd(26)} ${c.value >= 0 ? '+' : ''}${c.value.toFixed(3)}`);
  }
  if (result.inputs.length > 0) {
    lines.push('  inputs:');
    for (const input of result.inputs)
      lines.push(
        `    ${input.name.padEnd(26)} ${input.value}${displayUnit(input.unit)}${input.date ? ` (${input.date})` : ''}`,
      );
  }
  if (result.imputed.length > 0) lines.push(`  imputed as in training: ${result.imputed.join(', ')}`);
  return lines;
}

function formatModel(report: ModelReport, checked: boolean): string {
  return [
    report.spec.title,
    `  model ${report.spec.name} ${report.spec.version}, sha256 ${report.sha256}`,
    `  approval: ${approvalLine(report.approval, checked)}`,
    ...(report.result
      ? formatResult(report.result)
      : [`  not run: ${checked ? report.refusal : 'the file is not the one its shipped model card names'}`]),
  ].join('\n');
}

/**
 * Assesses the bundle in `text` (read from `file`).
 *
 * @param file - the file's name, for messages
 * @param text - its content
 * @param options - `at`: the assessment date (default today); `approval`: where approvals come from
 *   (default {@link approvalFromChain})
 * @returns the report for people and its JSON form
 * @throws ValidationError when the file is not JSON, not a Bundle, or `at` is not a date
 */
export async function assessRiskFile(
  file: string,
  text: string,
  options: { at?: string; approval?: RiskApproval } = {},
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
  const approval = options.approval ?? (await approvalFromChain());
  const assessment = await assessPatientBundle(bundle, {
    at,
    backend: createNodeBackend(),
    loadModel: fileModelLoader,
    approvalOf: approval.approvalOf,
    trend: false,
  });
  const { models, interactions, plausibility } = assessment;
  const human = [
    `Risk assessment of ${file} at ${at}`,
    `Model approval: ${approval.source}\n`,
    models.map((report) => formatModel(report, approval.checked)).join('\n\n'),
    `\nDrug–drug interactions (ONC high-priority list): ${interactions.length === 0 ? 'none' : ''}`,
    ...interactions.map((flag) => `  ${flag.message}`),
    `Values to double-check: ${plausibility.length === 0 ? 'none' : ''}`,
    ...plausibility.map(({ warning }) => `  ${warning.path}: ${warning.message}`),
  ].join('\n');
  const data = {
    at,
    approval: { checked: approval.checked, source: approval.source },
    runtime: 'onnxruntime-node',
    models: models.map((report) => ({
      model: report.spec.name,
      version: report.spec.version,
      sha256: report.sha256,
      approval: approval.checked ? report.approval : null,
      ...(report.refusal ? { refusal: report.refusal } : {}),
    })),
    results: models.flatMap((report) => (report.result ? [report.result] : [])),
    interactions,
    plausibility: plausibility.map(({ warning }) => warning),
  };
  return { human, data };
}
