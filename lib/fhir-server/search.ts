/**
 * The FHIR search the server supports, per resource type: which parameters, what they match, and
 * how their values are read. One table ({@link SERVED_TYPES}) drives the parser, the matcher and the
 * CapabilityStatement, so the statement lists exactly what is supported.
 *
 * - `_id` (token): the served id.
 * - `patient`, `subject` (reference): whose record the resource is in (`Patient/0x…` or the address).
 * - `code` (token: `code`, `system|code`, `|code`, `system|`): the type's main coded element (see
 *   {@link CODE_ELEMENTS}); where R4 names that parameter otherwise (`vaccine-code`, `type`,
 *   `category`) the R4 name works too.
 * - `date` (date, prefixes `eq ne gt lt ge le sa eb`): the resource's clinical date (`clinicalDate` in
 *   lib/fhir: effective time, onset, authoredOn, occurrence, performed, period start …), as a range of
 *   its precision; a value without a time zone is read as UTC.
 * - `_count`, `_getpagesoffset`: paging. `_format` (json only).
 * Repeated parameters are ANDed, comma-separated values ORed. Unknown parameters and modifiers are a
 * 400 OperationOutcome, or ignored with `Prefer: handling=lenient`.
 */
import type { Coding, Resource } from '@medplum/fhirtypes';

import { RECORD_CATEGORIES, categoryOf } from '../chain/categories';
import { clinicalDate } from '../fhir';
import { invalid, notSupported } from './outcome';
import type { ServedResource } from './resources';

/** The coded element `code` (and its R4 aliases) searches, by resource type. */
export const CODE_ELEMENTS: Readonly<Record<string, { element: string; aliases: readonly string[] }>> = {
  Observation: { element: 'code', aliases: [] },
  Condition: { element: 'code', aliases: [] },
  AllergyIntolerance: { element: 'code', aliases: [] },
  Procedure: { element: 'code', aliases: [] },
  DiagnosticReport: { element: 'code', aliases: [] },
  MedicationRequest: { element: 'medicationCodeableConcept', aliases: [] },
  MedicationStatement: { element: 'medicationCodeableConcept', aliases: [] },
  MedicationAdministration: { element: 'medicationCodeableConcept', aliases: [] },
  MedicationDispense: { element: 'medicationCodeableConcept', aliases: [] },
  Immunization: { element: 'vaccineCode', aliases: ['vaccine-code'] },
  Encounter: { element: 'type', aliases: ['type'] },
  DocumentReference: { element: 'type', aliases: ['type'] },
  CarePlan: { element: 'category', aliases: ['category'] },
  Claim: { element: 'type', aliases: [] },
  ClaimResponse: { element: 'type', aliases: [] },
  ExplanationOfBenefit: { element: 'type', aliases: [] },
  Coverage: { element: 'type', aliases: ['type'] },
  ServiceRequest: { element: 'code', aliases: [] },
  Medication: { element: 'code', aliases: [] },
  Goal: { element: 'description', aliases: [] },
};

/**
 * Every type the server serves by type: the Patient, each type lib/chain/categories files in its own
 * category, and the types of the `other` category that Synthea-style records hold (directory
 * resources, goals, imaging …). Resources of yet other types are still part of `$everything` and
 * `$export`.
 */
export const SERVED_TYPES: readonly string[] = [
  'Patient',
  'Observation',
  'Condition',
  'MedicationRequest',
  'MedicationStatement',
  'MedicationAdministration',
  'MedicationDispense',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
  'DiagnosticReport',
  'DocumentReference',
  'Encounter',
  'CarePlan',
  'Claim',
  'ClaimResponse',
  'ExplanationOfBenefit',
  'Coverage',
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Location',
  'Device',
  'Medication',
  'Goal',
  'CareTeam',
  'ImagingStudy',
  'ServiceRequest',
  'Provenance',
  'SupplyDelivery',
  'Specimen',
  'FamilyMemberHistory',
];

/** Types without a clinical date (`clinicalDate` gives them none): no `date` parameter. */
const UNDATED = new Set([
  'Patient',
  'Medication',
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Location',
  'Device',
  'ClaimResponse',
]);

/** A search parameter as the CapabilityStatement lists it. */
export interface SearchParamDefinition {
  readonly name: string;
  readonly type: 'token' | 'reference' | 'date';
  readonly documentation: string;
}

/**
 * The record category a served type lives in (the Patient: the profile category). Read access to a
 * type is read access to this category.
 */
export function categoryOfType(type: string): number {
  return type === 'Patient' ? RECORD_CATEGORIES.profile : categoryOf(type);
}

/** The search parameters of a served type, as the CapabilityStatement lists them. */
export function searchParamsOf(type: string): SearchParamDefinition[] {
  const params: SearchParamDefinition[] = [{ name: '_id', type: 'token', documentation: 'The served id.' }];
  if (type === 'Patient') return params;
  params.push(
    { name: 'patient', type: 'reference', documentation: 'Whose record: Patient/<address> or the address.' },
    { name: 'subject', type: 'reference', documentation: 'The same as patient: every record is one patient’s.' },
  );
  const coded = CODE_ELEMENTS[type];
  if (coded) {
    for (const name of ['code', ...coded.aliases]) {
      params.push({
        name,
        type: 'token',
        documentation: `${type}.${coded.element}: code, system|code, |code or system|.`,
      });
    }
  }
  if (!UNDATED.has(type)) {
    params.push({
      name: 'date',
      type: 'date',
      documentation: 'The clinical date (effective, onset, authored, occurrence, performed, period start …).',
    });
  }
  return params;
}

/** A date parameter's comparison. */
export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb';

/** A FHIR date, dateTime or instant as the half-open range of time its precision covers (ms). */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

const DATE_TEXT =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range of time a FHIR date or dateTime covers: `2020` the whole year, `2020-03-01` that day,
 * `2020-03-01T10:00Z` that minute. Without a time zone, UTC.
 *
 * @param text - the date text
 * @returns the range, or `undefined` when the text is not a FHIR date
 */
export function timeRangeOf(text: string): TimeRange | undefined {
  const match = DATE_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const offsetMs = (() => {
    if (!zone || zone === 'Z') return 0;
    const sign = zone.startsWith('-') ? -1 : 1;
    return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  })();
  const utc = (...parts: number[]) =>
    Date.UTC(parts[0]!, parts[1] ?? 0, parts[2] ?? 1, parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0, parts[6] ?? 0);
  const y = Number(year);
  if (month === undefined) return { start: utc(y), end: utc(y + 1) };
  const m = Number(month) - 1;
  if (m > 11) return undefined;
  if (day === undefined) return { start: utc(y, m), end: utc(y, m + 1) };
  const d = Number(day);
  if (d < 1 || d > 31) return undefined;
  if (hour === undefined) return { start: utc(y, m, d), end: utc(y, m, d + 1) };
  const h = Number(hour);
  const min = Number(minute);
  if (second === undefined) {
    const start = utc(y, m, d, h, min) - offsetMs;
    return { start, end: start + 60_000 };
  }
  if (fraction === undefined) {
    const start = utc(y, m, d, h, min, Number(second)) - offsetMs;
    return { start, end: start + 1000 };
  }
  const unit = 1000 / 10 ** Math.min(fraction.length, 3);
  const start = utc(y, m, d, h, min, Number(second), Number(fraction.slice(0, 3).padEnd(3, '0'))) - offsetMs;
  return { start, end: start + Math.max(unit, 1) };
}

/**
 * Whether a resource's date range satisfies a date parameter, as FHIR defines the prefixes for ranges.
 *
 * @param target - the resource's date range
 * @param prefix - the comparison
 * @param value - the parameter's range
 */
export function dateMatches(target: TimeRange, prefix: DatePrefix, value: TimeRange): boolean {
  const within = target.start >= value.start && target.end <= value.end;
  switch (prefix) {
    case 'eq':
      return within;
    case 'ne':
      return !within;
    case 'gt':
      return target.end > value.end;
    case 'lt':
      return target.start < value.start;
    case 'ge':
      return target.end > value.start;
    case 'le':
      return target.start < value.end;
    case 'sa':
      return target.start >= value.end;
    case 'eb':
      return target.end <= value.start;
  }
}

/** One token a `code` or `_id` parameter names. */
interface Token {
  /** `undefined`: any system; `''`: no system. */
  readonly system?: string;
  /** `undefined`: any code in the system. */
  readonly code?: string;
}

function parseToken(text: string): Token {
  const bar = text.indexOf('|');
  if (bar < 0) return { code: text };
  const system = text.slice(0, bar);
  const code = text.slice(bar + 1);
  return { system, ...(code === '' ? {} : { code }) };
}

/** The codings of a CodeableConcept or of an array of them. */
function codingsOf(value: unknown): Coding[] {
  if (Array.isArray(value)) return value.flatMap(codingsOf);
  const coding = (value as { coding?: unknown } | undefined)?.coding;
  return Array.isArray(coding) ? (coding as Coding[]) : [];
}

function tokenMatches(coding: Coding, token: Token): boolean {
  if (token.code !== undefined && coding.code !== token.code) return false;
  if (token.system === undefined) return true;
  return token.system === '' ? coding.system === undefined : coding.system === token.system;
}

/** One parsed search condition; a resource must satisfy all of them. */
export type SearchFilter =
  | { readonly kind: 'id'; readonly ids: readonly string[] }
  | { readonly kind: 'patient'; readonly patients: readonly string[] }
  | { readonly kind: 'code'; readonly element: string; readonly tokens: readonly Token[] }
  | { readonly kind: 'date'; readonly prefix: DatePrefix; readonly range: TimeRange };

/** A parsed search: its conditions, the page asked for, and the parameters that were used. */
export interface ParsedSearch {
  readonly filters: readonly SearchFilter[];
  readonly count: number;
  readonly offset: number;
  /** The search parameters applied, for the `self` link (lenient handling drops the others). */
  readonly used: readonly (readonly [string, string])[];
}

/** Page size unless `_count` says. */
export const DEFAULT_COUNT = 50;
/** The largest page served. */
export const MAX_COUNT = 1000;

/** How `patient`/`subject` values are written: `Patient/0x…`, a URL ending so, or the address. */
export function patientIdOf(value: string): string | undefined {
  if (!value.includes('/')) return value;
  return /(?:^|\/)Patient\/([^/]+)$/.exec(value)?.[1];
}

function nonNegativeInteger(name: string, value: string, max: number): number {
  if (!/^\d{1,9}$/.test(value)) throw invalid(`${name}=${value} is not a whole number.`);
  return Math.min(Number(value), max);
}

const DATE_PREFIXES: readonly DatePrefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];

/** Paging and format parameters every search and `$everything` take. */
export function pagingOf(
  params: URLSearchParams,
  lenient: boolean,
): { count: number; offset: number; used: [string, string][] } {
  let count = DEFAULT_COUNT;
  let offset = 0;
  const used: [string, string][] = [];
  for (const [name, value] of params) {
    if (name === '_count') count = nonNegativeInteger('_count', value, MAX_COUNT);
    else if (name === '_getpagesoffset') offset = nonNegativeInteger('_getpagesoffset', value, Number.MAX_SAFE_INTEGER);
    else if (name === '_format') {
      if (!['json', 'application/json', 'application/fhir+json'].includes(value) && !lenient) {
        throw notSupported(`_format=${value}: this server speaks JSON only.`);
      }
    }
  }
  if (params.has('_count')) used.push(['_count', String(count)]);
  return { count, offset, used };
}

/** Parameters {@link pagingOf} reads. */
export const PAGING_PARAMS: ReadonlySet<string> = new Set(['_count', '_getpagesoffset', '_format']);

/**
 * Parses a search on `type`.
 *
 * @param type - a served type
 * @param params - the query
 * @param lenient - `Prefer: handling=lenient`: unknown parameters are ignored rather than refused
 * @throws a 400 FhirHttpError naming the parameter that is unknown, malformed or not supported
 */
export function parseSearch(type: string, params: URLSearchParams, lenient = false): ParsedSearch {
  const known = new Map(searchParamsOf(type).map((param) => [param.name, param]));
  const filters: SearchFilter[] = [];
  const { count, offset, used } = pagingOf(params, lenient);
  for (const [key, value] of params) {
    if (PAGING_PARAMS.has(key)) continue;
    const definition = known.get(key);
    if (!definition) {
      if (lenient) continue;
      const [name, modifier] = key.split(':');
      throw known.has(name!) && modifier !== undefined
        ? notSupported(`The modifier :${modifier} of ${name} is not supported.`)
        : notSupported(
            `${type} cannot be searched by ${key}; supported: ${[...known.keys(), '_count', '_getpagesoffset'].join(', ')}.`,
          );
    }
    const values = value.split(',').filter((item) => item !== '');
    if (values.length === 0) continue;
    used.push([key, value]);
    if (key === '_id') filters.push({ kind: 'id', ids: values });
    else if (key === 'patient' || key === 'subject') {
      filters.push({
        kind: 'patient',
        patients: values.map((item) => {
          const id = patientIdOf(item);
          if (id === undefined) throw invalid(`${key}=${item} does not name a Patient.`);
          return id;
        }),
      });
    } else if (definition.type === 'token') {
      filters.push({ kind: 'code', element: CODE_ELEMENTS[type]!.element, tokens: values.map(parseToken) });
    } else {
      if (values.length > 1) throw notSupported(`date=${value}: give one date per parameter (repeat it to AND).`);
      const prefix = DATE_PREFIXES.find((candidate) => value.startsWith(candidate));
      if (value.startsWith('ap')) throw notSupported('The date prefix ap (approximately) is not supported.');
      const range = timeRangeOf(prefix ? value.slice(2) : value);
      if (!range) throw invalid(`date=${value} is not a FHIR date (e.g. ge2020-01-01 or lt2021-06-30T12:00:00Z).`);
      filters.push({ kind: 'date', prefix: prefix ?? 'eq', range });
    }
  }
  return { filters, count, offset, used };
}

/**
 * Whether a served resource satisfies every filter.
 *
 * @param served - the resource as served
 * @param filters - the parsed search's conditions
 */
export function matchesSearch(served: ServedResource, filters: readonly SearchFilter[]): boolean {
  return filters.every((filter) => {
    switch (filter.kind) {
      case 'id':
        return filter.ids.includes(served.id);
      case 'patient':
        return filter.patients.some((patient) => patient.toLowerCase() === served.patient.toLowerCase());
      case 'code': {
        const codings = codingsOf((served.resource as unknown as Record<string, unknown>)[filter.element]);
        return filter.tokens.some((token) => codings.some((coding) => tokenMatches(coding, token)));
      }
      case 'date': {
        const date = clinicalDate(served.resource as Resource);
        const range = date === undefined ? undefined : timeRangeOf(date);
        return range !== undefined && dateMatches(range, filter.prefix, filter.range);
      }
    }
  });
}
