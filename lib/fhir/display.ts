/**
 * FHIR resources as a person reads them: coded concepts as words, quantities with their printed units,
 * the date a resource is filed under, a one-line title and a one-line summary. Pure functions shared by
 * the web app (timeline, trends) and the CLI; no React, no locale state beyond `Intl`.
 */
import type {
  Address,
  Attachment,
  CodeableConcept,
  ContactPoint,
  Coding,
  HumanName,
  Money,
  Observation,
  ObservationComponent,
  Period,
  Quantity,
  Reference,
  Resource,
} from '@medplum/fhirtypes';

export const LOINC = 'http://loinc.org';
const ADJUDICATION = 'http://terminology.hl7.org/CodeSystem/adjudication';

/** Code systems by the short name printed on a report or a bill, e.g. "CPT 80061". */
export const CODE_SYSTEM_NAMES: Readonly<Record<string, string>> = {
  [LOINC]: 'LOINC',
  'http://snomed.info/sct': 'SNOMED CT',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  'http://hl7.org/fhir/sid/cvx': 'CVX',
  'http://www.ama-assn.org/go/cpt': 'CPT',
  'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets': 'HCPCS',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
};

/**
 * Words for LOINC codes that often arrive without a display (panel components above all). A copy of the
 * labels the observation form presets use, so that lib does not depend on components.
 */
export const LOINC_DISPLAY: Readonly<Record<string, string>> = {
  '85354-9': 'Blood pressure',
  '55284-4': 'Blood pressure',
  '8480-6': 'Systolic blood pressure',
  '8462-4': 'Diastolic blood pressure',
  '8867-4': 'Heart rate',
  '29463-7': 'Body weight',
  '8302-2': 'Body height',
  '39156-5': 'BMI',
  '8310-5': 'Body temperature',
  '9279-1': 'Respiratory rate',
  '1558-6': 'Fasting glucose',
  '2339-0': 'Glucose',
  '2345-7': 'Glucose (serum/plasma)',
  '4548-4': 'HbA1c',
  '2093-3': 'Total cholesterol',
  '2085-9': 'HDL cholesterol',
  '18262-6': 'LDL cholesterol',
  '2571-8': 'Triglycerides',
  '72166-2': 'Smoking status',
};

/**
 * A coding as words: its display, a known LOINC label, or its system's short name and code ("CPT 80061").
 * @param coding - the coding to name
 */
export function codingText(coding: Coding): string {
  if (coding.display) return coding.display;
  if (coding.system === LOINC && coding.code && LOINC_DISPLAY[coding.code]) return LOINC_DISPLAY[coding.code]!;
  const system = coding.system ? (CODE_SYSTEM_NAMES[coding.system] ?? coding.system) : '';
  return [system, coding.code].filter(Boolean).join(' ') || 'uncoded';
}

/**
 * A CodeableConcept as words: its text, else its first coding.
 * @param concept - the concept, possibly absent
 * @param fallback - what to say when there is no concept
 */
export function conceptText(concept: CodeableConcept | undefined, fallback = '—'): string {
  if (!concept) return fallback;
  if (concept.text) return concept.text;
  const coding = concept.coding?.[0];
  return coding ? codingText(coding) : fallback;
}

/**
 * The code of a CodeableConcept in the given system, e.g. a LOINC code.
 * @param concept - the concept to look in
 * @param system - the code system URL
 */
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
  'mL/min/{1.73_m2}': 'mL/min/1.73 m²',
};

/**
 * The printed form of a UCUM unit, e.g. `mm[Hg]` → `mmHg`.
 * @param unit - a UCUM code or printed unit
 */
export function unitText(unit: string | undefined): string {
  if (!unit) return '';
  // A UCUM annotation alone (`{score}`, `{count}`) is a dimensionless number.
  if (/^\{[^}]*\}$/.test(unit)) return '';
  return UNIT_DISPLAY[unit] ?? unit;
}

/**
 * A measured number as a lab report prints it, without the false precision of generated data
 * (Synthea writes `132.04525134910241`): whole numbers from 1000 up, one decimal from 10, two from 1,
 * three significant digits below 1; integers as they are.
 * @param value - the number
 */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return String(Math.round(value));
  if (magnitude >= 10) return String(Number(value.toFixed(1)));
  if (magnitude >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(3)));
}

/**
 * A number with its printed unit: `142 mmHg`, `5.2%`, `< 5 mg/L`.
 * @param value - the number
 * @param unit - a UCUM code or printed unit
 */
export function valueWithUnit(value: number, unit: string | undefined, comparator = ''): string {
  const printed = unitText(unit);
  return `${comparator}${formatNumber(value)}${printed ? (printed === '%' ? printed : ` ${printed}`) : ''}`;
}

/**
 * `142 mmHg`, `< 5 mg/L`; the unit from `unit`, else the UCUM code.
 * @param quantity - the quantity, possibly absent
 */
export function quantityText(quantity: Quantity | undefined): string {
  if (!quantity || quantity.value === undefined) return '—';
  return valueWithUnit(quantity.value, quantity.unit ?? quantity.code, quantity.comparator ?? '');
}

/**
 * An amount of money in its currency, e.g. `$125.00`.
 * @param money - the amount, possibly absent
 */
export function moneyText(money: Money | undefined): string | undefined {
  if (money?.value === undefined) return undefined;
  if (!money.currency) return money.value.toFixed(2);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: money.currency }).format(money.value);
  } catch {
    return `${money.value.toFixed(2)} ${money.currency}`;
  }
}

/**
 * A person's name as written on a letter: text, else prefix, given and family names.
 * @param names - the resource's names; the official one wins
 */
export function humanNameText(names: HumanName[] | undefined): string | undefined {
  const name = names?.find((candidate) => candidate.use === 'official') ?? names?.[0];
  if (!name) return undefined;
  if (name.text) return name.text;
  const text = [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])]
    .filter(Boolean)
    .join(' ');
  return text || undefined;
}

/**
 * What a reference points at, in words: its display, else nothing (an id is not a name).
 * @param reference - the reference, possibly absent
 */
export function referenceText(reference: Reference | undefined): string | undefined {
  return reference?.display || undefined;
}

/**
 * A FHIR date or dateTime, or Unix seconds, in the reader's locale. Partial dates stay partial
 * ("2020" or "March 2020"), and a date without a time shows no time.
 * @param value - FHIR date(Time) string or Unix seconds
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

/**
 * Milliseconds since the epoch of a FHIR date(Time), for sorting; 0 when absent or unreadable.
 * @param value - FHIR date(Time) string
 */
export function dateValue(value: string | undefined): number {
  if (!value) return 0;
  const time = new Date(value.length === 4 ? `${value}-01-01` : value.length === 7 ? `${value}-01` : value).getTime();
  return Number.isNaN(time) ? 0 : time;
}

type Fields = Readonly<Record<string, unknown>>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function start(value: unknown): string | undefined {
  return text((value as Period | undefined)?.start);
}

/** The first present date among candidates, in order of preference. */
function first(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((candidate) => candidate !== undefined);
}

/**
 * The date a clinician files a resource under (when it happened, else when it was recorded), for
 * every resource type a Synthea or EHR export holds. Directory resources (Organization, Practitioner,
 * Location …), Patient and Medication have none.
 * @param resource - any FHIR resource
 */
export function clinicalDate(resource: Resource): string | undefined {
  const r = resource as unknown as Fields;
  const effective = () => first(text(r.effectiveDateTime), text(r.effectiveInstant), start(r.effectivePeriod));
  const occurrence = () => first(text(r.occurrenceDateTime), start(r.occurrencePeriod));
  switch (resource.resourceType) {
    case 'Observation':
    case 'DiagnosticReport':
      return first(effective(), text(r.issued));
    case 'Condition':
    case 'AllergyIntolerance':
      return first(text(r.onsetDateTime), start(r.onsetPeriod), text(r.recordedDate));
    case 'Procedure':
      return first(text(r.performedDateTime), start(r.performedPeriod));
    case 'Encounter':
    case 'EpisodeOfCare':
    case 'Coverage':
    case 'CareTeam':
      return start(r.period);
    case 'MedicationRequest':
    case 'ServiceRequest':
      return first(text(r.authoredOn), occurrence());
    case 'MedicationStatement':
      return first(effective(), text(r.dateAsserted));
    case 'MedicationAdministration':
    case 'MedicationDispense':
      return first(effective(), text(r.whenHandedOver), text(r.whenPrepared));
    case 'Immunization':
      return first(text(r.occurrenceDateTime), text(r.recorded));
    case 'ImagingStudy':
      return text(r.started);
    case 'Claim':
    case 'ExplanationOfBenefit':
      return first(start(r.billablePeriod), text(r.created));
    case 'CarePlan':
      return first(start(r.period), text(r.created));
    case 'Goal':
      return first(text(r.startDate), text(r.statusDate));
    case 'DocumentReference':
      return first(text(r.date), start((r.context as Fields | undefined)?.period));
    case 'Provenance':
      return first(text(r.occurredDateTime), start(r.occurredPeriod), text(r.recorded));
    case 'SupplyDelivery':
      return occurrence();
    case 'Patient':
    case 'Medication':
    case 'Organization':
    case 'Practitioner':
    case 'PractitionerRole':
    case 'Location':
    case 'Device':
      return undefined;
    default:
      return first(effective(), occurrence(), text(r.issued), start(r.period), text(r.date), text(r.recorded));
  }
}

/**
 * Milliseconds since the epoch of {@link clinicalDate}, or undefined when the resource has no date.
 * @param resource - any FHIR resource
 */
export function clinicalTime(resource: Resource): number | undefined {
  return dateValue(clinicalDate(resource)) || undefined;
}

/**
 * Orders resources newest first by clinical time; undated ones last. Equal times compare 0, so a
 * stable sort keeps their given order.
 * @param a - one resource
 * @param b - the other
 */
export function compareClinical(a: Resource, b: Resource): number {
  return compareTimes(clinicalTime(a), clinicalTime(b));
}

/**
 * Newest first, undefined last, ties 0: the order of {@link compareClinical} for precomputed times.
 * @param a - one time in ms, or undefined
 * @param b - the other
 */
export function compareTimes(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return b - a;
}

function medicationName(resource: { medicationCodeableConcept?: CodeableConcept; medicationReference?: Reference }) {
  return resource.medicationCodeableConcept
    ? conceptText(resource.medicationCodeableConcept, 'Medication')
    : (referenceText(resource.medicationReference) ?? 'Medication');
}

/** Claim and EOB items: what was billed, in words, without repeats. */
function billedServices(items: { productOrService?: CodeableConcept }[] | undefined): string[] {
  return [...new Set((items ?? []).map((item) => conceptText(item.productOrService, '')).filter(Boolean))];
}

/**
 * The one-line title of a resource: what it is about, in words.
 * @param resource - any FHIR resource
 */
export function resourceTitle(resource: Resource): string {
  switch (resource.resourceType) {
    case 'Observation':
    case 'Condition':
    case 'Procedure':
    case 'DiagnosticReport':
      return conceptText(resource.code, resource.resourceType);
    case 'AllergyIntolerance':
      return `Allergy: ${conceptText(resource.code, 'unspecified substance')}`;
    case 'MedicationRequest':
    case 'MedicationStatement':
    case 'MedicationAdministration':
    case 'MedicationDispense':
      return medicationName(resource);
    case 'Medication':
      return conceptText(resource.code, 'Medication');
    case 'Immunization':
      return conceptText(resource.vaccineCode, 'Vaccine');
    case 'Encounter':
      return `Visit: ${conceptText(resource.type?.[0], resource.class?.display ?? resource.class?.code ?? 'encounter')}`;
    case 'DocumentReference':
      return resource.content?.[0]?.attachment?.title ?? resource.description ?? conceptText(resource.type, 'Document');
    case 'Patient': {
      const name = humanNameText(resource.name);
      return `Patient: ${name ?? 'no name'}${resource.birthDate ? `, born ${resource.birthDate}` : ''}`;
    }
    case 'CarePlan':
      return resource.title ?? `Care plan: ${conceptText(resource.category?.[0], 'unspecified')}`;
    case 'CareTeam':
      return resource.name ?? 'Care team';
    case 'Goal':
      return `Goal: ${conceptText(resource.description, 'unspecified')}`;
    case 'ImagingStudy': {
      const series = resource.series?.[0];
      const modality = series?.modality ? codingText(series.modality) : 'Imaging study';
      return series?.bodySite ? `${modality} of ${codingText(series.bodySite).toLowerCase()}` : modality;
    }
    case 'Claim':
      return `Claim: ${billedServices(resource.item)[0] ?? conceptText(resource.type, 'services')}`;
    case 'ExplanationOfBenefit':
      return `Insurance statement: ${billedServices(resource.item)[0] ?? conceptText(resource.type, 'services')}`;
    case 'Coverage':
      return `Insurance: ${resource.payor?.map(referenceText).find(Boolean) ?? conceptText(resource.type, 'coverage')}`;
    case 'Organization':
      return resource.name ?? 'Organization';
    case 'Practitioner':
      return humanNameText(resource.name) ?? 'Practitioner';
    case 'PractitionerRole':
      return referenceText(resource.practitioner) ?? conceptText(resource.code?.[0], 'Practitioner role');
    case 'Location':
      return resource.name ?? 'Location';
    case 'Device':
      return resource.deviceName?.[0]?.name ?? conceptText(resource.type, 'Device');
    case 'SupplyDelivery':
      return `Supplies: ${conceptText(resource.suppliedItem?.itemCodeableConcept, referenceText(resource.suppliedItem?.itemReference) ?? 'item')}`;
    case 'Provenance':
      return 'Provenance';
    default:
      return resource.resourceType;
  }
}

function statusCode(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.[0]?.code ?? concept?.text;
}

/** "active", "in progress": a FHIR code as words. */
function codeWords(code: string | undefined): string | undefined {
  return code?.replaceAll('-', ' ');
}

type ValueHolder = Pick<
  Observation | ObservationComponent,
  'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'valueBoolean' | 'valueInteger'
>;

/**
 * The value of an Observation or component in words, or undefined when it has none.
 * @param holder - the Observation or one of its components
 */
export function observationValueText(holder: ValueHolder): string | undefined {
  if (holder.valueQuantity) return quantityText(holder.valueQuantity);
  if (holder.valueCodeableConcept) return conceptText(holder.valueCodeableConcept);
  if (holder.valueString !== undefined) return holder.valueString;
  if (holder.valueBoolean !== undefined) return holder.valueBoolean ? 'Yes' : 'No';
  if (holder.valueInteger !== undefined) return String(holder.valueInteger);
  return undefined;
}

/**
 * Systolic and diastolic components of a blood pressure Observation, when both have a value.
 * @param observation - any Observation
 */
export function bloodPressureOf(
  observation: Observation,
): { systolic: ObservationComponent; diastolic: ObservationComponent } | undefined {
  const find = (code: string) => observation.component?.find((component) => codeIn(component.code, LOINC) === code);
  const systolic = find('8480-6');
  const diastolic = find('8462-4');
  return systolic?.valueQuantity?.value !== undefined && diastolic?.valueQuantity?.value !== undefined
    ? { systolic, diastolic }
    : undefined;
}

/**
 * Blood pressure the way it is said, whole millimetres: `132/71 mmHg`; undefined when the Observation
 * is not a blood pressure with both values.
 * @param observation - any Observation
 */
export function bloodPressureText(observation: Observation): string | undefined {
  const pressure = bloodPressureOf(observation);
  if (!pressure) return undefined;
  const systolic = pressure.systolic.valueQuantity!;
  const diastolic = pressure.diastolic.valueQuantity!;
  return `${Math.round(systolic.value!)}/${valueWithUnit(Math.round(diastolic.value!), diastolic.unit ?? diastolic.code)}`;
}

function observationValueSummary(observation: Observation): string | undefined {
  const pressure = bloodPressureText(observation);
  if (pressure) return pressure;
  const own = observationValueText(observation);
  if (own !== undefined) return own;
  const components = (observation.component ?? [])
    .map((component) => {
      const value = observationValueText(component);
      return value === undefined ? undefined : `${conceptText(component.code)} ${value}`;
    })
    .filter(Boolean);
  return components.length ? components.join(', ') : undefined;
}

function joinSummary(title: string, detail: string | undefined, separator = ' '): string {
  return detail ? `${title}${separator}${detail}` : title;
}

function inParentheses(detail: string | undefined): string | undefined {
  return detail ? `(${detail})` : undefined;
}

/**
 * One line that says what a resource is and its main value or status, e.g. "Hemoglobin A1c 5.2%",
 * "Diabetes mellitus type 2 (active)", "Visit: General examination". For lists, notifications and
 * the CLI.
 * @param resource - any FHIR resource
 */
export function clinicalSummary(resource: Resource): string {
  const title = resourceTitle(resource);
  switch (resource.resourceType) {
    case 'Observation': {
      const value = observationValueSummary(resource);
      return joinSummary(title, value, resource.valueCodeableConcept ? ': ' : ' ');
    }
    case 'Condition': {
      const status = resource.abatementDateTime ? 'resolved' : statusCode(resource.clinicalStatus);
      return joinSummary(title, inParentheses(codeWords(status)));
    }
    case 'AllergyIntolerance':
      return joinSummary(
        title,
        inParentheses(
          resource.criticality ? `${resource.criticality} criticality` : codeWords(statusCode(resource.clinicalStatus)),
        ),
      );
    case 'MedicationRequest':
    case 'MedicationStatement':
    case 'MedicationAdministration':
    case 'Procedure':
    case 'CarePlan':
    case 'Coverage':
    case 'Immunization':
      return joinSummary(
        title,
        inParentheses(resource.status === 'completed' ? undefined : codeWords(resource.status)),
      );
    case 'DiagnosticReport': {
      const count = resource.result?.length ?? 0;
      return joinSummary(
        title,
        resource.conclusion ?? (count ? `${count} result${count === 1 ? '' : 's'}` : undefined),
        ': ',
      );
    }
    case 'Goal':
      return joinSummary(
        title,
        inParentheses(codeWords(statusCode(resource.achievementStatus) ?? resource.lifecycleStatus)),
      );
    case 'Claim':
      return joinSummary(title, moneyText(resource.total), ', ');
    case 'ExplanationOfBenefit': {
      const billed = moneyText(
        resource.total?.find((total) => codeIn(total.category, ADJUDICATION) === 'submitted')?.amount,
      );
      const paid = moneyText(resource.payment?.amount);
      const amounts = [billed && `${billed} billed`, paid && `insurer paid ${paid}`].filter(Boolean).join(', ');
      return joinSummary(title, amounts || undefined, ', ');
    }
    case 'ImagingStudy': {
      const images = resource.numberOfInstances;
      return joinSummary(title, images ? `${images} image${images === 1 ? '' : 's'}` : undefined, ', ');
    }
    case 'Patient': {
      const name = humanNameText(resource.name);
      return name ? `${name}${resource.birthDate ? `, born ${resource.birthDate}` : ''}` : title;
    }
    case 'Provenance': {
      const count = resource.target.length;
      return `Provenance of ${count} record${count === 1 ? '' : 's'}`;
    }
    case 'SupplyDelivery': {
      const quantity = resource.suppliedItem?.quantity;
      return joinSummary(title, quantity ? `× ${formatNumber(quantity.value ?? 0)}` : undefined);
    }
    case 'PractitionerRole': {
      const role = conceptText(resource.code?.[0], '');
      const organization = referenceText(resource.organization);
      return joinSummary(
        title,
        [role, organization && `at ${organization}`].filter(Boolean).join(' ') || undefined,
        ', ',
      );
    }
    default:
      return title;
  }
}

/**
 * A period as one phrase: `Mar 10, 2016, 9:00 AM – 9:30 AM` on one day, else both dates; an open
 * period says "since".
 * @param period - the period, possibly absent
 */
export function periodText(period: Period | undefined): string | undefined {
  if (!period?.start && !period?.end) return undefined;
  if (!period.end) return `since ${formatDate(period.start)}`;
  if (!period.start) return `until ${formatDate(period.end)}`;
  // A day billed or booked as itself (claims write `start = end`) is that day, not a range.
  if (period.start === period.end) return formatDate(period.start);
  const start = new Date(period.start);
  const end = new Date(period.end);
  const sameDay = period.start.length > 10 && period.end.length > 10 && start.toDateString() === end.toDateString();
  if (sameDay) return `${formatDate(period.start)} – ${end.toLocaleTimeString(undefined, { timeStyle: 'short' })}`;
  return `${formatDate(period.start)} – ${formatDate(period.end)}`;
}

/**
 * A postal address on one line: street, city, state and postal code.
 * @param addresses - the resource's addresses; the first is used
 */
export function addressText(addresses: Address[] | undefined): string | undefined {
  const address = addresses?.[0];
  if (!address) return undefined;
  if (address.text) return address.text;
  const region = [address.state, address.postalCode].filter(Boolean).join(' ');
  const text = [...(address.line ?? []), address.city, region, address.country].filter(Boolean).join(', ');
  return text || undefined;
}

/**
 * Phone numbers and e-mail addresses, comma-separated.
 * @param telecom - the resource's contact points
 */
export function telecomText(telecom: ContactPoint[] | undefined): string | undefined {
  const values = (telecom ?? []).map((point) => point.value).filter(Boolean);
  return values.length ? values.join(', ') : undefined;
}

/**
 * The text of an inline text attachment (Synthea's clinical notes are base64 `text/plain`), or
 * undefined when it is not inline text.
 * @param attachment - the attachment, possibly absent
 */
export function attachmentText(attachment: Attachment | undefined): string | undefined {
  if (!attachment?.data || !/^text\//i.test(attachment.contentType ?? '')) return undefined;
  try {
    const bytes = Uint8Array.from(atob(attachment.data), (char) => char.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim() || undefined;
  } catch {
    return undefined;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The resource's narrative (`text.div`) as plain text: tags dropped, breaks and list items kept as
 * line breaks. For display as text only, never as HTML.
 * @param resource - any FHIR resource
 */
export function narrativeText(resource: Resource): string | undefined {
  const div = (resource as { text?: { div?: string } }).text?.div;
  if (!div) return undefined;
  const text = div
    .replace(/<(br|\/p|\/li|\/div|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<li[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|[a-z]+);/gi, (entity, name: string) =>
      name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : (ENTITIES[name.toLowerCase()] ?? entity),
    )
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
  return text || undefined;
}
