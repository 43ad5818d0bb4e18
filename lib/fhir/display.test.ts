import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Resource } from '@medplum/fhirtypes';

import {
  clinicalDate,
  clinicalSummary,
  codingText,
  compareClinical,
  conceptText,
  formatNumber,
  periodText,
  quantityText,
  resourceTitle,
} from './display';

const loinc = (code: string, display?: string) => ({ coding: [{ system: 'http://loinc.org', code, display }] });
const snomed = (code: string, display: string) => ({
  coding: [{ system: 'http://snomed.info/sct', code, display }],
  text: display,
});

/** A resource from plain JSON, as records arrive after decryption. */
const resource = (json: Record<string, unknown>) => json as unknown as Resource;

describe('codingText', () => {
  it('prefers the display, then a known LOINC label, then system and code', () => {
    assert.equal(codingText({ system: 'http://loinc.org', code: '8480-6', display: 'Systolic' }), 'Systolic');
    assert.equal(codingText({ system: 'http://loinc.org', code: '8480-6' }), 'Systolic blood pressure');
    assert.equal(codingText({ system: 'http://snomed.info/sct', code: '44054006' }), 'SNOMED CT 44054006');
    assert.equal(codingText({}), 'uncoded');
  });

  it('names billing code systems by their short name, not their URL', () => {
    assert.equal(codingText({ system: 'http://www.ama-assn.org/go/cpt', code: '80061' }), 'CPT 80061');
    assert.equal(codingText({ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E78.5' }), 'ICD-10-CM E78.5');
    assert.equal(
      codingText({ system: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', code: 'G0438' }),
      'HCPCS G0438',
    );
  });
});

describe('conceptText', () => {
  it('uses text, else the first coding, else the fallback', () => {
    assert.equal(conceptText({ text: 'Lipid panel', coding: [{ display: 'other' }] }), 'Lipid panel');
    assert.equal(conceptText(loinc('4548-4', 'Hemoglobin A1c')), 'Hemoglobin A1c');
    assert.equal(conceptText(undefined, 'none'), 'none');
  });
});

describe('quantityText', () => {
  it('prints UCUM units the way a lab report does and rounds Synthea’s long decimals', () => {
    assert.equal(quantityText({ value: 132.04525134910241, unit: 'mm[Hg]' }), '132 mmHg');
    assert.equal(quantityText({ value: 5.2, unit: '%' }), '5.2%');
    assert.equal(quantityText({ value: 27.33, code: 'kg/m2' }), '27.3 kg/m²');
    assert.equal(quantityText({ value: 2.301, unit: '{score}' }), '2.3');
    assert.equal(quantityText({ value: 5, comparator: '<', unit: 'mg/L' }), '<5 mg/L');
    assert.equal(quantityText(undefined), '—');
  });

  it('prints whole numbers from 1000, one decimal from 10, two from 1, three significant digits below', () => {
    assert.equal(formatNumber(71.44036770433708), '71.4');
    assert.equal(formatNumber(7.564), '7.56');
    assert.equal(formatNumber(0.9566), '0.957');
    assert.equal(formatNumber(0.012345), '0.0123');
    assert.equal(formatNumber(1234.56), '1235');
    assert.equal(formatNumber(80), '80');
  });
});

describe('clinicalDate', () => {
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ['Observation effectiveDateTime', { resourceType: 'Observation', effectiveDateTime: '2020-01-02' }, '2020-01-02'],
    [
      'Observation effectivePeriod',
      { resourceType: 'Observation', effectivePeriod: { start: '2020-01-03' } },
      '2020-01-03',
    ],
    [
      'Observation issued only',
      { resourceType: 'Observation', issued: '2020-01-04T10:00:00Z' },
      '2020-01-04T10:00:00Z',
    ],
    [
      'DiagnosticReport effective before issued',
      { resourceType: 'DiagnosticReport', effectiveDateTime: '2020-01-05', issued: '2020-01-06' },
      '2020-01-05',
    ],
    [
      'Condition onsetDateTime',
      { resourceType: 'Condition', onsetDateTime: '2019-05-01', recordedDate: '2019-06-01' },
      '2019-05-01',
    ],
    ['Condition recordedDate', { resourceType: 'Condition', recordedDate: '2019-06-01' }, '2019-06-01'],
    [
      'AllergyIntolerance recordedDate',
      { resourceType: 'AllergyIntolerance', recordedDate: '1975-03-29' },
      '1975-03-29',
    ],
    [
      'Procedure performedPeriod',
      { resourceType: 'Procedure', performedPeriod: { start: '2012-12-11' } },
      '2012-12-11',
    ],
    ['Procedure performedDateTime', { resourceType: 'Procedure', performedDateTime: '2012-12-12' }, '2012-12-12'],
    [
      'Encounter period',
      { resourceType: 'Encounter', period: { start: '2013-11-26', end: '2013-11-27' } },
      '2013-11-26',
    ],
    ['MedicationRequest authoredOn', { resourceType: 'MedicationRequest', authoredOn: '1995-09-26' }, '1995-09-26'],
    [
      'MedicationStatement dateAsserted',
      { resourceType: 'MedicationStatement', dateAsserted: '2001-01-01' },
      '2001-01-01',
    ],
    [
      'MedicationAdministration effectivePeriod',
      { resourceType: 'MedicationAdministration', effectivePeriod: { start: '2002-02-02' } },
      '2002-02-02',
    ],
    [
      'Immunization occurrenceDateTime',
      { resourceType: 'Immunization', occurrenceDateTime: '2011-12-06' },
      '2011-12-06',
    ],
    ['Immunization recorded', { resourceType: 'Immunization', recorded: '2011-12-07' }, '2011-12-07'],
    [
      'ImagingStudy started',
      { resourceType: 'ImagingStudy', started: '2017-06-19T03:39:08+00:00' },
      '2017-06-19T03:39:08+00:00',
    ],
    [
      'Claim billablePeriod',
      { resourceType: 'Claim', billablePeriod: { start: '1986-08-19' }, created: '1986-08-20' },
      '1986-08-19',
    ],
    ['ExplanationOfBenefit created', { resourceType: 'ExplanationOfBenefit', created: '1986-08-21' }, '1986-08-21'],
    ['Coverage period', { resourceType: 'Coverage', period: { start: '2000-01-01' } }, '2000-01-01'],
    ['CarePlan period', { resourceType: 'CarePlan', period: { start: '1995-09-26' } }, '1995-09-26'],
    ['CareTeam period', { resourceType: 'CareTeam', period: { start: '1995-09-27' } }, '1995-09-27'],
    ['Goal startDate', { resourceType: 'Goal', startDate: '2010-01-01' }, '2010-01-01'],
    ['DocumentReference date', { resourceType: 'DocumentReference', date: '2010-02-02' }, '2010-02-02'],
    [
      'DocumentReference context period',
      { resourceType: 'DocumentReference', context: { period: { start: '2010-02-03' } } },
      '2010-02-03',
    ],
    ['Provenance recorded', { resourceType: 'Provenance', recorded: '2021-01-01' }, '2021-01-01'],
    ['SupplyDelivery occurrence', { resourceType: 'SupplyDelivery', occurrenceDateTime: '2020-03-03' }, '2020-03-03'],
    ['Organization has none', { resourceType: 'Organization', name: 'Clinic' }, undefined],
    ['Practitioner has none', { resourceType: 'Practitioner' }, undefined],
    [
      'Patient has none (a birth date is not an event)',
      { resourceType: 'Patient', birthDate: '1970-01-01' },
      undefined,
    ],
    ['Medication has none', { resourceType: 'Medication' }, undefined],
    [
      'an unknown type falls back to common fields',
      { resourceType: 'Flag', period: { start: '2020-04-04' } },
      '2020-04-04',
    ],
  ];
  for (const [name, json, expected] of cases) {
    it(name, () => assert.equal(clinicalDate(resource(json)), expected));
  }

  it('ignores empty strings', () => {
    assert.equal(
      clinicalDate(resource({ resourceType: 'Observation', effectiveDateTime: '', issued: '2020-01-01' })),
      '2020-01-01',
    );
  });
});

describe('compareClinical', () => {
  it('orders newest first, undated last, and keeps the given order for ties', () => {
    const old = resource({ resourceType: 'Observation', id: 'old', effectiveDateTime: '2010-01-01' });
    const recent = resource({ resourceType: 'Encounter', id: 'recent', period: { start: '2020-01-01T10:00:00Z' } });
    const sameA = resource({ resourceType: 'Observation', id: 'sameA', effectiveDateTime: '2015-05-05' });
    const sameB = resource({ resourceType: 'Procedure', id: 'sameB', performedDateTime: '2015-05-05' });
    const undatedA = resource({ resourceType: 'Organization', id: 'undatedA' });
    const undatedB = resource({ resourceType: 'Practitioner', id: 'undatedB' });
    const sorted = [undatedA, old, sameA, undatedB, recent, sameB].sort(compareClinical);
    assert.deepEqual(
      sorted.map((r) => r.id),
      ['recent', 'sameA', 'sameB', 'old', 'undatedA', 'undatedB'],
    );
  });

  it('compares instants with different offsets by the moment they name', () => {
    const later = resource({
      resourceType: 'Observation',
      id: 'later',
      effectiveDateTime: '2020-01-01T10:00:00-05:00',
    });
    const earlier = resource({
      resourceType: 'Observation',
      id: 'earlier',
      effectiveDateTime: '2020-01-01T12:00:00+00:00',
    });
    assert.ok(compareClinical(later, earlier) < 0);
  });
});

describe('resourceTitle', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ resourceType: 'Observation', code: loinc('4548-4', 'Hemoglobin A1c') }, 'Hemoglobin A1c'],
    [{ resourceType: 'Encounter', type: [snomed('162673000', 'General examination')] }, 'Visit: General examination'],
    [{ resourceType: 'Encounter', class: { code: 'AMB' } }, 'Visit: AMB'],
    [{ resourceType: 'AllergyIntolerance', code: snomed('419474003', 'mould') }, 'Allergy: mould'],
    [
      { resourceType: 'Claim', item: [{ productOrService: snomed('185349003', "Encounter for 'check-up'") }] },
      "Claim: Encounter for 'check-up'",
    ],
    [{ resourceType: 'Goal', description: { text: 'HbA1c < 7.0' } }, 'Goal: HbA1c < 7.0'],
    [
      { resourceType: 'CarePlan', category: [snomed('736285004', 'Hyperlipidemia clinical management plan')] },
      'Care plan: Hyperlipidemia clinical management plan',
    ],
    [
      {
        resourceType: 'ImagingStudy',
        series: [{ modality: { display: 'Digital Radiography' }, bodySite: { display: 'Wrist' } }],
      },
      'Digital Radiography of wrist',
    ],
    [
      { resourceType: 'Practitioner', name: [{ family: 'Corkery', given: ['Aubrey'], prefix: ['Dr.'] }] },
      'Dr. Aubrey Corkery',
    ],
    [{ resourceType: 'Organization', name: 'Shriners’ Hospital' }, 'Shriners’ Hospital'],
    [{ resourceType: 'Coverage', payor: [{ display: 'Anthem' }] }, 'Insurance: Anthem'],
    [
      { resourceType: 'MedicationAdministration', medicationCodeableConcept: { text: 'Aspirin 81 MG' } },
      'Aspirin 81 MG',
    ],
    [{ resourceType: 'Device', type: { text: 'Glucometer' } }, 'Glucometer'],
    [
      { resourceType: 'SupplyDelivery', suppliedItem: { itemCodeableConcept: { text: 'Test strips' } } },
      'Supplies: Test strips',
    ],
  ];
  for (const [json, expected] of cases) {
    it(`${json.resourceType} → ${expected}`, () => assert.equal(resourceTitle(resource(json)), expected));
  }
});

describe('clinicalSummary', () => {
  it('says a lab value with its unit', () => {
    const a1c = {
      resourceType: 'Observation',
      code: loinc('4548-4', 'Hemoglobin A1c'),
      valueQuantity: { value: 5.2, unit: '%' },
    };
    assert.equal(clinicalSummary(resource(a1c)), 'Hemoglobin A1c 5.2%');
  });

  it('says blood pressure as systolic/diastolic from its components', () => {
    const bp = {
      resourceType: 'Observation',
      code: loinc('55284-4', 'Blood Pressure'),
      component: [
        { code: loinc('8462-4'), valueQuantity: { value: 71.44036770433708, unit: 'mm[Hg]' } },
        { code: loinc('8480-6'), valueQuantity: { value: 132.04525134910241, unit: 'mm[Hg]' } },
      ],
    };
    assert.equal(clinicalSummary(resource(bp)), 'Blood Pressure 132/71 mmHg');
  });

  it('says a coded value after a colon', () => {
    const smoking = {
      resourceType: 'Observation',
      code: loinc('72166-2', 'Tobacco smoking status NHIS'),
      valueCodeableConcept: snomed('266919005', 'Never smoker'),
    };
    assert.equal(clinicalSummary(resource(smoking)), 'Tobacco smoking status NHIS: Never smoker');
  });

  it('says a condition with its clinical status, and resolved once abated', () => {
    const diabetes = {
      resourceType: 'Condition',
      code: snomed('44054006', 'Diabetes mellitus type 2'),
      clinicalStatus: { coding: [{ code: 'active' }] },
    };
    assert.equal(clinicalSummary(resource(diabetes)), 'Diabetes mellitus type 2 (active)');
    assert.equal(
      clinicalSummary(resource({ ...diabetes, abatementDateTime: '2020-01-01' })),
      'Diabetes mellitus type 2 (resolved)',
    );
  });

  it('says a visit by its type', () => {
    const visit = { resourceType: 'Encounter', status: 'finished', type: [snomed('162673000', 'General examination')] };
    assert.equal(clinicalSummary(resource(visit)), 'Visit: General examination');
  });

  it('says a prescription with its status unless completed', () => {
    const statin = {
      resourceType: 'MedicationRequest',
      status: 'stopped',
      medicationCodeableConcept: { text: 'Simvistatin 10 MG' },
    };
    assert.equal(clinicalSummary(resource(statin)), 'Simvistatin 10 MG (stopped)');
    const flu = { resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'Influenza' } };
    assert.equal(clinicalSummary(resource(flu)), 'Influenza');
  });

  it('says a report by its results count or conclusion', () => {
    const panel = { resourceType: 'DiagnosticReport', code: loinc('57698-3', 'Lipid Panel'), result: [{}, {}, {}, {}] };
    assert.equal(clinicalSummary(resource(panel)), 'Lipid Panel: 4 results');
    assert.equal(clinicalSummary(resource({ ...panel, conclusion: 'Normal' })), 'Lipid Panel: Normal');
  });

  it('says a claim with its total and an insurance statement with what was billed and paid', () => {
    const claim = {
      resourceType: 'Claim',
      item: [{ productOrService: { text: 'Encounter for problem' } }],
      total: { value: 125, currency: 'USD' },
    };
    assert.match(clinicalSummary(resource(claim)), /^Claim: Encounter for problem, .*125\.00$/);
    const eob = {
      resourceType: 'ExplanationOfBenefit',
      item: [{ productOrService: { text: 'Encounter for problem' } }],
      total: [
        {
          category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }] },
          amount: { value: 125, currency: 'USD' },
        },
      ],
      payment: { amount: { value: 100, currency: 'USD' } },
    };
    assert.match(
      clinicalSummary(resource(eob)),
      /^Insurance statement: Encounter for problem, .*125\.00 billed, insurer paid .*100\.00$/,
    );
  });

  it('says a goal with its achievement status', () => {
    const goal = {
      resourceType: 'Goal',
      lifecycleStatus: 'accepted',
      achievementStatus: { coding: [{ code: 'in-progress' }] },
      description: { text: 'HbA1c < 7.0' },
    };
    assert.equal(clinicalSummary(resource(goal)), 'Goal: HbA1c < 7.0 (in progress)');
  });

  it('falls back to the title for directory resources', () => {
    assert.equal(clinicalSummary(resource({ resourceType: 'Location', name: 'PCP20371' })), 'PCP20371');
  });
});

describe('periodText', () => {
  it('shows a period that starts and ends on the same date as that date, not a range', () => {
    assert.equal(
      periodText({ start: '2026-11-14', end: '2026-11-14' }),
      periodText({ start: '2026-11-14' })!.replace('since ', ''),
    );
    assert.doesNotMatch(periodText({ start: '2026-11-14', end: '2026-11-14' })!, /–/);
  });

  it('keeps a range, and a same-day range of times, as a range', () => {
    assert.match(periodText({ start: '2026-11-14', end: '2026-11-20' })!, /–/);
    assert.match(periodText({ start: '2026-11-14T09:00:00Z', end: '2026-11-14T10:30:00Z' })!, /–/);
  });
});
