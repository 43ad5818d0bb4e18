/**
 * The audit trail as a story a person reads: the chain logs an import of 161 records as two
 * transactions and a doctor's visit as a handful of `logAccess` calls, but the patient wants to read
 * "You added 161 records" and "Dr. Ada Okafor read 42 records for treatment". Pure functions over
 * {@link ActivityEvent}s, shared by the web app's audit screen and the CLI's `audit`; the exports stay
 * one line (or one AuditEvent) per on-chain event, so nothing is summarised away for an auditor.
 */
import type { Address, Hex } from 'viem';

import type { ActivityEvent } from '../chain/activity';
import { categoryLabel, scopeSummary } from '../chain/categories';
import type { PurposeOfUse } from '../chain/purpose';
import { formatDate } from '../fhir/display';
import { type AuditGroup, type AuditRow, auditRows } from './audit';

/**
 * Longest pause, in seconds, within one sitting: reads of one provider for one purpose, or records
 * added by one author, with no longer gap between them are one entry.
 */
export const SESSION_GAP_SECONDS = 30 * 60;

/** What an entry tells. */
export type StoryKind = 'registered' | 'added' | 'read' | 'granted' | 'revoked' | 'requested' | 'denied' | 'keysShared';

/** A piece of an entry's sentence: words, or a person to name (the patient or a provider). */
export type StoryPart = string | { readonly who: Address };

/** An on-chain event's audit row, with its place in the patient's activity (0 = oldest). */
export type StoryRow = AuditRow & { readonly position: number };

/** The records of one category an entry concerns. */
export interface CategoryRecords {
  /** The category code, or -1 for records whose addition is not in the trail given. */
  readonly category: number;
  readonly label: string;
  readonly recordIds: readonly bigint[];
}

/** One entry of the story: one event, or a sitting of reads or additions merged. */
export interface StoryEntry {
  /** The id of its first event (`transactionHash-logIndex`), stable as the trail grows. */
  readonly id: string;
  readonly kind: StoryKind;
  readonly group: AuditGroup;
  /** Who did it: the patient, or the provider who read, wrote or asked. */
  readonly actor: Address;
  /** The provider a consent change concerns. */
  readonly counterpart?: Address;
  /** Block time of its first and of its last event, Unix seconds. */
  readonly start: number;
  readonly end: number;
  /** The sentence, subject first: `[{ who: doctor }, ' read 42 records for treatment']`. */
  readonly sentence: readonly StoryPart[];
  /** What a second line says: the categories touched, the scopes granted or asked for. */
  readonly summary: string;
  /** Its on-chain events, oldest first: what the exports write, one line or AuditEvent each. */
  readonly rows: readonly StoryRow[];
  /** The records it concerns, each once, in the order first touched. */
  readonly recordIds: readonly bigint[];
  /** Those records by category, the largest first. */
  readonly categories: readonly CategoryRecords[];
  /** Records added, and records corrected (a new version superseding one), by an `added` entry. */
  readonly added: number;
  readonly corrected: number;
  /** Why the records were read (`read` entries only). */
  readonly purpose?: PurposeOfUse;
  /** Its transactions, each once, oldest first. */
  readonly transactions: readonly Hex[];
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The events of one entry being collected, with their rows and their places in the activity. */
interface Sitting {
  readonly events: { event: ActivityEvent; row: AuditRow; index: number }[];
}

/** What makes reads or additions one sitting: the same kind, the same person, the same purpose. */
function sittingKey(event: ActivityEvent): string | undefined {
  if (event.kind === 'accessLogged') return `read:${event.provider.toLowerCase()}:${event.purpose}`;
  if (event.kind === 'recordAdded') return `added:${event.author.toLowerCase()}`;
  return undefined;
}

/** The people an event is by or about, lowercased; a sitting ends when one of them does something else. */
function peopleOf(event: ActivityEvent, patient: Address): string[] {
  switch (event.kind) {
    case 'recordAdded':
      return [event.author.toLowerCase()];
    case 'registered':
      return [patient.toLowerCase()];
    case 'accessLogged':
    case 'accessRequested':
      return [event.provider.toLowerCase()];
    default:
      return [patient.toLowerCase(), event.provider.toLowerCase()];
  }
}

/**
 * The audit trail of `patient` as entries, newest first. Every event is in exactly one entry. One
 * provider's reads for one purpose merge while no gap between them exceeds `gapSeconds`, and so do
 * the records one author adds (an import anchors at most 100 records per transaction); a sitting
 * ends early when its person does anything else than read (a grant, a request, a write). Reads for
 * another purpose are a sitting of their own beside it, so each entry has one purpose.
 * Registration and each consent change are an entry of their own.
 *
 * @param patient - whose trail
 * @param activity - the patient's events, oldest first, as `patientActivity` returns them
 * @param options - `gapSeconds`: the longest pause within a sitting ({@link SESSION_GAP_SECONDS})
 */
export function auditStory(
  patient: Address,
  activity: readonly ActivityEvent[],
  options: { gapSeconds?: number } = {},
): StoryEntry[] {
  const gap = options.gapSeconds ?? SESSION_GAP_SECONDS;
  // auditRows lists newest first, one row per event.
  const rows = auditRows(patient, activity).reverse();
  const categoryOf = new Map<bigint, number>();
  for (const event of activity) if (event.kind === 'recordAdded') categoryOf.set(event.recordId, event.category);

  const sittings: Sitting[] = [];
  const open = new Map<string, Sitting>();
  activity.forEach((event, index) => {
    const row = rows[index]!;
    const key = sittingKey(event);
    const people = peopleOf(event, patient);
    for (const [openKey, sitting] of open) {
      const last = sitting.events.at(-1)!.event;
      const ends =
        openKey === key
          ? event.timestamp - last.timestamp > gap
          : // Reads for another purpose run beside a sitting (the risk panel during a visit); anything else ends it.
            !(last.kind === 'accessLogged' && event.kind === 'accessLogged') &&
            people.some((person) => peopleOf(last, patient).includes(person));
      if (ends) open.delete(openKey);
    }
    const current = key ? open.get(key) : undefined;
    if (current) {
      current.events.push({ event, row, index });
      return;
    }
    const sitting: Sitting = { events: [{ event, row, index }] };
    sittings.push(sitting);
    if (key) open.set(key, sitting);
  });

  // Newest first by when each entry ended; within a block, by chain order.
  const lastIndex = (sitting: Sitting) => sitting.events.at(-1)!.index;
  return sittings
    .map((sitting) => ({ sitting, entry: toEntry(patient, sitting, categoryOf) }))
    .sort((a, b) => b.entry.end - a.entry.end || lastIndex(b.sitting) - lastIndex(a.sitting))
    .map(({ entry }) => entry);
}

function toEntry(patient: Address, sitting: Sitting, categoryOf: ReadonlyMap<bigint, number>): StoryEntry {
  const first = sitting.events[0]!;
  const rows = sitting.events.map(({ row, index }) => ({ ...row, position: index }));
  const recordIds = [...new Set(rows.flatMap((row) => row.recordIds))];
  const byCategory = new Map<number, bigint[]>();
  for (const id of recordIds) {
    const category = categoryOf.get(id) ?? -1;
    const ids = byCategory.get(category) ?? [];
    ids.push(id);
    byCategory.set(category, ids);
  }
  const categories = [...byCategory]
    .map(([category, ids]) => ({
      category,
      label: category === -1 ? 'Category unknown' : categoryLabel(category),
      recordIds: ids,
    }))
    .sort((a, b) => b.recordIds.length - a.recordIds.length || a.label.localeCompare(b.label));
  const corrected = sitting.events.filter(
    ({ event }) => event.kind === 'recordAdded' && event.supersedes !== 0n,
  ).length;
  const base = {
    id: first.row.id,
    group: first.row.group,
    actor: first.row.actor,
    ...(first.row.counterpart ? { counterpart: first.row.counterpart } : {}),
    start: first.event.timestamp,
    end: sitting.events.at(-1)!.event.timestamp,
    rows,
    recordIds,
    categories,
    added: first.event.kind === 'recordAdded' ? sitting.events.length - corrected : 0,
    corrected,
    transactions: [...new Set(rows.map((row) => row.transactionHash))],
  };
  const inCategories = categories.map(({ label, recordIds: ids }) => `${label} ${ids.length}`).join(' · ');
  const event = first.event;
  switch (event.kind) {
    case 'registered':
      return { ...base, kind: 'registered', sentence: [{ who: patient }, ' registered as a patient'], summary: '' };
    case 'recordAdded': {
      const what =
        base.added === 0
          ? ` corrected ${plural(corrected, 'record')}`
          : ` added ${plural(base.added, 'record')}${corrected ? ` and corrected ${corrected}` : ''}`;
      return { ...base, kind: 'added', sentence: [{ who: event.author }, what], summary: inCategories };
    }
    case 'accessLogged': {
      const purpose = first.row.purpose!;
      return {
        ...base,
        kind: 'read',
        purpose,
        sentence: [{ who: event.provider }, ` read ${plural(recordIds.length, 'record')} ${purpose.phrase}`],
        summary: inCategories,
      };
    }
    case 'accessGranted':
      return {
        ...base,
        kind: 'granted',
        sentence: [{ who: patient }, ' gave ', { who: event.provider }, ` access until ${formatDate(event.expiry)}`],
        summary: scopeSummary(event.scopes),
      };
    case 'accessRevoked':
      return {
        ...base,
        kind: 'revoked',
        sentence: [{ who: patient }, ' revoked access for ', { who: event.provider }],
        summary: 'What was read before cannot be recalled; nothing written since is shared with them.',
      };
    case 'accessRequested':
      return {
        ...base,
        kind: 'requested',
        sentence: [{ who: event.provider }, ' asked for access'],
        summary: scopeSummary(event.scopes),
      };
    case 'requestDenied':
      return {
        ...base,
        kind: 'denied',
        sentence: [{ who: patient }, ' declined a request from ', { who: event.provider }],
        summary: '',
      };
    case 'keyringShared':
      return {
        ...base,
        kind: 'keysShared',
        sentence: [{ who: patient }, ' shared new keys with ', { who: event.provider }],
        summary: `Key epoch ${event.keyEpoch}, after a revocation, so they can read what you add from now on.`,
      };
  }
}

/**
 * The on-chain events of `entries`, newest first in chain order, as {@link auditRows} lists them: what
 * the CSV and AuditEvent exports of those entries hold.
 */
export function storyRows(entries: readonly StoryEntry[]): StoryRow[] {
  return entries.flatMap((entry) => entry.rows).sort((a, b) => b.position - a.position);
}

/**
 * An entry's sentence as text, e.g. "Dr. Ada Okafor read 42 records for treatment".
 *
 * @param entry - the entry
 * @param nameOf - what to call each person (the patient "You", a provider by its directory name)
 */
export function storyText(entry: Pick<StoryEntry, 'sentence'>, nameOf: (address: Address) => string): string {
  return entry.sentence.map((part) => (typeof part === 'string' ? part : nameOf(part.who))).join('');
}
