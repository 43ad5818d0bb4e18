import type { Bundle, Observation, Patient, Resource } from '@medplum/fhirtypes';

/**
 * A small Synthea-shaped transaction bundle built in code (tests never read ../shared): a patient, a
 * blood-pressure panel, cholesterol, a condition and a medication, linked by `urn:uuid` references.
 * `marker` is written into free-text fields so tests can prove it never reaches the chain.
 */
export function sampleBundle(marker: string): Bundle {
  const patient = 'urn:uuid:7f0c7a52-7c6e-4d8f-9d1a-1f7e8b9c0d11';
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: patient,
        resource: {
          resourceType: 'Patient',
          name: [{ family: `Doe-${marker}`, given: ['Jane'] }],
          gender: 'female',
          birthDate: '1969-04-02',
        },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: 'urn:uuid:0b6f3c1e-2a4d-4e5f-8a9b-0c1d2e3f4a51',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          category: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
          ],
          code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
          subject: { reference: patient },
          effectiveDateTime: '2026-10-01T09:30:00Z',
          note: [{ text: `measured at home ${marker}` }],
          component: [
            {
              code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
              valueQuantity: { value: 142, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
            },
            {
              code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
              valueQuantity: { value: 88, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
            },
          ],
        },
        request: { method: 'POST', url: 'Observation' },
      },
      {
        fullUrl: 'urn:uuid:5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c19',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '2093-3', display: 'Cholesterol [Mass/volume]' }] },
          subject: { reference: patient },
          effectiveDateTime: '2026-09-12T08:00:00Z',
          valueQuantity: { value: 213, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
        },
        request: { method: 'POST', url: 'Observation' },
      },
      {
        fullUrl: 'urn:uuid:9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c63',
        resource: {
          resourceType: 'Condition',
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
          },
          code: {
            coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }],
            text: marker,
          },
          subject: { reference: patient },
          onsetDateTime: '2020-03-01',
        },
        request: { method: 'POST', url: 'Condition' },
      },
      {
        fullUrl: 'urn:uuid:3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a97',
        resource: {
          resourceType: 'MedicationRequest',
          status: 'active',
          intent: 'order',
          medicationCodeableConcept: {
            coding: [
              { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076', display: 'lisinopril 10 MG' },
            ],
          },
          subject: { reference: patient },
          authoredOn: '2020-03-01',
        },
        request: { method: 'POST', url: 'MedicationRequest' },
      },
    ],
  };
}

/** Who a fixture bundle is about. */
export interface FixturePerson {
  readonly given: string;
  readonly family: string;
  readonly birthDate: string;
  readonly gender: Patient['gender'];
  /** Identifiers as Synthea writes them (system + value). */
  readonly identifier?: Patient['identifier'];
}

/** Someone else than {@link sampleBundle}'s Jane Doe: the person whose bundle issue 15 imported by mistake. */
export const PATRIA: FixturePerson = {
  given: 'Patria',
  family: 'Schimmel',
  birthDate: '1974-05-21',
  gender: 'female',
  identifier: [{ system: 'https://github.com/synthetichealth/synthea', value: 'd2f8f862-3856-490d-b56f-98e0ed984b1e' }],
};

/**
 * {@link sampleBundle} about another person, with that person's Patient (name, birth date, identifiers)
 * and, like Synthea, a diabetes Condition, so a test can tell whose data a risk score used.
 */
export function personBundle(person: FixturePerson, marker = 'fixture'): Bundle {
  // Their own urn:uuids, as two exports never share them: the first 8 hex digits come from the name.
  let hash = 0;
  for (const char of `${person.given} ${person.family}`) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const prefix = hash.toString(16).padStart(8, '0');
  const bundle = JSON.parse(
    JSON.stringify(sampleBundle(marker)).replace(/urn:uuid:[0-9a-f]{8}/g, `urn:uuid:${prefix}`),
  ) as Bundle;
  const patient = bundle.entry![0]!.resource as Patient;
  patient.name = [{ use: 'official', family: person.family, given: [person.given], prefix: ['Mrs.'] }];
  patient.birthDate = person.birthDate;
  patient.gender = person.gender;
  if (person.identifier) patient.identifier = person.identifier;
  bundle.entry!.push({
    fullUrl: 'urn:uuid:6d5c4b3a-2918-4e7d-8c6b-5a4938271605',
    resource: {
      resourceType: 'Condition',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes' }] },
      subject: { reference: bundle.entry![0]!.fullUrl! },
      onsetDateTime: '2015-06-01',
    },
    request: { method: 'POST', url: 'Condition' },
  });
  return bundle;
}

/** Gives every resource of a bundle the id its `urn:uuid` fullUrl carries, as Synthea does. */
export function withIds(bundle: Bundle): Bundle {
  return {
    ...bundle,
    entry: bundle.entry!.map((entry) => ({
      ...entry,
      resource: { ...entry.resource!, id: entry.fullUrl!.replace('urn:uuid:', '') },
    })),
  };
}

/**
 * {@link sampleBundle} with `count` more heart-rate Observations (ids `hr-1` …), for imports that need
 * more than one transaction (the contract anchors at most 100 records per transaction).
 */
export function largeBundle(count: number, marker = 'fixture'): Bundle {
  const bundle = withIds(sampleBundle(marker));
  const subject = { reference: bundle.entry![0]!.fullUrl! };
  for (let index = 1; index <= count; index++) {
    const observation: Observation = {
      resourceType: 'Observation',
      id: `hr-${index}`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      subject,
      effectiveDateTime: new Date(Date.UTC(2026, 0, 1) + index * 3_600_000).toISOString(),
      valueQuantity: { value: 60 + (index % 40), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    };
    bundle.entry!.push({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      resource: observation,
    });
  }
  return bundle;
}

/** The decimals {@link decimalBundleText} writes, each in a form JavaScript would print differently. */
export const DECIMAL_TOKENS = ['0.0', '29.0', '-0.50', '1.00e3', '1.50E+2', '12345678901234567890.123'] as const;

/**
 * A Synthea-like transaction as JSON text, with decimals as Synthea writes them (the Patient's DALY
 * `0.0` and QALY `29.0` extensions, an ExplanationOfBenefit paying `0.0` of `29.0`) and the other forms
 * FHIR JSON allows (`-0.50`, `1.00e3`, `1.50E+2`, `12345678901234567890.123`). Text, because a parsed
 * object has already lost them.
 */
export function decimalBundleText(marker = 'fixture'): string {
  const uuid = (n: number) => `9d1f0c2e-5b7a-4c3d-8e9f-${String(n).padStart(12, '0')}`;
  const decimal = (token: (typeof DECIMAL_TOKENS)[number]) => `#decimal:${token}` as unknown as number;
  const patient = { reference: `urn:uuid:${uuid(1)}` };
  const usd = (token: (typeof DECIMAL_TOKENS)[number]) => ({ value: decimal(token), currency: 'USD' as const });
  const quantity = (token: (typeof DECIMAL_TOKENS)[number]) => ({
    value: decimal(token),
    unit: 'kg/m2',
    system: 'http://unitsofmeasure.org',
    code: 'kg/m2',
  });
  const resources: Resource[] = [
    {
      resourceType: 'Patient',
      id: uuid(1),
      extension: [
        {
          url: 'http://synthetichealth.github.io/synthea/disability-adjusted-life-years',
          valueDecimal: decimal('0.0'),
        },
        { url: 'http://synthetichealth.github.io/synthea/quality-adjusted-life-years', valueDecimal: decimal('29.0') },
      ],
      name: [{ use: 'official', family: `Decimal-${marker}`, given: ['Dora'] }],
      gender: 'female',
      birthDate: '1992-03-14',
    },
    {
      resourceType: 'Observation',
      id: uuid(2),
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '39156-5', display: 'Body Mass Index' }] },
      subject: patient,
      effectiveDateTime: '2021-03-02T10:00:00+00:00',
      valueQuantity: quantity('29.0'),
      component: [
        { code: { text: 'change' }, valueQuantity: quantity('-0.50') },
        { code: { text: 'scaled' }, valueQuantity: quantity('1.00e3') },
        { code: { text: 'upper' }, valueQuantity: quantity('1.50E+2') },
        { code: { text: 'precise' }, valueQuantity: quantity('12345678901234567890.123') },
      ],
    },
    {
      resourceType: 'ExplanationOfBenefit',
      id: uuid(3),
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient,
      created: '2021-03-02T10:30:00+00:00',
      insurer: { display: 'Medicaid' },
      provider: { display: 'Dr. Example' },
      outcome: 'complete',
      insurance: [{ focal: true, coverage: { display: 'Medicaid' } }],
      total: [
        {
          category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }] },
          amount: usd('29.0'),
        },
      ],
      payment: { amount: usd('0.0') },
    },
  ];
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      fullUrl: `urn:uuid:${resource.id}`,
      resource,
      request: { method: 'POST', url: resource.resourceType },
    })),
  };
  return JSON.stringify(bundle, null, 2).replace(/"#decimal:([^"]+)"/g, '$1');
}
