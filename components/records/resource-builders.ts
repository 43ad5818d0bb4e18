/**
 * FHIR R4 resources from the add-record forms, coded where a common code is known (LOINC, SNOMED CT,
 * RxNorm, CVX) so decision support can read them, and always referencing the patient as subject.
 */
import type {
  AllergyIntolerance,
  CodeableConcept,
  Condition,
  Immunization,
  MedicationStatement,
  Observation,
  Patient,
  Reference,
} from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { LOINC_SYSTEM, OBSERVATION_CATEGORY_SYSTEM, type ObservationPreset, UCUM_SYSTEM } from './observation-presets';

const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CVX = 'http://hl7.org/fhir/sid/cvx';

/** A suggestion for a free-text field with the code it stands for. */
export interface CodedSuggestion {
  readonly text: string;
  readonly code: string;
}

export const CONDITION_SUGGESTIONS: readonly CodedSuggestion[] = [
  { text: 'Hypertension', code: '38341003' },
  { text: 'Type 2 diabetes mellitus', code: '44054006' },
  { text: 'Type 1 diabetes mellitus', code: '46635009' },
  { text: 'Prediabetes', code: '15777000' },
  { text: 'Hyperlipidemia', code: '55822004' },
  { text: 'Coronary artery disease', code: '53741008' },
  { text: 'Atrial fibrillation', code: '49436004' },
  { text: 'Heart failure', code: '84114007' },
  { text: 'Asthma', code: '195967001' },
  { text: 'Chronic obstructive pulmonary disease', code: '13645005' },
  { text: 'Chronic kidney disease', code: '709044004' },
  { text: 'Hypothyroidism', code: '40930008' },
  { text: 'Depressive disorder', code: '35489007' },
  { text: 'Obesity', code: '414916001' },
  { text: 'Osteoarthritis', code: '396275006' },
];

/** RxNorm ingredient concepts. */
export const MEDICATION_SUGGESTIONS: readonly CodedSuggestion[] = [
  { text: 'metformin', code: '6809' },
  { text: 'lisinopril', code: '29046' },
  { text: 'losartan', code: '52175' },
  { text: 'amlodipine', code: '17767' },
  { text: 'hydrochlorothiazide', code: '5487' },
  { text: 'metoprolol', code: '6918' },
  { text: 'atorvastatin', code: '83367' },
  { text: 'simvastatin', code: '36567' },
  { text: 'levothyroxine', code: '10582' },
  { text: 'omeprazole', code: '7646' },
  { text: 'aspirin', code: '1191' },
  { text: 'warfarin', code: '11289' },
];

export const VACCINE_SUGGESTIONS: readonly CodedSuggestion[] = [
  { text: 'Influenza, seasonal, injectable, preservative free', code: '140' },
  { text: 'COVID-19 vaccine', code: '213' },
  { text: 'Tdap (tetanus, diphtheria, acellular pertussis)', code: '115' },
  { text: 'MMR (measles, mumps, rubella)', code: '03' },
  { text: 'Pneumococcal polysaccharide PPV23', code: '33' },
  { text: 'Zoster, recombinant', code: '187' },
  { text: 'Hepatitis B, adult', code: '43' },
  { text: 'HPV, 9-valent', code: '165' },
];

/** Free text as a CodeableConcept, with the coding when it matches a suggestion (case-insensitive). */
function concept(text: string, system: string, suggestions: readonly CodedSuggestion[]): CodeableConcept {
  const trimmed = text.trim();
  const match = suggestions.find((suggestion) => suggestion.text.toLowerCase() === trimmed.toLowerCase());
  return match ? { coding: [{ system, code: match.code, display: match.text }], text: trimmed } : { text: trimmed };
}

function subjectOf(patient: Address): Reference<Patient> {
  return { reference: `Patient/${patient}` };
}

/** `datetime-local` input value → FHIR dateTime with the browser's offset resolved to UTC. */
export function toFhirDateTime(local: string): string {
  return new Date(local).toISOString();
}

/** Now as a `datetime-local` input value, in local time. */
export function nowLocal(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** An Observation for a preset: one value, or a panel with a component per analyte (blood pressure). */
export function buildObservation(
  patient: Address,
  preset: ObservationPreset,
  values: readonly number[],
  effective: string,
  note?: string,
): Observation {
  const quantity = (index: number) => {
    const analyte = preset.analytes[index]!;
    return { value: values[index]!, unit: analyte.unit, system: UCUM_SYSTEM, code: analyte.unit };
  };
  const panel = preset.analytes.length > 1;
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY_SYSTEM, code: preset.category }] }],
    code: { coding: [{ system: LOINC_SYSTEM, code: preset.loinc, display: preset.label }], text: preset.label },
    subject: subjectOf(patient),
    effectiveDateTime: toFhirDateTime(effective),
    ...(panel
      ? {
          component: preset.analytes.map((analyte, index) => ({
            code: { coding: [{ system: LOINC_SYSTEM, code: analyte.loinc, display: analyte.label }] },
            valueQuantity: quantity(index),
          })),
        }
      : { valueQuantity: quantity(0) }),
    ...(note?.trim() ? { note: [{ text: note.trim() }] } : {}),
  };
}

export const CONDITION_STATUSES = ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'] as const;

export function buildCondition(
  patient: Address,
  fields: { name: string; clinicalStatus: (typeof CONDITION_STATUSES)[number]; onset?: string; note?: string },
): Condition {
  return {
    resourceType: 'Condition',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: fields.clinicalStatus }],
    },
    code: concept(fields.name, SNOMED, CONDITION_SUGGESTIONS),
    subject: subjectOf(patient),
    ...(fields.onset ? { onsetDateTime: fields.onset } : {}),
    recordedDate: new Date().toISOString(),
    ...(fields.note?.trim() ? { note: [{ text: fields.note.trim() }] } : {}),
  };
}

export const MEDICATION_STATUSES = ['active', 'completed', 'stopped', 'on-hold', 'intended', 'not-taken'] as const;

export function buildMedicationStatement(
  patient: Address,
  fields: { drug: string; dose?: string; status: (typeof MEDICATION_STATUSES)[number]; since?: string },
): MedicationStatement {
  return {
    resourceType: 'MedicationStatement',
    status: fields.status,
    medicationCodeableConcept: concept(fields.drug, RXNORM, MEDICATION_SUGGESTIONS),
    subject: subjectOf(patient),
    ...(fields.since ? { effectiveDateTime: fields.since } : {}),
    dateAsserted: new Date().toISOString(),
    ...(fields.dose?.trim() ? { dosage: [{ text: fields.dose.trim() }] } : {}),
  };
}

export const ALLERGY_CATEGORIES = ['medication', 'food', 'environment', 'biologic'] as const;
export const CRITICALITIES = ['low', 'high', 'unable-to-assess'] as const;
export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;

export function buildAllergy(
  patient: Address,
  fields: {
    substance: string;
    category: (typeof ALLERGY_CATEGORIES)[number];
    criticality: (typeof CRITICALITIES)[number];
    reaction?: string;
    severity?: (typeof SEVERITIES)[number];
  },
): AllergyIntolerance {
  return {
    resourceType: 'AllergyIntolerance',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
    },
    category: [fields.category],
    criticality: fields.criticality,
    code: { text: fields.substance.trim() },
    patient: subjectOf(patient),
    recordedDate: new Date().toISOString(),
    ...(fields.reaction?.trim()
      ? {
          reaction: [
            {
              manifestation: [{ text: fields.reaction.trim() }],
              ...(fields.severity ? { severity: fields.severity } : {}),
            },
          ],
        }
      : {}),
  };
}

export function buildImmunization(
  patient: Address,
  fields: { vaccine: string; date: string; lot?: string },
): Immunization {
  return {
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: concept(fields.vaccine, CVX, VACCINE_SUGGESTIONS),
    patient: subjectOf(patient),
    occurrenceDateTime: fields.date,
    ...(fields.lot?.trim() ? { lotNumber: fields.lot.trim() } : {}),
  };
}
