/**
 * `audit`: the patient's audit trail told as the web app's audit screen tells it (lib/records/audit-story:
 * an import is one entry, a provider's reading session one entry per purpose), and `audit --format
 * csv|fhir [--out FILE]`: exported exactly as that screen exports it (lib/records/audit): CSV with the
 * spreadsheet formula guard, or a FHIR R4 Bundle of AuditEvents, one line or AuditEvent per event.
 */
import { writeFile } from 'node:fs/promises';

import type { Address } from 'viem';

import { type ActivityEvent, type ChainContext, patientActivity } from '../../lib/chain';
import { ValidationError } from '../../lib/errors';
import { auditBundle, auditCsv, auditRows } from '../../lib/records/audit';
import { type StoryEntry, auditStory, storyText } from '../../lib/records/audit-story';

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

/** A minute in UTC as the story prints it: `2026-01-05 10:02`. */
const minute = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ');

/** When an entry happened, in UTC: one minute, or from its first event to its last. */
function span(entry: StoryEntry): string {
  const [start, end] = [minute(entry.start), minute(entry.end)];
  if (start === end) return `${start} UTC`;
  return `${start}–${start.slice(0, 10) === end.slice(0, 10) ? end.slice(11) : end} UTC`;
}

/** One story entry as `--json` prints it. */
export interface StoryLine {
  readonly start: string;
  readonly end: string;
  readonly kind: StoryEntry['kind'];
  readonly text: string;
  readonly summary: string;
  readonly actor: Address;
  readonly counterpart?: Address;
  /** The purpose's name, as `--purpose` takes it (reads only). */
  readonly purpose?: string;
  readonly recordIds: readonly bigint[];
  readonly transactions: readonly string[];
}

/**
 * The audit trail of `patient` as the story's lines, newest first, and as text: one line per entry, the
 * categories or scopes after a dash. Providers are named by their addresses (full, to paste elsewhere);
 * the patient is "You" when `account` is the patient.
 *
 * @param patient - whose trail
 * @param activity - the patient's events, oldest first
 * @param account - the acting account
 */
export function auditStoryLines(
  patient: Address,
  activity: readonly ActivityEvent[],
  account: Address | undefined,
): { human: string; story: StoryLine[] } {
  const you = account?.toLowerCase() === patient.toLowerCase() ? 'You' : 'The patient';
  const nameOf = (address: Address) => (address.toLowerCase() === patient.toLowerCase() ? you : address);
  const entries = auditStory(patient, activity);
  const story = entries.map((entry): StoryLine => ({
    start: new Date(entry.start * 1000).toISOString(),
    end: new Date(entry.end * 1000).toISOString(),
    kind: entry.kind,
    text: storyText(entry, nameOf),
    summary: entry.summary,
    actor: entry.actor,
    ...(entry.counterpart ? { counterpart: entry.counterpart } : {}),
    ...(entry.purpose ? { purpose: entry.purpose.name } : {}),
    recordIds: entry.recordIds,
    transactions: entry.transactions,
  }));
  const human = entries
    .map((entry, index) => `${span(entry)}  ${story[index]!.text}${entry.summary ? ` — ${entry.summary}` : ''}`)
    .join('\n');
  return { human, story };
}
