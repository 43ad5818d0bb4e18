/**
 * Plausibility checks on Observation values before they are written: physiologic ranges per LOINC
 * code, units that cannot be the analyte's (or that look swapped with the other common unit), and
 * dates in the future. Findings are warnings for the person entering the data, not rejections.
 */
import type { Bundle, Observation, ObservationComponent, Quantity } from '@medplum/fhirtypes';
import { LOINC } from './codes';
import { parseFhirDate } from './fhir';
import { convert, normaliseUnit, type Analyte } from './units';

export type PlausibilityCode = 'implausible-value' | 'unit-mismatch' | 'unknown-unit' | 'future-date';

export interface PlausibilityWarning {
  /** FHIRPath-style location, e.g. `Observation.component[0].valueQuantity`. */
  readonly path: string;
  readonly code: PlausibilityCode;
  readonly message: string;
}

interface Range {
  readonly label: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly analyte: Analyte;
  /** The other unit this analyte is commonly reported in, to recognise a swapped unit. */
  readonly alternative?: string;
}

/** Values outside these limits are not compatible with life or are measurement errors. */
const RANGES: Readonly<Record<string, Range>> = {
  '8480-6': { label: 'systolic blood pressure', unit: 'mm[Hg]', min: 50, max: 300, analyte: 'other', alternative: 'kPa' },
  '8462-4': { label: 'diastolic blood pressure', unit: 'mm[Hg]', min: 20, max: 200, analyte: 'other', alternative: 'kPa' },
  '2093-3': { label: 'total cholesterol', unit: 'mg/dL', min: 50, max: 1000, analyte: 'cholesterol', alternative: 'mmol/L' },
  '2085-9': { label: 'HDL cholesterol', unit: 'mg/dL', min: 5, max: 200, analyte: 'cholesterol', alternative: 'mmol/L' },
  '18262-6': { label: 'LDL cholesterol', unit: 'mg/dL', min: 5, max: 800, analyte: 'cholesterol', alternative: 'mmol/L' },
  '2339-0': { label: 'blood glucose', unit: 'mg/dL', min: 10, max: 2000, analyte: 'glucose', alternative: 'mmol/L' },
  '2345-7': { label: 'serum glucose', unit: 'mg/dL', min: 10, max: 2000, analyte: 'glucose', alternative: 'mmol/L' },
  '1558-6': { label: 'fasting glucose', unit: 'mg/dL', min: 10, max: 2000, analyte: 'glucose', alternative: 'mmol/L' },
  '4548-4': { label: 'HbA1c', unit: '%', min: 2, max: 25, analyte: 'hba1c', alternative: 'mmol/mol' },
  '39156-5': { label: 'BMI', unit: 'kg/m2', min: 7, max: 150, analyte: 'other' },
  '29463-7': { label: 'body weight', unit: 'kg', min: 0.2, max: 650, analyte: 'other', alternative: '[lb_av]' },
  '8302-2': { label: 'body height', unit: 'cm', min: 20, max: 280, analyte: 'other', alternative: '[in_i]' },
  '8867-4': { label: 'heart rate', unit: '/min', min: 20, max: 350, analyte: 'other' },
  '8310-5': { label: 'body temperature', unit: 'Cel', min: 25, max: 46, analyte: 'other', alternative: '[degF]' },
  '9279-1': { label: 'respiratory rate', unit: '/min', min: 2, max: 120, analyte: 'other' },
};

/** Clock skew tolerated before a date counts as in the future. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

function loincCodes(holder: Observation | ObservationComponent): string[] {
  return (holder.code.coding ?? []).flatMap((coding) => (coding.system === LOINC && coding.code ? [coding.code] : []));
}

function checkQuantity(range: Range, quantity: Quantity, path: string): PlausibilityWarning[] {
  if (quantity.value === undefined) return [];
  const written = quantity.code ?? quantity.unit;
  const converted = convert(quantity.value, written, range.unit, range.analyte);
  if (converted === undefined) {
    const known = normaliseUnit(written) !== undefined;
    return [
      {
        path,
        code: known ? 'unit-mismatch' : 'unknown-unit',
        message: known
          ? `${range.label} cannot be in "${written}"; expected ${range.unit}${range.alternative ? ` or ${range.alternative}` : ''}`
          : `unit "${written ?? '(none)'}" of ${range.label} is not recognised; expected ${range.unit}`,
      },
    ];
  }
  if (converted >= range.min && converted <= range.max) return [];
  // A value that is plausible once read in the analyte's other common unit was most likely entered with the wrong unit.
  const other = normaliseUnit(written) === range.alternative ? range.unit : range.alternative;
  const reread = other === undefined ? undefined : convert(quantity.value, other, range.unit, range.analyte);
  if (reread !== undefined && reread >= range.min && reread <= range.max) {
    return [{ path, code: 'unit-mismatch', message: `${range.label} ${quantity.value} ${written} is implausible; was it ${quantity.value} ${other}?` }];
  }
  return [
    {
      path,
      code: 'implausible-value',
      message: `${range.label} ${quantity.value} ${written} is outside the physiologic range ${range.min}–${range.max} ${range.unit}`,
    },
  ];
}

/**
 * Checks one Observation.
 *
 * @param observation - the Observation about to be written
 * @param options - `now`: the current time (default `new Date()`); `path`: prefix for warning paths
 */
export function checkObservation(observation: Observation, options: { now?: Date; path?: string } = {}): PlausibilityWarning[] {
  const now = options.now ?? new Date();
  const prefix = options.path ?? 'Observation';
  const warnings: PlausibilityWarning[] = [];
  const holders: [Observation | ObservationComponent, string][] = [
    [observation, prefix],
    ...(observation.component ?? []).map((component, i): [ObservationComponent, string] => [component, `${prefix}.component[${i}]`]),
  ];
  for (const [holder, path] of holders) {
    const range = loincCodes(holder).map((code) => RANGES[code]).find((r) => r !== undefined);
    if (range && holder.valueQuantity) warnings.push(...checkQuantity(range, holder.valueQuantity, `${path}.valueQuantity`));
  }
  const dates: [string | undefined, string][] = [
    [observation.effectiveDateTime, 'effectiveDateTime'],
    [observation.effectiveInstant, 'effectiveInstant'],
    [observation.effectivePeriod?.start, 'effectivePeriod.start'],
    [observation.issued, 'issued'],
  ];
  for (const [value, field] of dates) {
    const date = parseFhirDate(value);
    if (date && date.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      warnings.push({ path: `${prefix}.${field}`, code: 'future-date', message: `${field} ${value} is in the future` });
    }
  }
  return warnings;
}

/**
 * Checks every Observation in a bundle.
 *
 * @param bundle - the bundle about to be written
 * @param options - `now`: the current time
 */
export function checkBundle(bundle: Bundle, options: { now?: Date } = {}): PlausibilityWarning[] {
  return (bundle.entry ?? []).flatMap((entry, i) =>
    entry.resource?.resourceType === 'Observation'
      ? checkObservation(entry.resource, { now: options.now, path: `Bundle.entry[${i}].resource` })
      : [],
  );
}
