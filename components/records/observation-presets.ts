/**
 * The measurements a patient or clinician enters most often, with their LOINC codes, UCUM units and
 * typical adult reference ranges. The ranges are used only when a result carries no reference range
 * of its own, and the timeline says so ("typical adult range"). Units and input limits come from the
 * shared table in lib/ai/bounds, labels from lib/fhir/display: defined once for the forms, import,
 * the risk features and the record views.
 */
import { boundsOf } from '../../lib/ai/bounds';
import { LOINC, LOINC_DISPLAY } from '../../lib/fhir/display';

export const LOINC_SYSTEM = LOINC;
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** One measured quantity: LOINC code, label, UCUM unit and the typical adult range (either end optional). */
export interface Analyte {
  readonly loinc: string;
  readonly label: string;
  readonly unit: string;
  readonly low?: number;
  readonly high?: number;
  /**
   * The hard limits of lib/ai/bounds: the form field refuses values outside them. Values inside them
   * but outside the plausible range are saved only after a second, deliberate click.
   */
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/** A form preset: one value, or a panel with several components (blood pressure). */
export interface ObservationPreset {
  readonly id: string;
  readonly label: string;
  readonly loinc: string;
  readonly category: 'vital-signs' | 'laboratory';
  /** One analyte for a simple value; several for a panel whose values go into `component`. */
  readonly analytes: readonly Analyte[];
}

/** An analyte entered in the unit of the shared limits table, within its hard limits. */
function analyte(loinc: string, step: number, typical: { low?: number; high?: number } = {}): Analyte {
  const bounds = boundsOf(loinc);
  if (!bounds) throw new Error(`lib/ai/bounds has no limits for LOINC ${loinc}`);
  return {
    loinc,
    label: LOINC_DISPLAY[loinc] ?? bounds.label,
    unit: bounds.unit,
    ...typical,
    min: bounds.hard.min,
    max: bounds.hard.max,
    step,
  };
}

const SYSTOLIC = analyte('8480-6', 1, { low: 90, high: 129 });
const DIASTOLIC = analyte('8462-4', 1, { low: 60, high: 79 });

export const OBSERVATION_PRESETS: readonly ObservationPreset[] = [
  { id: 'bp', label: 'Blood pressure', loinc: '85354-9', category: 'vital-signs', analytes: [SYSTOLIC, DIASTOLIC] },
  {
    id: 'hr',
    label: 'Heart rate',
    loinc: '8867-4',
    category: 'vital-signs',
    analytes: [analyte('8867-4', 1, { low: 60, high: 100 })],
  },
  {
    id: 'weight',
    label: 'Body weight',
    loinc: '29463-7',
    category: 'vital-signs',
    analytes: [analyte('29463-7', 0.1)],
  },
  {
    id: 'bmi',
    label: 'Body mass index (BMI)',
    loinc: '39156-5',
    category: 'vital-signs',
    analytes: [analyte('39156-5', 0.1, { low: 18.5, high: 24.9 })],
  },
  {
    id: 'glucose',
    label: 'Glucose (fasting)',
    loinc: '1558-6',
    category: 'laboratory',
    analytes: [analyte('1558-6', 1, { low: 70, high: 99 })],
  },
  {
    id: 'hba1c',
    label: 'HbA1c',
    loinc: '4548-4',
    category: 'laboratory',
    analytes: [analyte('4548-4', 0.1, { low: 4, high: 5.6 })],
  },
  {
    id: 'chol',
    label: 'Total cholesterol',
    loinc: '2093-3',
    category: 'laboratory',
    analytes: [analyte('2093-3', 1, { high: 199 })],
  },
  {
    id: 'hdl',
    label: 'HDL cholesterol',
    loinc: '2085-9',
    category: 'laboratory',
    analytes: [analyte('2085-9', 1, { low: 40 })],
  },
];

/** Analytes by LOINC code, including panel components, for reference ranges and labels. */
export const ANALYTES: ReadonlyMap<string, Analyte> = new Map(
  OBSERVATION_PRESETS.flatMap((preset) => preset.analytes).map((analyte) => [analyte.loinc, analyte]),
);
