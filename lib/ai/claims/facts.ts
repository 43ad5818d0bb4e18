/**
 * What the rules read from a FHIR R4 Claim, read once: who, when, which codes at which price, which
 * encounter and prescription. Dates are the calendar day written on the claim (no time-zone shift),
 * so two claims of one visit fall on the same day however their times were written.
 */
import type { Claim, ClaimItem, CodeableConcept, Reference } from '@medplum/fhirtypes';

import { CODE_SYSTEM_NAMES } from '../../fhir/display';
import { parseFhirDate } from '../fhir';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One billed line. */
export interface ClaimLine {
  /** `system|code` of the first coding of `productOrService`. */
  readonly code: string;
  readonly display: string;
  /** The line's price: `net`, else `unitPrice × quantity × factor`; see {@link readClaim} for the remainder of the total. */
  readonly amount?: number;
  /** Whether the line names a diagnosis (`diagnosisSequence`) rather than a service. */
  readonly diagnosis: boolean;
}

export interface ClaimFacts {
  readonly id: string;
  readonly claim: Claim;
  readonly patient: string;
  /** The patient's logical id (see {@link referenceId}). */
  readonly patientId: string;
  readonly provider: string;
  /** `Claim.type` code (institutional, professional, pharmacy …), '' when absent. */
  readonly type: string;
  /** `YYYY-MM-DD` of service. */
  readonly day?: string;
  /** Day number (days since 1970-01-01) of {@link day}. */
  readonly dayNumber?: number;
  /** Milliseconds of the start of service, for windows. */
  readonly time?: number;
  /** Milliseconds the claim was created, to tell which of two claims came later. */
  readonly created?: number;
  readonly total: number;
  readonly currency: string;
  readonly lines: readonly ClaimLine[];
  /** `system|code` of the service lines (all lines when the claim has only diagnosis lines). */
  readonly services: ReadonlySet<string>;
  /** Logical ids of the encounters the claim's lines refer to. */
  readonly encounters: readonly string[];
  /** Logical id of the prescription the claim is for, if any. */
  readonly prescription?: string;
  /** Every diagnosis the claim names (coded diagnoses and diagnosis lines), once per code. */
  readonly diagnoses: readonly { readonly code: string; readonly display: string }[];
  /** Position among the claims under review and the history, for stable ordering. */
  readonly position: number;
}

/**
 * The logical id a reference points to: `Patient/123`, `urn:uuid:123`, `https://x/fhir/Patient/123`
 * and `Patient/123/_history/2` all give `123`. Conditional references (`Organization?identifier=…`)
 * are returned whole.
 *
 * @param reference - a FHIR reference string
 */
export function referenceId(reference: string): string {
  if (reference.includes('?')) return reference;
  if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:'))
    return reference.slice(reference.lastIndexOf(':') + 1);
  const parts = reference.split('/').filter(Boolean);
  const history = parts.indexOf('_history');
  return (history > 0 ? parts[history - 1] : parts[parts.length - 1]) ?? reference;
}

function referenceKey(reference: Reference | undefined): string | undefined {
  if (!reference) return undefined;
  if (reference.reference) return reference.reference;
  if (reference.identifier?.value) return `${reference.identifier.system ?? ''}|${reference.identifier.value}`;
  return reference.display;
}

/** `system|code` and words of a concept's first coding. */
export function codeOf(concept: CodeableConcept | undefined): { code: string; display: string } | undefined {
  const coding = concept?.coding?.find((c) => c.code);
  if (!coding?.code) return undefined;
  return { code: `${coding.system ?? ''}|${coding.code}`, display: coding.display ?? concept?.text ?? coding.code };
}

/** `YYYY-MM-DD` written at the start of a FHIR date or dateTime. */
export function dayOf(value: string | undefined): string | undefined {
  const day = value?.slice(0, 10);
  return day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` day. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

function lineAmount(item: ClaimItem): number | undefined {
  if (item.net?.value !== undefined) return item.net.value;
  if (item.unitPrice?.value === undefined) return undefined;
  return item.unitPrice.value * (item.quantity?.value ?? 1) * (item.factor ?? 1);
}

/** Claim id: `Claim.id`, else its first identifier's value, else `#<position>`. */
export function claimIdOf(claim: Claim, position: number): string {
  return claim.id ?? claim.identifier?.find((identifier) => identifier.value)?.value ?? `#${position}`;
}

/**
 * Reads the facts the rules need from a Claim. When the total exceeds the sum of the priced lines,
 * the remainder is the price of the first unpriced service line: the visit itself, which Synthea and
 * many billing systems put first without a line price.
 *
 * @param claim - the FHIR R4 Claim
 * @param position - its position, for ordering and for an id when it has none
 */
export function readClaim(claim: Claim, position: number): ClaimFacts {
  const items = claim.item ?? [];
  const priced = items.map(lineAmount);
  const pricedSum = priced.reduce<number>((sum, amount) => sum + (amount ?? 0), 0);
  const total = claim.total?.value ?? pricedSum;
  const remainder = total - pricedSum;
  const firstUnpriced = items.findIndex(
    (item, i) => priced[i] === undefined && !item.diagnosisSequence?.length && codeOf(item.productOrService),
  );
  const lines: ClaimLine[] = items.flatMap((item, i) => {
    const code = codeOf(item.productOrService);
    if (!code) return [];
    const amount = priced[i] ?? (i === firstUnpriced && remainder > 0.005 ? remainder : undefined);
    return [{ ...code, amount, diagnosis: (item.diagnosisSequence?.length ?? 0) > 0 }];
  });
  const diagnoses = new Map<string, string>();
  for (const d of claim.diagnosis ?? []) {
    const code = codeOf(d.diagnosisCodeableConcept);
    if (code) diagnoses.set(code.code, code.display);
  }
  for (const line of lines) if (line.diagnosis && !diagnoses.has(line.code)) diagnoses.set(line.code, line.display);
  const firstItem = items[0];
  const start =
    claim.billablePeriod?.start ?? firstItem?.servicedDate ?? firstItem?.servicedPeriod?.start ?? claim.created;
  const day = dayOf(start);
  const patient = claim.patient?.reference ?? referenceKey(claim.patient) ?? '';
  return {
    id: claimIdOf(claim, position),
    claim,
    patient,
    patientId: referenceId(patient),
    provider: referenceKey(claim.provider) ?? '',
    type: claim.type?.coding?.find((c) => c.code)?.code ?? '',
    day,
    dayNumber: day === undefined ? undefined : dayNumber(day),
    time: parseFhirDate(start)?.getTime(),
    created: parseFhirDate(claim.created)?.getTime(),
    total,
    currency: claim.total?.currency ?? items.find((item) => item.net?.currency)?.net?.currency ?? 'USD',
    lines,
    services: serviceCodes(lines),
    encounters: [
      ...new Set(
        items.flatMap((item) => (item.encounter ?? []).flatMap((e) => (e.reference ? [referenceId(e.reference)] : []))),
      ),
    ],
    prescription: claim.prescription?.reference ? referenceId(claim.prescription.reference) : undefined,
    diagnoses: [...diagnoses.entries()].map(([code, display]) => ({ code, display })),
    position,
  };
}

function serviceCodes(lines: readonly ClaimLine[]): Set<string> {
  const services = lines.filter((line) => !line.diagnosis);
  return new Set((services.length > 0 ? services : lines).map((line) => line.code));
}

/**
 * Share of codes two claims have in common: the Jaccard index of their service-code sets.
 *
 * @param a - one claim
 * @param b - another
 */
export function codeOverlap(a: ClaimFacts, b: ClaimFacts): number {
  const left = a.services;
  const right = b.services;
  if (left.size === 0 && right.size === 0) return 0;
  let common = 0;
  for (const code of left) if (right.has(code)) common += 1;
  return common / (left.size + right.size - common);
}

/** Share of service codes from which two claims bill the same thing (duplicates) rather than parts of one visit (splits). */
export const SAME_SERVICES_OVERLAP = 0.8;

/**
 * Whether `a` was submitted before `b`: by creation time, then day of service, then position.
 *
 * @param a - one claim
 * @param b - another
 */
export function submittedBefore(a: ClaimFacts, b: ClaimFacts): boolean {
  const ca = a.created ?? a.time ?? 0;
  const cb = b.created ?? b.time ?? 0;
  if (ca !== cb) return ca < cb;
  return a.position < b.position;
}

/** Number formats by currency: building one is far slower than using it. */
const MONEY_FORMATS = new Map<string, Intl.NumberFormat>();

/**
 * An amount as money, e.g. `$1,234.50`.
 *
 * @param amount - the value
 * @param currency - ISO 4217 code
 */
export function money(amount: number, currency: string): string {
  let format = MONEY_FORMATS.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      return `${amount.toFixed(2)} ${currency}`;
    }
    MONEY_FORMATS.set(currency, format);
  }
  return format.format(amount);
}

/** The words of a `system|code` key for messages, e.g. `Colonoscopy (SNOMED CT 73761001)`. */
export function describeCode(code: string, display: string): string {
  const [system, value] = code.split('|');
  const name = CODE_SYSTEM_NAMES[system ?? ''] ?? system;
  return display && display !== value ? `${display} (${name} ${value})` : `${name} ${value}`;
}
