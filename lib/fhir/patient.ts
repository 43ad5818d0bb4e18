/**
 * Who a FHIR Patient is, for telling whether records belong to a person: names, birth date and
 * identifiers compared as a clerk would compare them (ignoring case, accents, titles and the digits
 * Synthea appends to names), and the resources of a bundle that are about its owner.
 */
import type { Bundle, BundleEntry, HumanName, Patient, Reference, Resource } from '@medplum/fhirtypes';

import { humanNameText } from './display';

/** How two Patient resources compare: the same person, someone else, or nothing to compare. */
export interface PatientComparison {
  readonly verdict: 'same' | 'different' | 'unknown';
  /** What agrees, e.g. `birth date 1969-04-02`. */
  readonly agreements: readonly string[];
  /** What disagrees, e.g. `birth date 1974-05-21, not 1969-04-02`. */
  readonly conflicts: readonly string[];
}

/** Words of a name: lower case, without accents, digits, titles or initials. */
function nameTokens(name: HumanName): Set<string> {
  const text = name.text ?? [...(name.given ?? []), name.family ?? ''].join(' ');
  return new Set(
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter((token) => token.length > 1),
  );
}

function namesOf(patient: Patient): Set<string>[] {
  return (patient.name ?? []).map(nameTokens).filter((tokens) => tokens.size > 0);
}

/** One name is the other, or holds all of its words ("Maria Santos" and "Maria José Santos Pérez"). */
function sameName(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  return [...small].every((token) => large.has(token));
}

/** Birth dates agree to the precision both give (`1974` and `1974-05-21` agree). */
function sameBirthDate(a: string, b: string): boolean {
  const length = Math.min(a.length, b.length);
  return a.slice(0, length) === b.slice(0, length);
}

function identifierValues(patient: Patient): Map<string, Set<string>> {
  const bySystem = new Map<string, Set<string>>();
  for (const { system, value } of patient.identifier ?? []) {
    if (!system || !value) continue;
    bySystem.set(system, (bySystem.get(system) ?? new Set()).add(value.trim()));
  }
  return bySystem;
}

/**
 * Whether a Patient says who someone is: a name, a birth date or an identifier. A profile registered
 * without any of them cannot be compared with anything.
 * @param patient - a Patient, possibly absent
 */
export function hasDemographics(patient: Patient | undefined): boolean {
  return Boolean(patient && (namesOf(patient).length > 0 || patient.birthDate || identifierValues(patient).size > 0));
}

/**
 * A person as a sentence names them: "Mrs. Patria Schimmel (born 1974-05-21)", or "someone without a
 * name (born …)", or the first identifier.
 * @param patient - the Patient to name
 */
export function patientLabel(patient: Patient): string {
  const name = humanNameText(patient.name);
  const identifier = patient.identifier?.find((candidate) => candidate.value)?.value;
  const born = patient.birthDate ? `born ${patient.birthDate}` : undefined;
  if (name) return born ? `${name} (${born})` : name;
  if (born) return `someone without a name (${born})`;
  return identifier ? `the patient with identifier ${identifier}` : 'a patient without name, birth date or identifier';
}

/**
 * Compares a Patient with the owner's: any name of one must match a name of the other, birth dates
 * must agree, and an identifier system both use must share a value. One disagreement makes them
 * different people; no disagreement and at least one agreement makes them the same; otherwise there
 * is nothing to tell them apart by.
 * @param owner - the Patient the records must be about (the owner's profile)
 * @param other - the Patient to check
 */
export function comparePatients(owner: Patient, other: Patient): PatientComparison {
  const agreements: string[] = [];
  const conflicts: string[] = [];
  const [ownerNames, otherNames] = [namesOf(owner), namesOf(other)];
  if (ownerNames.length > 0 && otherNames.length > 0) {
    const named = `${humanNameText(other.name)}`;
    if (ownerNames.some((a) => otherNames.some((b) => sameName(a, b)))) agreements.push(`name ${named}`);
    else conflicts.push(`name ${named}, not ${humanNameText(owner.name)}`);
  }
  if (owner.birthDate && other.birthDate) {
    if (sameBirthDate(owner.birthDate, other.birthDate)) agreements.push(`birth date ${other.birthDate}`);
    else conflicts.push(`birth date ${other.birthDate}, not ${owner.birthDate}`);
  }
  const ownerIds = identifierValues(owner);
  for (const [system, values] of identifierValues(other)) {
    const known = ownerIds.get(system);
    if (!known) continue;
    const shared = [...values].find((value) => known.has(value));
    if (shared) agreements.push(`identifier ${system}|${shared}`);
    else conflicts.push(`identifier ${system}|${[...values].join(', ')}, not ${[...known].join(', ')}`);
  }
  const verdict = conflicts.length > 0 ? 'different' : agreements.length > 0 ? 'same' : 'unknown';
  return { verdict, agreements, conflicts };
}

/** `Patient/123` of a reference or fullUrl (relative, absolute or versioned), else the text itself. */
function patientKey(reference: string): string {
  if (reference.startsWith('urn:')) return reference;
  const match = /(?:^|\/)(Patient\/[^/]+)(?:\/_history\/[^/]+)?$/.exec(reference);
  return match ? match[1]! : reference;
}

function subjectReferences(resource: Resource): string[] {
  const holder = resource as { subject?: Reference; patient?: Reference };
  return [holder.subject?.reference, holder.patient?.reference].filter((reference): reference is string =>
    Boolean(reference),
  );
}

/**
 * The part of a patient's resources that is about them: Patient resources of other people, and every
 * resource whose `subject` or `patient` points at one of those, are left out. Who the owner is comes
 * from `owner` (their profile) when it says who someone is, else from the first Patient of the
 * resources; a Patient that nothing tells apart from the owner stays, as do resources whose reference
 * points at no Patient among them (such as `Patient/<wallet address>` of records written in the app).
 * @param source - a Bundle or a list of resources
 * @param owner - the owner's profile; defaults to the first Patient in `source`
 * @returns the same kind of value: a Bundle with fewer entries, or a shorter list
 */
export function aboutOwner<T extends Bundle | readonly Resource[]>(source: T, owner?: Patient): T {
  const entries: readonly BundleEntry[] = Array.isArray(source)
    ? (source as readonly Resource[]).map((resource) => ({ resource }))
    : ((source as Bundle).entry ?? []);
  const patients = entries.filter(
    (entry): entry is BundleEntry<Patient> => entry.resource?.resourceType === 'Patient',
  );
  const reference = hasDemographics(owner) ? owner! : patients[0]?.resource;
  if (!reference) return source;
  const others = new Set(
    patients.filter(({ resource }) => resource !== reference && comparePatients(reference, resource!).verdict === 'different'),
  );
  if (others.size === 0) return source;
  const otherKeys = new Set(
    [...others].flatMap(({ fullUrl, resource }) => [
      ...(fullUrl ? [fullUrl, patientKey(fullUrl)] : []),
      ...(resource!.id ? [`Patient/${resource!.id}`] : []),
    ]),
  );
  const kept = entries.filter(
    (entry) =>
      !others.has(entry as BundleEntry<Patient>) &&
      !(entry.resource && subjectReferences(entry.resource).some((ref) => otherKeys.has(patientKey(ref)))),
  );
  if (Array.isArray(source)) return kept.map((entry) => entry.resource!) as unknown as T;
  return { ...(source as Bundle), entry: kept } as T;
}
