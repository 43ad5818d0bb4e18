/**
 * The one table of limits for measured values, by LOINC code, used wherever a value is entered or
 * read: the record forms (input limits and the "please double-check" step), import (warnings per
 * resource), the risk features (impossible values are left out) and the plausibility checks.
 *
 * Two ranges per analyte, in the unit of the table:
 * - **hard limits**: outside them a value is impossible (a typo, a wrong unit, a device error). The
 *   forms refuse it; the risk models never use it.
 * - **plausible range**: outside it a value is possible but rare enough that it is more often a
 *   mistake than a finding. The forms ask to double-check before saving; import lists a warning.
 *
 * Limits are generous on purpose (extremes reported in the literature stay within the hard limits),
 * and they are not reference ranges: a value can be plausible and still abnormal.
 */
import type { Analyte } from './units';

/** An inclusive numeric range. */
export interface Limits {
  readonly min: number;
  readonly max: number;
}

/** The limits of one analyte. */
export interface MeasurementBounds {
  readonly loinc: string;
  /** How a sentence names the analyte, e.g. "total cholesterol". */
  readonly label: string;
  /** UCUM unit of both ranges (and the unit the forms enter the value in). */
  readonly unit: string;
  /** Conversion family of the unit (mass ↔ molar for cholesterol and glucose). */
  readonly analyte: Analyte;
  /** The other unit this analyte is commonly reported in, to recognise a value entered in the wrong one. */
  readonly alternative?: string;
  readonly hard: Limits;
  readonly plausible: Limits;
}

type Row = Omit<MeasurementBounds, 'loinc'>;

const cholesterol = (label: string, hard: Limits, plausible: Limits): Row => ({
  label,
  unit: 'mg/dL',
  analyte: 'cholesterol',
  alternative: 'mmol/L',
  hard,
  plausible,
});

const glucose = (label: string): Row => ({
  label,
  unit: 'mg/dL',
  analyte: 'glucose',
  alternative: 'mmol/L',
  hard: { min: 5, max: 3000 },
  plausible: { min: 30, max: 600 },
});

const ROWS: Readonly<Record<string, Row>> = {
  '8480-6': {
    label: 'systolic blood pressure',
    unit: 'mm[Hg]',
    analyte: 'other',
    alternative: 'kPa',
    hard: { min: 20, max: 350 },
    plausible: { min: 70, max: 250 },
  },
  '8462-4': {
    label: 'diastolic blood pressure',
    unit: 'mm[Hg]',
    analyte: 'other',
    alternative: 'kPa',
    hard: { min: 10, max: 250 },
    plausible: { min: 30, max: 150 },
  },
  '2093-3': cholesterol('total cholesterol', { min: 10, max: 5000 }, { min: 70, max: 500 }),
  '2085-9': cholesterol('HDL cholesterol', { min: 1, max: 400 }, { min: 10, max: 150 }),
  '18262-6': cholesterol('LDL cholesterol', { min: 1, max: 4000 }, { min: 10, max: 400 }),
  '2339-0': glucose('blood glucose'),
  '2345-7': glucose('serum glucose'),
  '1558-6': glucose('fasting glucose'),
  '4548-4': {
    label: 'HbA1c',
    unit: '%',
    analyte: 'hba1c',
    alternative: 'mmol/mol',
    hard: { min: 2, max: 25 },
    plausible: { min: 3.5, max: 18 },
  },
  '39156-5': {
    label: 'BMI',
    unit: 'kg/m2',
    analyte: 'other',
    hard: { min: 5, max: 200 },
    plausible: { min: 12, max: 80 },
  },
  '29463-7': {
    label: 'body weight',
    unit: 'kg',
    analyte: 'other',
    alternative: '[lb_av]',
    hard: { min: 0.2, max: 700 },
    plausible: { min: 2, max: 300 },
  },
  '8302-2': {
    label: 'body height',
    unit: 'cm',
    analyte: 'other',
    alternative: '[in_i]',
    hard: { min: 20, max: 280 },
    plausible: { min: 45, max: 230 },
  },
  '8867-4': {
    label: 'heart rate',
    unit: '/min',
    analyte: 'other',
    hard: { min: 5, max: 400 },
    plausible: { min: 30, max: 220 },
  },
  '8310-5': {
    label: 'body temperature',
    unit: 'Cel',
    analyte: 'other',
    alternative: '[degF]',
    hard: { min: 10, max: 47 },
    plausible: { min: 33, max: 42 },
  },
  '9279-1': {
    label: 'respiratory rate',
    unit: '/min',
    analyte: 'other',
    hard: { min: 1, max: 150 },
    plausible: { min: 6, max: 60 },
  },
};

/** Every analyte with limits, by LOINC code. */
export const MEASUREMENT_BOUNDS: ReadonlyMap<string, MeasurementBounds> = new Map(
  Object.entries(ROWS).map(([loinc, row]) => [loinc, { loinc, ...row }]),
);

/**
 * The limits of an analyte.
 *
 * @param loinc - LOINC code of the analyte
 * @returns its limits, or undefined when the table has none
 */
export function boundsOf(loinc: string): MeasurementBounds | undefined {
  return MEASUREMENT_BOUNDS.get(loinc);
}

/**
 * Where a value stands against an analyte's limits (both in the table's unit).
 *
 * @param bounds - the analyte's limits
 * @param value - the value in `bounds.unit`
 * @returns `impossible` outside the hard limits, `implausible` outside the plausible range, else `plausible`
 */
export function classifyValue(bounds: MeasurementBounds, value: number): 'impossible' | 'implausible' | 'plausible' {
  const within = (limits: Limits) => value >= limits.min && value <= limits.max;
  if (!within(bounds.hard)) return 'impossible';
  return within(bounds.plausible) ? 'plausible' : 'implausible';
}
