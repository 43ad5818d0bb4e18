/** Small readers over FHIR R4 resources shared by feature extraction, interaction checks and plausibility. */
import type { Bundle, CodeableConcept, Medication, MedicationRequest, MedicationStatement, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { aboutOwner } from '../fhir/patient';
import { RXNORM } from './codes';

/** A patient's resources, from a Bundle or a plain list. */
export type ResourceSource = Bundle | readonly Resource[];

/**
 * The resources of a Bundle (entries without a resource are skipped) or the list itself.
 *
 * @param source - a Bundle or a list of resources
 */
export function resourcesOf(source: ResourceSource): Resource[] {
  if (Array.isArray(source)) return [...source];
  return ((source as Bundle).entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
}

/**
 * Whether a concept carries `code` (one of `codes`) in `system`.
 *
 * @param concept - the CodeableConcept to test
 * @param system - code system URI
 * @param codes - acceptable codes
 */
export function hasCoding(concept: CodeableConcept | undefined, system: string, codes: ReadonlySet<string> | readonly string[]): boolean {
  const set = codes instanceof Set ? codes : new Set(codes as readonly string[]);
  return (concept?.coding ?? []).some((coding) => coding.system === system && coding.code !== undefined && set.has(coding.code));
}

/** Parses a FHIR date or dateTime; a bare date or year-month means its start, in UTC. */
export function parseFhirDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const padded = /^\d{4}$/.test(value) ? `${value}-01-01` : /^\d{4}-\d{2}$/.test(value) ? `${value}-01` : value;
  const date = new Date(padded.length === 10 ? `${padded}T00:00:00Z` : padded);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `YYYY-MM-DD` of a date, in UTC. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** One medication the patient takes, with the words its ingredients are matched against. */
export interface ActiveMedication {
  /** `MedicationRequest/123` or the resource type when it has no id. */
  readonly source: string;
  readonly display: string;
  /** Lower-cased RxNorm displays, text and ingredient names of the medication. */
  readonly searchText: string;
  readonly date?: Date;
}

function conceptText(concept: CodeableConcept | undefined): string[] {
  if (!concept) return [];
  const rxnorm = (concept.coding ?? []).filter((coding) => coding.system === RXNORM || coding.system === undefined);
  return [...rxnorm.map((coding) => coding.display ?? ''), concept.text ?? ''].filter((text) => text !== '');
}

function referencedMedication(
  reference: Reference | undefined,
  owner: MedicationRequest | MedicationStatement,
  byReference: ReadonlyMap<string, Medication>,
): Medication | undefined {
  const target = reference?.reference;
  if (!target) return undefined;
  if (target.startsWith('#')) {
    return owner.contained?.find((resource): resource is Medication => resource.resourceType === 'Medication' && resource.id === target.slice(1));
  }
  return byReference.get(target);
}

function medicationTexts(
  resource: MedicationRequest | MedicationStatement,
  byReference: ReadonlyMap<string, Medication>,
): string[] {
  const medication = referencedMedication(resource.medicationReference, resource, byReference);
  return [
    ...conceptText(resource.medicationCodeableConcept),
    ...(resource.medicationReference?.display ? [resource.medicationReference.display] : []),
    ...conceptText(medication?.code),
    ...(medication?.ingredient ?? []).flatMap((ingredient) => [
      ...conceptText(ingredient.itemCodeableConcept),
      ...(ingredient.itemReference?.display ? [ingredient.itemReference.display] : []),
    ]),
  ];
}

function isActiveAt(resource: MedicationRequest | MedicationStatement, at: Date): { active: boolean; date?: Date } {
  if (resource.resourceType === 'MedicationRequest') {
    const date = parseFhirDate(resource.authoredOn);
    return { active: resource.status === 'active' && (!date || date <= at), date };
  }
  const start = parseFhirDate(resource.effectiveDateTime ?? resource.effectivePeriod?.start ?? resource.dateAsserted);
  const end = parseFhirDate(resource.effectivePeriod?.end);
  return { active: resource.status === 'active' && (!start || start <= at) && (!end || end >= at), date: start };
}

/**
 * Medications active at `at`: MedicationRequests with status `active` authored on or before it, and
 * MedicationStatements with status `active` whose effective period covers it. Medications given by
 * reference are resolved against contained resources and the bundle (by `fullUrl` or `Medication/id`).
 *
 * Only medications of the patient count (`aboutOwner`).
 *
 * @param input - the patient's resources
 * @param at - the assessment instant
 * @param owner - the patient's profile, default the first Patient among the resources
 */
export function activeMedications(input: ResourceSource, at: Date, owner?: Patient): ActiveMedication[] {
  const source = aboutOwner(input, owner);
  const resources = resourcesOf(source);
  const byReference = new Map<string, Medication>();
  if (!Array.isArray(source)) {
    for (const entry of (source as Bundle).entry ?? []) {
      if (entry.resource?.resourceType === 'Medication' && entry.fullUrl) byReference.set(entry.fullUrl, entry.resource);
    }
  }
  for (const resource of resources) {
    if (resource.resourceType === 'Medication' && resource.id) byReference.set(`Medication/${resource.id}`, resource);
  }
  return resources.flatMap((resource) => {
    if (resource.resourceType !== 'MedicationRequest' && resource.resourceType !== 'MedicationStatement') return [];
    const { active, date } = isActiveAt(resource, at);
    if (!active) return [];
    const texts = medicationTexts(resource, byReference);
    if (texts.length === 0) return [];
    return [
      {
        source: resource.id ? `${resource.resourceType}/${resource.id}` : resource.resourceType,
        display: texts[0]!,
        searchText: texts.join(' | ').toLowerCase().replace(/[’`]/g, "'").replace(/\./g, ''),
        date,
      },
    ];
  });
}

/**
 * Which of `ingredients` (lower-case RxNorm ingredient names) occur as whole words in a medication's text.
 *
 * @param medication - an active medication
 * @param ingredients - candidate ingredient names
 */
export function matchIngredients(medication: ActiveMedication, ingredients: Iterable<string>): string[] {
  const found: string[] = [];
  for (const ingredient of ingredients) {
    const escaped = ingredient.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|[^a-z])${escaped}($|[^a-z])`).test(medication.searchText)) found.push(ingredient);
  }
  return found;
}
