import type { Bundle } from '@medplum/fhirtypes';

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
          code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }], text: marker },
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
            coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076', display: 'lisinopril 10 MG' }],
          },
          subject: { reference: patient },
          authoredOn: '2020-03-01',
        },
        request: { method: 'POST', url: 'MedicationRequest' },
      },
    ],
  };
}
