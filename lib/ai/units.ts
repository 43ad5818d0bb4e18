/**
 * UCUM unit handling for the quantities the models and plausibility checks read: normalising the
 * spellings found in real records and converting between mass and molar concentrations.
 */

/** Analytes whose mass ↔ molar conversion factor (mg/dL per mmol/L) MedLedger knows. */
export const MG_DL_PER_MMOL_L = {
  /** Cholesterol (total, HDL, LDL): molar mass 386.65 g/mol. */
  cholesterol: 38.67,
  /** Glucose: molar mass 180.16 g/mol. */
  glucose: 18.016,
} as const;

export type Analyte = keyof typeof MG_DL_PER_MMOL_L | 'hba1c' | 'other';

const SPELLINGS: Readonly<Record<string, string>> = {
  'mg/dl': 'mg/dL',
  'mmol/l': 'mmol/L',
  mmhg: 'mm[Hg]',
  'mm hg': 'mm[Hg]',
  'mm[hg]': 'mm[Hg]',
  'kg/m2': 'kg/m2',
  'kg/m^2': 'kg/m2',
  'kg/m²': 'kg/m2',
  '%': '%',
  'mmol/mol': 'mmol/mol',
  kpa: 'kPa',
  kg: 'kg',
  g: 'g',
  '[lb_av]': '[lb_av]',
  lb: '[lb_av]',
  lbs: '[lb_av]',
  cm: 'cm',
  m: 'm',
  '[in_i]': '[in_i]',
  in: '[in_i]',
  cel: 'Cel',
  '°c': 'Cel',
  '[degf]': '[degF]',
  '°f': '[degF]',
  '/min': '/min',
  '{beats}/min': '/min',
  'beats/min': '/min',
  a: 'a',
  mm: 'mm',
  'u[iu]/ml': 'u[IU]/mL',
  'uiu/ml': 'u[IU]/mL',
  // 1 mIU/L is numerically 1 µIU/mL.
  'm[iu]/l': 'u[IU]/mL',
  '1': '1',
  '{#}': '1',
};

/**
 * The canonical UCUM code for a unit as written in a record (`mg/dl`, `mmHg` …), or undefined if unknown.
 *
 * @param unit - UCUM code or human unit text
 */
export function normaliseUnit(unit: string | undefined): string | undefined {
  if (unit === undefined) return undefined;
  return SPELLINGS[unit.trim().toLowerCase()];
}

type Converter = (value: number, analyte: Analyte) => number | undefined;

const molar = (toMass: boolean): Converter => (value, analyte) => {
  if (analyte !== 'cholesterol' && analyte !== 'glucose') return undefined;
  const factor = MG_DL_PER_MMOL_L[analyte];
  return toMass ? value * factor : value / factor;
};

/** HbA1c NGSP % ↔ IFCC mmol/mol master equation: % = 0.09148 · mmol/mol + 2.152. */
const CONVERSIONS: Readonly<Record<string, Converter>> = {
  'mmol/L->mg/dL': molar(true),
  'mg/dL->mmol/L': molar(false),
  'mmol/mol->%': (v, a) => (a === 'hba1c' ? 0.09148 * v + 2.152 : undefined),
  '%->mmol/mol': (v, a) => (a === 'hba1c' ? (v - 2.152) / 0.09148 : undefined),
  'kPa->mm[Hg]': (v) => v * 7.50062,
  'mm[Hg]->kPa': (v) => v / 7.50062,
  'g->kg': (v) => v / 1000,
  '[lb_av]->kg': (v) => v * 0.45359237,
  'm->cm': (v) => v * 100,
  '[in_i]->cm': (v) => v * 2.54,
  '[degF]->Cel': (v) => ((v - 32) * 5) / 9,
};

/**
 * Converts a value to `target`, or returns undefined when the units are unknown or not convertible
 * for this analyte (e.g. mmol/L for an analyte without a known molar mass).
 *
 * @param value - the number as recorded
 * @param unit - its unit as recorded (UCUM code or text)
 * @param target - canonical UCUM code wanted
 * @param analyte - what was measured, for molar conversions
 */
export function convert(value: number, unit: string | undefined, target: string, analyte: Analyte = 'other'): number | undefined {
  const from = normaliseUnit(unit);
  if (from === undefined) return undefined;
  if (from === target) return value;
  return CONVERSIONS[`${from}->${target}`]?.(value, analyte);
}
