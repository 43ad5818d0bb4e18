/**
 * The shape of a patient's timeline, as pure functions over decrypted records: current records with
 * their corrections, ordered by when things happened (not when they were anchored), a report with its
 * results and a visit with what happened in it nested under them, and the people and places of care
 * set apart. No React, so it is tested with node:test.
 */
import type { Resource } from '@medplum/fhirtypes';

import { clinicalTime, compareTimes } from '../../lib/fhir/display';
import type { RecordResult } from '../../lib/records/read';

/** A current record with the earlier versions it corrects (newest first). */
export interface CurrentRecord {
  readonly result: RecordResult;
  readonly history: readonly RecordResult[];
}

/** A record on the timeline, with what belongs to it nested under it. */
export interface TimelineEntry extends CurrentRecord {
  /**
   * Milliseconds the entry is ordered by: when it happened; for a record that could not be opened,
   * when it was anchored; undefined for a record without a clinical date (listed last).
   */
  readonly time: number | undefined;
  /** Whether {@link time} is the clinical date or only the anchoring time. */
  readonly timeSource: 'clinical' | 'anchored' | 'none';
  /** A report's results, or what happened during a visit (reports keep their own results). */
  readonly children: readonly TimelineEntry[];
}

/** The timeline and, apart from it, the people, places and sources of care. */
export interface Timeline {
  readonly entries: readonly TimelineEntry[];
  readonly directory: readonly CurrentRecord[];
}

/** Resource types that are who and where care came from, not something that happened. */
export const DIRECTORY_TYPES: ReadonlySet<string> = new Set([
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Location',
  'Provenance',
]);

/** Resource types billed or paid for care, shown under the visit they bill for. */
export const BILLING_TYPES: ReadonlySet<string> = new Set([
  'Claim',
  'ClaimResponse',
  'ExplanationOfBenefit',
  'Coverage',
]);

/**
 * Groups results into current records with their correction history. A superseded record is hidden
 * only when the record correcting it is in the list, so nothing ever silently disappears.
 * @param results - records as `readRecords` returns them
 */
export function currentRecords(results: readonly RecordResult[]): CurrentRecord[] {
  const byId = new Map(results.map((result) => [result.header.recordId, result]));
  const correctedHere = new Set(results.map((result) => result.header.supersedes).filter((id) => id !== 0n));
  const records: CurrentRecord[] = [];
  for (const result of results) {
    if (correctedHere.has(result.header.recordId)) continue;
    const history: RecordResult[] = [];
    let previous = byId.get(result.header.supersedes);
    while (previous && !history.includes(previous)) {
      history.push(previous);
      previous = byId.get(previous.header.supersedes);
    }
    records.push({ result, history });
  }
  return records;
}

/**
 * Whether a current record is a FHIR Patient (the demographics a file brought along): shown with the
 * patient's details, not as an entry of the timeline or a category of its own.
 */
export function isPatientRecord(record: CurrentRecord): boolean {
  return record.result.ok && record.result.payload.resource.resourceType === 'Patient';
}

/** Whether a current record is one of the people, places or sources of care. */
export function isDirectoryRecord(record: CurrentRecord): boolean {
  return record.result.ok && DIRECTORY_TYPES.has(record.result.payload.resource.resourceType);
}

/**
 * The keys a reference may use for a resource: `Type/id`, the bare id, its bundle fullUrl and the
 * `urn:uuid:` form Synthea writes.
 */
function keysOf(result: RecordResult): string[] {
  if (!result.ok) return [];
  const { resource, entry } = result.payload;
  const keys = entry?.fullUrl ? [entry.fullUrl] : [];
  if (resource.id) keys.push(`${resource.resourceType}/${resource.id}`, resource.id, `urn:uuid:${resource.id}`);
  return keys;
}

/**
 * The keys to look a reference up by: itself (a fullUrl), `Type/id` from a relative or absolute URL
 * (without `_history`), and the bare id. Conditional references (`Type?identifier=…`) and contained
 * ones (`#id`) resolve to nothing.
 * @param reference - `Reference.reference`
 */
export function referenceKeys(reference: string | undefined): string[] {
  if (!reference || reference.startsWith('#') || reference.includes('?')) return [];
  if (reference.startsWith('urn:uuid:')) return [reference, reference.slice('urn:uuid:'.length)];
  const segments = reference.replace(/\/_history\/[^/]+$/, '').split('/');
  const [type, id] = segments.slice(-2);
  return type && id ? [reference, `${type}/${id}`] : [reference];
}

type Fields = Readonly<Record<string, unknown>>;

function referenceOf(value: unknown): string | undefined {
  const reference = (value as { reference?: unknown } | undefined)?.reference;
  return typeof reference === 'string' ? reference : undefined;
}

function referencesOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(referenceOf).filter((ref): ref is string => ref !== undefined) : [];
}

/**
 * The visit(s) a resource happened in: `encounter` (most clinical types), `context` (medication
 * administration and dispense, DocumentReference), and the visits a claim's items bill for.
 * @param resource - any FHIR resource
 */
export function encounterReferences(resource: Resource): string[] {
  const r = resource as unknown as Fields;
  const references = [referenceOf(r.encounter)];
  if (resource.resourceType === 'DocumentReference') references.push(...referencesOf((r.context as Fields)?.encounter));
  else references.push(referenceOf(r.context));
  if (resource.resourceType === 'Claim' || resource.resourceType === 'ExplanationOfBenefit')
    for (const item of resource.item ?? []) references.push(...referencesOf(item.encounter));
  return references.filter((reference): reference is string => reference !== undefined);
}

/** The order of kinds of things within a visit: findings first, billing last. */
const CHILD_ORDER = [
  'DiagnosticReport',
  'Observation',
  'Condition',
  'AllergyIntolerance',
  'Procedure',
  'ImagingStudy',
  'MedicationRequest',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationStatement',
  'Immunization',
  'CarePlan',
  'Goal',
  'CareTeam',
  'DocumentReference',
  'SupplyDelivery',
  'Device',
];

function childRank(entry: TimelineEntry): number {
  if (!entry.result.ok) return CHILD_ORDER.length;
  const type = entry.result.payload.resource.resourceType;
  if (BILLING_TYPES.has(type)) return CHILD_ORDER.length + 1;
  const rank = CHILD_ORDER.indexOf(type);
  return rank === -1 ? CHILD_ORDER.length : rank;
}

/** Newest first, undated last; same time: the later record first. */
function byTime(a: TimelineEntry, b: TimelineEntry): number {
  return compareTimes(a.time, b.time) || Number(b.result.header.recordId - a.result.header.recordId);
}

function leafEntry(record: CurrentRecord): Omit<TimelineEntry, 'children'> {
  if (!record.result.ok) return { ...record, time: record.result.header.createdAt * 1000, timeSource: 'anchored' };
  const time = clinicalTime(record.result.payload.resource);
  return { ...record, time, timeSource: time === undefined ? 'none' : 'clinical' };
}

/**
 * Arranges current records into a timeline: directory resources set apart; each Observation a
 * DiagnosticReport lists in `result` nested under that report; everything that references a visit
 * (`encounter`, `context`, a claim's items) nested under that Encounter; then newest first by
 * clinical time. Nesting is only between records in the list, so a filtered list (one category, or
 * what a provider may read) nests what it holds and shows the rest on its own.
 * @param records - current records, e.g. from {@link currentRecords}
 */
export function buildTimeline(records: readonly CurrentRecord[]): Timeline {
  const directory = records.filter(isDirectoryRecord);
  const clinical = records.filter((record) => !isDirectoryRecord(record));
  const byKey = new Map<string, CurrentRecord>();
  for (const record of clinical) for (const key of keysOf(record.result)) if (!byKey.has(key)) byKey.set(key, record);
  const resolve = (reference: string | undefined, type: string) => {
    for (const key of referenceKeys(reference)) {
      const target = byKey.get(key);
      if (target?.result.ok && target.result.payload.resource.resourceType === type) return target;
    }
    return undefined;
  };

  const parentOf = new Map<CurrentRecord, CurrentRecord>();
  for (const record of clinical) {
    if (!record.result.ok || record.result.payload.resource.resourceType !== 'DiagnosticReport') continue;
    for (const result of record.result.payload.resource.result ?? []) {
      const observation = resolve(result.reference, 'Observation');
      if (observation && !parentOf.has(observation)) parentOf.set(observation, record);
    }
  }
  for (const record of clinical) {
    if (!record.result.ok || parentOf.has(record)) continue;
    const resource = record.result.payload.resource;
    if (resource.resourceType === 'Encounter') continue;
    const visit = encounterReferences(resource)
      .map((reference) => resolve(reference, 'Encounter'))
      .find(Boolean);
    if (visit) parentOf.set(record, visit);
  }

  const childrenOf = new Map<CurrentRecord, CurrentRecord[]>();
  for (const [child, parent] of parentOf) {
    const siblings = childrenOf.get(parent);
    if (siblings) siblings.push(child);
    else childrenOf.set(parent, [child]);
  }
  const entryOf = (record: CurrentRecord): TimelineEntry => ({
    ...leafEntry(record),
    children: (childrenOf.get(record) ?? [])
      .map(entryOf)
      // Within a visit or report: by kind, then in the order things happened and the source listed them.
      .sort(
        (a, b) =>
          childRank(a) - childRank(b) ||
          compareTimes(b.time ?? Infinity, a.time ?? Infinity) ||
          Number(a.result.header.recordId - b.result.header.recordId),
      ),
  });
  const entries = clinical
    .filter((record) => !parentOf.has(record))
    .map(entryOf)
    .sort(byTime);
  return { entries, directory };
}

/**
 * Every record on the timeline, nested ones included: what a tab count or a search covers.
 * @param entries - timeline entries
 */
export function flattenTimeline(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries.flatMap((entry) => [entry, ...flattenTimeline(entry.children)]);
}

/**
 * Top-level entries under the year they happened in, newest year first; undated ones under `undefined`.
 * @param entries - timeline entries in timeline order
 */
export function byYear(entries: readonly TimelineEntry[]): { year: number | undefined; entries: TimelineEntry[] }[] {
  const groups: { year: number | undefined; entries: TimelineEntry[] }[] = [];
  for (const entry of entries) {
    const year = entry.time === undefined ? undefined : new Date(entry.time).getUTCFullYear();
    const last = groups.at(-1);
    if (last && last.year === year) last.entries.push(entry);
    else groups.push({ year, entries: [entry] });
  }
  return groups;
}
