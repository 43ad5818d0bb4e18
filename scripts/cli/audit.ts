/**
 * `audit --format csv|fhir [--out FILE]`: the patient's audit trail exported exactly as the web app's
 * audit screen exports it (lib/records/audit): CSV with the spreadsheet formula guard, or a FHIR R4
 * Bundle of AuditEvents. Without `--format`, `audit` keeps its plain listing.
 */
import { writeFile } from 'node:fs/promises';

import type { Address } from 'viem';

import { type ChainContext, patientActivity } from '../../lib/chain';
import { ValidationError } from '../../lib/errors';
import { auditBundle, auditCsv, auditRows } from '../../lib/records/audit';

export const AUDIT_FORMATS = ['csv', 'fhir'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/**
 * The `--format` value as an export format.
 *
 * @throws {@link ValidationError} for anything but `csv` or `fhir`
 */
export function parseAuditFormat(text: string): AuditFormat {
  if ((AUDIT_FORMATS as readonly string[]).includes(text)) return text as AuditFormat;
  throw new ValidationError([{ path: '--format', message: `"${text}" is not a format; use csv or fhir` }]);
}

/** An audit export: the file's text and how many events it holds. */
export interface AuditExport {
  readonly format: AuditFormat;
  readonly text: string;
  readonly events: number;
}

/**
 * The audit trail of `patient` in `format`. Names are left empty: the CLI has no address book, and
 * the provider directory is not consulted, so every actor is its address.
 *
 * @param chain - a connected chain
 * @param patient - whose trail
 * @param format - `csv` or `fhir`
 */
export async function exportAudit(chain: ChainContext, patient: Address, format: AuditFormat): Promise<AuditExport> {
  const rows = auditRows(patient, await patientActivity(chain, patient));
  const nameOf = () => undefined;
  const text =
    format === 'csv'
      ? auditCsv(rows, nameOf)
      : `${JSON.stringify(
          auditBundle(rows, {
            patient,
            chainId: chain.deployment.chainId,
            contract: chain.deployment.medLedger,
            nameOf,
          }),
          null,
          2,
        )}\n`;
  return { format, text, events: rows.length };
}

/**
 * Runs `audit --format …`: writes the export to `out`, or prints it (the export itself is the output,
 * with or without `--json`).
 *
 * @returns the line to report when a file was written, or undefined when the export was printed
 */
export async function runAuditExport(
  chain: ChainContext,
  patient: Address,
  options: { format: string; out?: string },
): Promise<{ human: string; data: { out: string; format: AuditFormat; events: number } } | undefined> {
  const exported = await exportAudit(chain, patient, parseAuditFormat(options.format));
  if (!options.out) {
    process.stdout.write(exported.text);
    return undefined;
  }
  await writeFile(options.out, exported.text);
  return {
    human: `Wrote ${exported.events} audit events of ${patient} to ${options.out} (${exported.format}).`,
    data: { out: options.out, format: exported.format, events: exported.events },
  };
}
