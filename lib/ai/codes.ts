/** Terminology the feature extraction reads: LOINC observation codes, SNOMED CT findings, medication classes. */

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

export const LOINC_CODES = {
  systolic: '8480-6',
  diastolic: '8462-4',
  /** Blood pressure panels whose components carry systolic/diastolic values. */
  bpPanels: ['55284-4', '85354-9'],
  totalCholesterol: '2093-3',
  hdl: '2085-9',
  bmi: '39156-5',
  smokingStatus: '72166-2',
  hba1c: '4548-4',
  /** Glucose in blood (2339-0) and in serum/plasma (2345-7), any timing. */
  glucose: ['2339-0', '2345-7'],
  fastingGlucose: '1558-6',
  /** Glucose 2 hours after a 75 g oral load, mass (1518-0) and molar (14995-5) concentration. */
  glucoseOgtt2h: ['1518-0', '14995-5'],
  pregnancies: '11996-6',
} as const;

/** Smoking-status answers (SNOMED CT) that mean a current smoker. */
export const CURRENT_SMOKER = new Set([
  '449868002', // current every day smoker
  '428041000124106', // current some day smoker
  '77176002', // smoker, current status unknown
  '428071000124103', // current heavy tobacco smoker
  '428061000124105', // current light tobacco smoker
  '65568007', // cigarette smoker
]);

/** Smoking-status answers that mean not smoking now. */
export const NOT_CURRENT_SMOKER = new Set([
  '8517006', // former smoker
  '266919005', // never smoked tobacco
]);

/** Diabetes mellitus Condition codes (SNOMED CT); prediabetes (15777000) and gestational diabetes are not diabetes here. */
export const DIABETES_MELLITUS = new Set([
  '73211009', // diabetes mellitus
  '44054006', // type 2
  '46635009', // type 1
  '8801005', // secondary diabetes mellitus
]);

/**
 * Antihypertensive ingredients by class, as RxNorm ingredient names. A medication counts as
 * antihypertensive treatment when one of its ingredients is listed, whatever it was prescribed for.
 */
export const ANTIHYPERTENSIVE_CLASSES: Readonly<Record<string, readonly string[]>> = {
  'thiazide and thiazide-like diuretics': ['hydrochlorothiazide', 'chlorthalidone', 'chlorothiazide', 'indapamide', 'metolazone'],
  'loop diuretics': ['furosemide', 'bumetanide', 'torsemide', 'ethacrynic acid'],
  'potassium-sparing diuretics and aldosterone antagonists': ['spironolactone', 'eplerenone', 'amiloride', 'triamterene'],
  'ACE inhibitors': ['benazepril', 'captopril', 'enalapril', 'fosinopril', 'lisinopril', 'moexipril', 'perindopril', 'quinapril', 'ramipril', 'trandolapril'],
  'angiotensin II receptor blockers': ['azilsartan', 'candesartan', 'eprosartan', 'irbesartan', 'losartan', 'olmesartan', 'telmisartan', 'valsartan'],
  'calcium channel blockers': ['amlodipine', 'felodipine', 'isradipine', 'nicardipine', 'nifedipine', 'nisoldipine', 'diltiazem', 'verapamil'],
  'beta blockers': ['acebutolol', 'atenolol', 'betaxolol', 'bisoprolol', 'carvedilol', 'labetalol', 'metoprolol', 'nadolol', 'nebivolol', 'pindolol', 'propranolol'],
  'alpha-1 blockers': ['doxazosin', 'prazosin', 'terazosin'],
  'central alpha-2 agonists': ['clonidine', 'guanfacine', 'methyldopa'],
  'direct vasodilators': ['hydralazine', 'minoxidil'],
  'direct renin inhibitors': ['aliskiren'],
};
