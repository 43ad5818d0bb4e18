/**
 * FHIR → model features, by code. Every feature is the latest value on or before the assessment
 * date, converted to the unit the models expect; anything that cannot be read, or that is impossible
 * by the shared limits (lib/ai/bounds), is left out (and the models then say "needs X") rather than
 * guessed.
 */
import type { Condition, Observation, ObservationComponent, Patient, Quantity } from '@medplum/fhirtypes';
import { ValidationError } from '../errors';
import { aboutOwner } from '../fhir/patient';
import { boundsOf, classifyValue } from './bounds';
import {
  ANTIHYPERTENSIVE_CLASSES,
  CURRENT_SMOKER,
  DIABETES_MELLITUS,
  LOINC,
  LOINC_CODES,
  NOT_CURRENT_SMOKER,
  SNOMED,
} from './codes';
import { activeMedications, hasCoding, isoDay, matchIngredients, parseFhirDate, resourcesOf, type ResourceSource } from './fhir';
import { convert, type Analyte } from './units';

export interface ExtractedFeature {
  readonly name: string;
  readonly value: number;
  /** UCUM unit of `value` (`1` for indicators and counts). */
  readonly unit: string;
  /** `YYYY-MM-DD` of the source record; null when the value follows from the absence of records. */
  readonly date: string | null;
  /** `Observation/123` etc.; null when derived from absence. */
  readonly source: string | null;
}

export interface FeatureExtraction {
  /** The assessment instant (end of the requested day). */
  readonly at: Date;
  readonly features: ReadonlyMap<string, ExtractedFeature>;
  /** Why values that exist could not be used (unknown unit, undated …). */
  readonly notes: readonly string[];
}

interface QuantityFeature {
  readonly name: string;
  readonly codes: readonly string[];
  readonly unit: string;
  readonly analyte: Analyte;
}

/** Quantities read from Observation.value or from Observation.component of any Observation (BP panels). */
const QUANTITY_FEATURES: readonly QuantityFeature[] = [
  { name: 'sbp', codes: [LOINC_CODES.systolic], unit: 'mm[Hg]', analyte: 'other' },
  { name: 'dbp', codes: [LOINC_CODES.diastolic], unit: 'mm[Hg]', analyte: 'other' },
  { name: 'total_cholesterol', codes: [LOINC_CODES.totalCholesterol], unit: 'mg/dL', analyte: 'cholesterol' },
  { name: 'hdl', codes: [LOINC_CODES.hdl], unit: 'mg/dL', analyte: 'cholesterol' },
  { name: 'bmi', codes: [LOINC_CODES.bmi], unit: 'kg/m2', analyte: 'other' },
  { name: 'hba1c', codes: [LOINC_CODES.hba1c], unit: '%', analyte: 'hba1c' },
  { name: 'glucose', codes: LOINC_CODES.glucose, unit: 'mg/dL', analyte: 'glucose' },
  { name: 'fasting_glucose', codes: [LOINC_CODES.fastingGlucose], unit: 'mg/dL', analyte: 'glucose' },
  { name: 'glucose_ogtt_2h', codes: LOINC_CODES.glucoseOgtt2h, unit: 'mg/dL', analyte: 'glucose' },
  { name: 'pregnancies', codes: [LOINC_CODES.pregnancies], unit: '1', analyte: 'other' },
];

const UNUSABLE_STATUS = new Set(['entered-in-error', 'cancelled', 'registered']);

/**
 * The assessment instant: the end (UTC) of the given `YYYY-MM-DD` day, a given Date, or now.
 *
 * @param at - a `YYYY-MM-DD` string, a Date, or undefined for now
 */
export function assessmentInstant(at?: Date | string): Date {
  if (at instanceof Date) return at;
  if (at === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(at) || Number.isNaN(new Date(`${at}T23:59:59.999Z`).getTime())) {
    throw new ValidationError([{ path: 'at', message: `expected a date YYYY-MM-DD, got "${at}"` }]);
  }
  return new Date(`${at}T23:59:59.999Z`);
}

/**
 * Completed years between a birth date and an instant.
 *
 * @param birthDate - FHIR date of birth
 * @param at - the assessment instant
 */
export function completedYears(birthDate: string, at: Date): number | undefined {
  const birth = parseFhirDate(birthDate);
  if (!birth) return undefined;
  let years = at.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    at.getUTCMonth() < birth.getUTCMonth() || (at.getUTCMonth() === birth.getUTCMonth() && at.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) years -= 1;
  return years;
}

function observationDate(observation: Observation): Date | undefined {
  return parseFhirDate(observation.effectiveDateTime ?? observation.effectiveInstant ?? observation.effectivePeriod?.start ?? observation.issued);
}

function quantityOf(holder: Observation | ObservationComponent): Quantity | undefined {
  if (holder.valueQuantity?.value !== undefined) return holder.valueQuantity;
  if (holder.valueInteger !== undefined) return { value: holder.valueInteger, code: '1' };
  return undefined;
}

/** Whether a value lies outside the hard limits of its analyte (lib/ai/bounds): a typo, never a finding. */
function isImpossible(holder: Observation | ObservationComponent, spec: QuantityFeature, value: Quantity): boolean {
  const bounds = (holder.code.coding ?? [])
    .filter((coding) => coding.system === LOINC && coding.code && spec.codes.includes(coding.code))
    .map((coding) => boundsOf(coding.code!))
    .find((found) => found !== undefined);
  if (!bounds) return false;
  const converted = convert(value.value!, value.code ?? value.unit, bounds.unit, bounds.analyte);
  return converted !== undefined && classifyValue(bounds, converted) === 'impossible';
}

interface Candidate {
  readonly value: Quantity;
  readonly date: Date;
  readonly source: string;
}

function latest<T extends { date: Date }>(candidates: readonly T[]): T | undefined {
  return candidates.reduce<T | undefined>((best, candidate) => (!best || candidate.date > best.date ? candidate : best), undefined);
}

function sourceOf(resource: { resourceType: string; id?: string }): string {
  return resource.id ? `${resource.resourceType}/${resource.id}` : resource.resourceType;
}

/** A Condition that is a current diagnosis at `at`: not refuted, begun by then, not abated by then. */
function conditionActiveAt(condition: Condition, at: Date): boolean {
  const verification = condition.verificationStatus?.coding?.[0]?.code;
  if (verification === 'refuted' || verification === 'entered-in-error') return false;
  const onset = parseFhirDate(condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate);
  if (onset && onset > at) return false;
  const abatement = parseFhirDate(condition.abatementDateTime ?? condition.abatementPeriod?.end);
  if (abatement) return abatement > at;
  const clinical = condition.clinicalStatus?.coding?.[0]?.code;
  return clinical !== 'resolved' && clinical !== 'inactive' && clinical !== 'remission';
}

/**
 * Reads every feature the models use from a patient's resources: only those about the patient
 * (`aboutOwner`), so another person's bundle imported into the record changes nothing.
 *
 * @param input - a Bundle or list of resources of one patient
 * @param options - `at`: assessment date (`YYYY-MM-DD` or Date), default now; `owner`: the patient's
 *   profile, default the first Patient among the resources
 */
export function extractFeatures(
  input: ResourceSource,
  options: { at?: Date | string; owner?: Patient } = {},
): FeatureExtraction {
  const at = assessmentInstant(options.at);
  const source = aboutOwner(input, options.owner);
  const resources = resourcesOf(source);
  const features = new Map<string, ExtractedFeature>();
  const notes: string[] = [];
  const others = resourcesOf(input).length - resources.length;
  if (others > 0) notes.push(`${others} resources about another person than the patient are not used`);
  const put = (feature: ExtractedFeature): void => {
    features.set(feature.name, feature);
  };

  const patients = resources.filter((r): r is Patient => r.resourceType === 'Patient');
  const patient = patients[0];
  if (patients.length > 1) notes.push(`${patients.length} Patient resources found; using the first`);
  if (patient?.birthDate) {
    const age = completedYears(patient.birthDate, at);
    if (age !== undefined && age >= 0) put({ name: 'age', value: age, unit: 'a', date: patient.birthDate, source: sourceOf(patient) });
    else notes.push(`Patient.birthDate ${patient.birthDate} is not before the assessment date`);
  }
  if (patient?.gender === 'male' || patient?.gender === 'female') {
    put({ name: 'sex_male', value: patient.gender === 'male' ? 1 : 0, unit: '1', date: null, source: sourceOf(patient) });
  } else if (patient?.gender) {
    notes.push(`Patient.gender "${patient.gender}" does not select a model's sex-specific coefficients`);
  }

  const observations = resources.filter(
    (r): r is Observation => r.resourceType === 'Observation' && !UNUSABLE_STATUS.has(r.status) && !r.dataAbsentReason,
  );
  for (const spec of QUANTITY_FEATURES) {
    const candidates: Candidate[] = [];
    for (const observation of observations) {
      const holders: (Observation | ObservationComponent)[] = [
        ...(hasCoding(observation.code, LOINC, spec.codes) ? [observation] : []),
        ...(observation.component ?? []).filter((component) => hasCoding(component.code, LOINC, spec.codes) && !component.dataAbsentReason),
      ];
      for (const holder of holders) {
        const value = quantityOf(holder);
        const date = observationDate(observation);
        if (!value) continue;
        if (!date) {
          notes.push(`${sourceOf(observation)}: ${spec.name} has no date and is not used`);
          continue;
        }
        if (date > at) continue;
        if (isImpossible(holder, spec, value)) {
          const written = `${value.value} ${value.code ?? value.unit ?? ''}`.trimEnd();
          notes.push(`${sourceOf(observation)}: ${spec.name} ${written} is not a possible value and is not used`);
          continue;
        }
        candidates.push({ value, date, source: sourceOf(observation) });
      }
    }
    const chosen = latest(candidates);
    if (!chosen) continue;
    const converted = convert(chosen.value.value!, chosen.value.code ?? chosen.value.unit, spec.unit, spec.analyte);
    if (converted === undefined) {
      notes.push(`${chosen.source}: ${spec.name} in unit "${chosen.value.code ?? chosen.value.unit ?? '(none)'}" cannot be converted to ${spec.unit}`);
      continue;
    }
    put({ name: spec.name, value: converted, unit: spec.unit, date: isoDay(chosen.date), source: chosen.source });
  }

  const smoking = latest(
    observations.flatMap((observation) => {
      const date = observationDate(observation);
      return hasCoding(observation.code, LOINC, [LOINC_CODES.smokingStatus]) && date && date <= at ? [{ observation, date }] : [];
    }),
  );
  if (smoking) {
    const answer = smoking.observation.valueCodeableConcept;
    const value = hasCoding(answer, SNOMED, CURRENT_SMOKER) ? 1 : hasCoding(answer, SNOMED, NOT_CURRENT_SMOKER) ? 0 : undefined;
    if (value === undefined) notes.push(`${sourceOf(smoking.observation)}: smoking status answer does not say whether the patient smokes now`);
    else put({ name: 'smoker', value, unit: '1', date: isoDay(smoking.date), source: sourceOf(smoking.observation) });
  }

  const diabetes = resources.find(
    (r): r is Condition => r.resourceType === 'Condition' && hasCoding(r.code, SNOMED, DIABETES_MELLITUS) && conditionActiveAt(r, at),
  );
  const onset = diabetes && parseFhirDate(diabetes.onsetDateTime ?? diabetes.recordedDate);
  put(
    diabetes
      ? { name: 'diabetes', value: 1, unit: '1', date: onset ? isoDay(onset) : null, source: sourceOf(diabetes) }
      : { name: 'diabetes', value: 0, unit: '1', date: null, source: null },
  );

  const antihypertensives = Object.values(ANTIHYPERTENSIVE_CLASSES).flat();
  const treatment = activeMedications(source, at).find((medication) => matchIngredients(medication, antihypertensives).length > 0);
  put(
    treatment
      ? { name: 'bp_treated', value: 1, unit: '1', date: treatment.date ? isoDay(treatment.date) : null, source: treatment.source }
      : { name: 'bp_treated', value: 0, unit: '1', date: null, source: null },
  );

  return { at, features, notes };
}
