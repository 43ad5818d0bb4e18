/**
 * The measurements a patient or clinician enters most often, with their LOINC codes, UCUM units and
 * typical adult reference ranges. The ranges are used only when a result carries no reference range
 * of its own, and the timeline says so ("typical adult range").
 */

export const LOINC_SYSTEM = 'http://loinc.org';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** One measured quantity: LOINC code, label, UCUM unit and the typical adult range (either end optional). */
export interface Analyte {
  readonly loinc: string;
  readonly label: string;
  readonly unit: string;
  readonly low?: number;
  readonly high?: number;
  /** Allowed input bounds of the form field (a typo guard, not a clinical range). */
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

const SYSTOLIC: Analyte = {
  loinc: '8480-6',
  label: 'Systolic blood pressure',
  unit: 'mm[Hg]',
  low: 90,
  high: 129,
  min: 40,
  max: 300,
  step: 1,
};
const DIASTOLIC: Analyte = {
  loinc: '8462-4',
  label: 'Diastolic blood pressure',
  unit: 'mm[Hg]',
  low: 60,
  high: 79,
  min: 20,
  max: 200,
  step: 1,
};

export const OBSERVATION_PRESETS: readonly ObservationPreset[] = [
  { id: 'bp', label: 'Blood pressure', loinc: '85354-9', category: 'vital-signs', analytes: [SYSTOLIC, DIASTOLIC] },
  {
    id: 'hr',
    label: 'Heart rate',
    loinc: '8867-4',
    category: 'vital-signs',
    analytes: [{ loinc: '8867-4', label: 'Heart rate', unit: '/min', low: 60, high: 100, min: 10, max: 350, step: 1 }],
  },
  {
    id: 'weight',
    label: 'Body weight',
    loinc: '29463-7',
    category: 'vital-signs',
    analytes: [{ loinc: '29463-7', label: 'Body weight', unit: 'kg', min: 0.2, max: 650, step: 0.1 }],
  },
  {
    id: 'bmi',
    label: 'Body mass index (BMI)',
    loinc: '39156-5',
    category: 'vital-signs',
    analytes: [{ loinc: '39156-5', label: 'BMI', unit: 'kg/m2', low: 18.5, high: 24.9, min: 5, max: 150, step: 0.1 }],
  },
  {
    id: 'glucose',
    label: 'Glucose (fasting)',
    loinc: '1558-6',
    category: 'laboratory',
    analytes: [
      { loinc: '1558-6', label: 'Fasting glucose', unit: 'mg/dL', low: 70, high: 99, min: 5, max: 2000, step: 1 },
    ],
  },
  {
    id: 'hba1c',
    label: 'HbA1c',
    loinc: '4548-4',
    category: 'laboratory',
    analytes: [{ loinc: '4548-4', label: 'HbA1c', unit: '%', low: 4, high: 5.6, min: 2, max: 25, step: 0.1 }],
  },
  {
    id: 'chol',
    label: 'Total cholesterol',
    loinc: '2093-3',
    category: 'laboratory',
    analytes: [{ loinc: '2093-3', label: 'Total cholesterol', unit: 'mg/dL', high: 199, min: 20, max: 1000, step: 1 }],
  },
  {
    id: 'hdl',
    label: 'HDL cholesterol',
    loinc: '2085-9',
    category: 'laboratory',
    analytes: [{ loinc: '2085-9', label: 'HDL cholesterol', unit: 'mg/dL', low: 40, min: 2, max: 250, step: 1 }],
  },
];

/** Analytes by LOINC code, including panel components, for reference ranges and labels. */
export const ANALYTES: ReadonlyMap<string, Analyte> = new Map(
  OBSERVATION_PRESETS.flatMap((preset) => preset.analytes).map((analyte) => [analyte.loinc, analyte]),
);

/** Labels of LOINC codes that often arrive without a display (component codes in particular). */
export const LOINC_LABELS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(OBSERVATION_PRESETS.map((preset) => [preset.loinc, preset.label])),
  ...Object.fromEntries([...ANALYTES.values()].map((analyte) => [analyte.loinc, analyte.label])),
  '55284-4': 'Blood pressure',
  '2339-0': 'Glucose',
  '2345-7': 'Glucose (serum/plasma)',
  '18262-6': 'LDL cholesterol',
  '8302-2': 'Body height',
  '8310-5': 'Body temperature',
  '9279-1': 'Respiratory rate',
  '72166-2': 'Smoking status',
};
