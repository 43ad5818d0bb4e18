/**
 * The small code tables behind the claims rules: services that only make sense for one sex or one age,
 * and lab panels whose components must not be billed apart. Codes are those Synthea writes on claims
 * and reports where it has them (SNOMED CT services, CVX vaccines, LOINC panels), plus the CPT/HCPCS
 * codes US insurers see for the same services. Each entry says where its limit comes from.
 */

import { LOINC, SNOMED } from '../codes';

export { LOINC, SNOMED };
export const CPT = 'http://www.ama-assn.org/go/cpt';
export const HCPCS = 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
export const CVX = 'http://hl7.org/fhir/sid/cvx';

/** A service billable only for one sex and/or one age range. */
export interface DemographicRestriction {
  readonly system: string;
  readonly code: string;
  readonly display: string;
  /** The only administrative gender (`Patient.gender`) the service fits. */
  readonly sex?: 'female' | 'male';
  /** Youngest age in completed years at the day of service (inclusive). */
  readonly minAge?: number;
  /** Age in completed years from which the service no longer fits (exclusive). */
  readonly maxAge?: number;
  /** How sure a mismatch is: "high" where anatomy or the code's own definition rules it out. */
  readonly severity: 'medium' | 'high';
  /** Where the restriction comes from. */
  readonly source: string;
}

const SYNTHEA_PREGNANCY = 'Synthea pregnancy module (code seen on Synthea claims); obstetric care';
const SYNTHEA_CONTRACEPTION = 'Synthea contraceptives module (code seen on Synthea claims); intrauterine device';
const CPT_PREVENTIVE =
  'CPT preventive medicine service descriptors (99381–99387 new, 99391–99397 established patient): the age band is part of the code';

/** Preventive-medicine visit codes and the age band each one names ([min, max) in completed years). */
const PREVENTIVE_BANDS: readonly [string, string, string, number, number | undefined][] = [
  ['99381', '99391', 'infant (younger than 1 year)', 0, 1],
  ['99382', '99392', 'early childhood (1–4 years)', 1, 5],
  ['99383', '99393', 'late childhood (5–11 years)', 5, 12],
  ['99384', '99394', 'adolescent (12–17 years)', 12, 18],
  ['99385', '99395', '18–39 years', 18, 40],
  ['99386', '99396', '40–64 years', 40, 65],
  ['99387', '99397', '65 years and older', 65, undefined],
];

/**
 * Sex- and age-specific services. Administrative gender is not anatomy: a flagged claim for a
 * transgender or intersex patient may be correct, which every message says.
 */
export const DEMOGRAPHIC_RESTRICTIONS: readonly DemographicRestriction[] = [
  // Female-only: obstetric, uterine, cervical and (screening) breast services.
  {
    system: SNOMED,
    code: '424441002',
    display: 'Prenatal initial visit',
    sex: 'female',
    severity: 'high',
    source: SYNTHEA_PREGNANCY,
  },
  {
    system: SNOMED,
    code: '424619006',
    display: 'Prenatal visit',
    sex: 'female',
    severity: 'high',
    source: SYNTHEA_PREGNANCY,
  },
  {
    system: CPT,
    code: '59400',
    display: 'Routine obstetric care with vaginal delivery',
    sex: 'female',
    severity: 'high',
    source: 'CPT 59400 descriptor (obstetric care)',
  },
  {
    system: SNOMED,
    code: '46706006',
    display: 'Replacement of contraceptive intrauterine device',
    sex: 'female',
    severity: 'high',
    source: SYNTHEA_CONTRACEPTION,
  },
  {
    system: SNOMED,
    code: '65200003',
    display: 'Insertion of intrauterine contraceptive device',
    sex: 'female',
    severity: 'high',
    source: SYNTHEA_CONTRACEPTION,
  },
  {
    system: SNOMED,
    code: '236886002',
    display: 'Hysterectomy',
    sex: 'female',
    severity: 'high',
    source: 'SNOMED CT 236886002 (removal of the uterus)',
  },
  {
    system: CPT,
    code: '58150',
    display: 'Total abdominal hysterectomy',
    sex: 'female',
    severity: 'high',
    source: 'CPT 58150 descriptor (removal of the uterus)',
  },
  // Male breast imaging exists (gynecomastia, male breast cancer), so mammography mismatches are "medium".
  {
    system: SNOMED,
    code: '71651007',
    display: 'Mammography',
    sex: 'female',
    minAge: 18,
    severity: 'medium',
    source: 'Synthea breast-cancer screening (SNOMED CT 71651007); screening starts in adulthood (USPSTF)',
  },
  {
    system: CPT,
    code: '77067',
    display: 'Screening mammography, bilateral',
    sex: 'female',
    minAge: 18,
    severity: 'medium',
    source: 'CPT 77067 descriptor; screening starts in adulthood (USPSTF)',
  },
  // Male-only: prostate and vasectomy.
  {
    system: LOINC,
    code: '2857-1',
    display: 'Prostate specific Ag [Mass/volume] in Serum or Plasma',
    sex: 'male',
    minAge: 18,
    severity: 'medium',
    source: 'LOINC 2857-1 (PSA); prostate cancer screening is for adult men (USPSTF)',
  },
  {
    system: CPT,
    code: '84153',
    display: 'Prostate specific antigen (PSA), total',
    sex: 'male',
    minAge: 18,
    severity: 'medium',
    source: 'CPT 84153 descriptor (PSA)',
  },
  {
    system: HCPCS,
    code: 'G0103',
    display: 'Prostate cancer screening; PSA test',
    sex: 'male',
    minAge: 18,
    severity: 'high',
    source: 'HCPCS G0103 descriptor (Medicare PSA screening of men)',
  },
  {
    system: SNOMED,
    code: '90470006',
    display: 'Prostatectomy',
    sex: 'male',
    severity: 'high',
    source: 'SNOMED CT 90470006 (removal of the prostate)',
  },
  {
    system: SNOMED,
    code: '65575008',
    display: 'Biopsy of prostate',
    sex: 'male',
    severity: 'high',
    source: 'SNOMED CT 65575008 (prostate biopsy)',
  },
  {
    system: CPT,
    code: '55700',
    display: 'Biopsy, prostate',
    sex: 'male',
    severity: 'high',
    source: 'CPT 55700 descriptor (prostate biopsy)',
  },
  {
    system: SNOMED,
    code: '22523008',
    display: 'Vasectomy',
    sex: 'male',
    severity: 'high',
    source: 'SNOMED CT 22523008 (vasectomy)',
  },
  {
    system: CPT,
    code: '55250',
    display: 'Vasectomy',
    sex: 'male',
    severity: 'high',
    source: 'CPT 55250 descriptor (vasectomy)',
  },
  // Paediatric services.
  {
    system: SNOMED,
    code: '410620009',
    display: 'Well child visit',
    maxAge: 21,
    severity: 'medium',
    source: 'Synthea bills it below 18; Bright Futures (AAP) periodicity schedule runs to 21 years',
  },
  {
    system: CVX,
    code: '20',
    display: 'DTaP vaccine',
    maxAge: 7,
    severity: 'medium',
    source: 'CDC/ACIP: DTaP is not licensed from age 7 (Td/Tdap instead); CVX 20 is on Synthea claims',
  },
  {
    system: CVX,
    code: '119',
    display: 'Rotavirus vaccine, monovalent',
    maxAge: 1,
    severity: 'high',
    source: 'CDC/ACIP: no rotavirus dose after 8 months of age; CVX 119 is on Synthea claims',
  },
  {
    system: CVX,
    code: '08',
    display: 'Hepatitis B vaccine, paediatric/adolescent',
    maxAge: 20,
    severity: 'medium',
    source: 'CVX 08 paediatric formulation (through 19 years); on Synthea claims',
  },
  {
    system: CVX,
    code: '83',
    display: 'Hepatitis A vaccine, paediatric/adolescent',
    maxAge: 19,
    severity: 'medium',
    source: 'CVX 83 paediatric formulation (through 18 years); on Synthea claims',
  },
  // Adult and geriatric services.
  {
    system: CVX,
    code: '121',
    display: 'Zoster vaccine, live',
    minAge: 50,
    severity: 'medium',
    source: 'Zostavax licensed from age 50 (FDA); CVX 121 is on Synthea claims',
  },
  {
    system: CVX,
    code: '52',
    display: 'Hepatitis A vaccine, adult',
    minAge: 18,
    severity: 'medium',
    source: 'CVX 52 adult formulation (19 years and older); on Synthea claims',
  },
  {
    system: CVX,
    code: '113',
    display: 'Td vaccine (adult)',
    minAge: 7,
    severity: 'medium',
    source: 'CDC/ACIP: Td from 7 years; CVX 113 is on Synthea claims',
  },
  {
    system: SNOMED,
    code: '312681000',
    display: 'Bone density scan',
    minAge: 18,
    severity: 'medium',
    source: 'Osteoporosis screening of adults (USPSTF); SNOMED CT 312681000 is on Synthea claims',
  },
  ...PREVENTIVE_BANDS.flatMap(([fresh, established, band, minAge, maxAge]) =>
    [fresh, established].map((code) => ({
      system: CPT,
      code,
      display: `Preventive medicine visit, ${band}`,
      minAge,
      maxAge,
      severity: 'medium' as const,
      source: CPT_PREVENTIVE,
    })),
  ),
];

/** A lab panel: billing all its required components apart, or the panel together with any component, is unbundling. */
export interface LabPanel {
  readonly system: string;
  /** Codes of the panel itself (any of them). */
  readonly codes: readonly string[];
  readonly display: string;
  /** Components that make up the panel: all of them billed apart on one day is the panel, unbundled. */
  readonly required: readonly string[];
  /** Further components that may belong to it (billed with the panel, they are billed twice). */
  readonly optional: readonly string[];
  readonly source: string;
}

const SYNTHEA_REPORTS = 'panel and components as Synthea reports them (DiagnosticReport.result) in the shared sample';
const CPT_PANELS =
  'CPT Organ or Disease-Oriented Panels; CMS NCCI Policy Manual ch. X (a panel must be billed when all its tests are performed)';

const BMP_LOINC = ['2339-0', '6299-2', '38483-4', '49765-1', '2947-0', '6298-4', '2069-3', '20565-8'];
const BMP_CPT = ['82310', '82374', '82435', '82565', '82947', '84132', '84295', '84520'];

export const LAB_PANELS: readonly LabPanel[] = [
  {
    system: LOINC,
    codes: ['57698-3', '24331-1'],
    display: 'Lipid panel',
    required: ['2093-3', '2085-9', '2571-8'],
    optional: ['18262-6', '13457-7'],
    source: SYNTHEA_REPORTS,
  },
  {
    system: LOINC,
    codes: ['51990-0', '24321-2'],
    display: 'Basic metabolic panel',
    required: BMP_LOINC,
    optional: ['33914-3'],
    source: SYNTHEA_REPORTS,
  },
  {
    system: LOINC,
    codes: ['24323-8'],
    display: 'Comprehensive metabolic panel',
    required: [...BMP_LOINC, '2885-2', '1751-7', '1975-2', '6768-6', '1742-6', '1920-8'],
    optional: ['33914-3', '10834-0'],
    source: SYNTHEA_REPORTS,
  },
  {
    system: LOINC,
    codes: ['58410-2'],
    display: 'Complete blood count',
    required: ['6690-2', '789-8', '718-7', '4544-3', '777-3'],
    optional: ['787-2', '785-6', '786-4', '21000-5', '32207-3', '32623-1'],
    source: SYNTHEA_REPORTS,
  },
  {
    system: CPT,
    codes: ['80061'],
    display: 'Lipid panel',
    required: ['82465', '83718', '84478'],
    optional: ['83721'],
    source: CPT_PANELS,
  },
  {
    system: CPT,
    codes: ['80048'],
    display: 'Basic metabolic panel',
    required: BMP_CPT,
    optional: [],
    source: CPT_PANELS,
  },
  {
    system: CPT,
    codes: ['80053'],
    display: 'Comprehensive metabolic panel',
    required: [...BMP_CPT, '82040', '82247', '84075', '84155', '84450', '84460'],
    optional: [],
    source: CPT_PANELS,
  },
  {
    system: CPT,
    codes: ['85025', '85027'],
    display: 'Complete blood count',
    required: ['85014', '85018', '85041', '85048', '85049'],
    optional: [],
    source:
      'CPT 85025/85027 (automated CBC) include haematocrit, haemoglobin, RBC, WBC and platelet counts; CMS NCCI Policy Manual ch. X',
  },
];
