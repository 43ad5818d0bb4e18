/**
 * Formatting of FHIR values the way a clinician reads them: coded concepts as words, quantities with
 * their printed units, dates in the reader's locale, addresses shortened. Pure functions, no React.
 */
import type { CodeableConcept, Coding, Quantity } from '@medplum/fhirtypes';

import { RECORD_CATEGORIES, type RecordCategoryName, categoryName } from '../../lib/chain/categories';
import { LOINC_LABELS } from './observation-presets';

/** Human names of the record categories, in the order the timeline lists them. */
export const CATEGORY_LABELS: Readonly<Record<RecordCategoryName, string>> = {
  observation: 'Observations',
  condition: 'Conditions',
  medication: 'Medications',
  allergy: 'Allergies',
  immunization: 'Immunizations',
  procedure: 'Procedures',
  diagnosticReport: 'Reports',
  document: 'Documents',
  encounter: 'Encounters',
  carePlan: 'Care plans',
  other: 'Other',
};

/** Every category code with its label, in display order. */
export const CATEGORY_ORDER: readonly { category: number; name: RecordCategoryName; label: string }[] = (
  Object.keys(CATEGORY_LABELS) as RecordCategoryName[]
).map((name) => ({ category: RECORD_CATEGORIES[name], name, label: CATEGORY_LABELS[name] }));

/** The label of a category code, e.g. 1 → "Observations"; unknown codes say their number. */
export function categoryLabel(category: number): string {
  const name = categoryName(category);
  return name ? CATEGORY_LABELS[name] : `Category ${category}`;
}

/** `0x70997970…79C8` → `0x7099…79C8`. */
export function shortAddress(address: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(address) ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Same address, whatever the checksum casing. */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return Boolean(a && b && a.toLowerCase() === b.toLowerCase());
}

const SYSTEM_NAMES: Readonly<Record<string, string>> = {
  'http://loinc.org': 'LOINC',
  'http://snomed.info/sct': 'SNOMED CT',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  'http://hl7.org/fhir/sid/cvx': 'CVX',
};

/** A coding as words: its display, a known LOINC label, or "LOINC 1234-5". */
export function codingText(coding: Coding): string {
  if (coding.display) return coding.display;
  if (coding.system === 'http://loinc.org' && coding.code && LOINC_LABELS[coding.code])
    return LOINC_LABELS[coding.code]!;
  const system = coding.system ? (SYSTEM_NAMES[coding.system] ?? coding.system) : '';
  return [system, coding.code].filter(Boolean).join(' ') || 'uncoded';
}

/** A CodeableConcept as words: its text, else its first coding. */
export function conceptText(concept: CodeableConcept | undefined, fallback = '—'): string {
  if (!concept) return fallback;
  if (concept.text) return concept.text;
  const coding = concept.coding?.[0];
  return coding ? codingText(coding) : fallback;
}

/** The code of a CodeableConcept in the given system, e.g. a LOINC code. */
export function codeIn(concept: CodeableConcept | undefined, system: string): string | undefined {
  return concept?.coding?.find((coding) => coding.system === system)?.code;
}

/** UCUM codes printed the way they appear on a lab report. */
const UNIT_DISPLAY: Readonly<Record<string, string>> = {
  'mm[Hg]': 'mmHg',
  'kg/m2': 'kg/m²',
  '/min': '/min',
  Cel: '°C',
  '[degF]': '°F',
  '[lb_av]': 'lb',
  '[in_i]': 'in',
};

/** The printed form of a UCUM unit. */
export function unitText(unit: string | undefined): string {
  if (!unit) return '';
  return UNIT_DISPLAY[unit] ?? unit;
}

/** `142 mmHg`, `< 5 mg/L`; the unit from `unit`, else the UCUM code. */
export function quantityText(quantity: Quantity | undefined): string {
  if (!quantity || quantity.value === undefined) return '—';
  const unit = unitText(quantity.unit ?? quantity.code);
  return `${quantity.comparator ?? ''}${formatNumber(quantity.value)}${unit ? (unit === '%' ? unit : ` ${unit}`) : ''}`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

/**
 * A FHIR date or dateTime, or Unix seconds, in the reader's locale. Partial dates stay partial
 * ("2020" or "March 2020"), and a date without a time shows no time.
 */
export function formatDate(value: string | number | undefined): string {
  if (value === undefined || value === '') return '—';
  if (typeof value === 'number') {
    return new Date(value * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }
  if (/^\d{4}$/.test(value)) return value;
  if (/^\d{4}-\d{2}$/.test(value)) {
    return new Date(`${value}-01T00:00:00Z`).toLocaleDateString(undefined, {
      year: 'numeric',
      month: 'long',
      timeZone: 'UTC',
    });
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value))
    return date.toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Milliseconds since the epoch of a FHIR date(Time), for sorting; 0 when absent or unreadable. */
export function dateValue(value: string | undefined): number {
  if (!value) return 0;
  const time = new Date(value.length === 4 ? `${value}-01-01` : value.length === 7 ? `${value}-01` : value).getTime();
  return Number.isNaN(time) ? 0 : time;
}

/** "in 3 days", "2 months ago" for a Unix time, relative to now. */
export function relativeTime(unixSeconds: number, now = Date.now()): string {
  const seconds = unixSeconds - now / 1000;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 365 * 86_400],
    ['month', 30 * 86_400],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds), 'second');
}
