import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bundle, Condition, MedicationRequest, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { ValidationError } from '../errors';
import { completedYears, extractFeatures } from './features';
import { convert } from './units';

const LOINC = 'http://loinc.org';
const patient: Patient = { resourceType: 'Patient', id: 'p1', gender: 'male', birthDate: '1966-06-15' };

function quantity(id: string, code: string, value: number, unit: string, date: string): Observation {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: LOINC, code }] }, effectiveDateTime: date, valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit } };
}

function bpPanel(id: string, panel: string, systolic: number, date: string): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: panel }] },
    effectiveDateTime: date,
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: systolic, unit: 'mm[Hg]', code: 'mm[Hg]' } },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mm[Hg]', code: 'mm[Hg]' } },
    ],
  };
}

function smoking(id: string, snomed: string, date: string): Observation {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: LOINC, code: '72166-2' }] }, effectiveDateTime: date, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: snomed }] } };
}

function diabetes(id: string, clinical: string, onset: string, abatement?: string): Condition {
  return {
    resourceType: 'Condition',
    id,
    clinicalStatus: { coding: [{ code: clinical }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] },
    subject: { reference: 'Patient/p1' },
    onsetDateTime: onset,
    abatementDateTime: abatement,
  };
}

function medication(id: string, display: string, status: MedicationRequest['status'], authoredOn: string): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status,
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    authoredOn,
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '0', display }] },
  };
}

const bundle = (resources: Resource[]): Bundle => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });

describe('extractFeatures', () => {
  it('reads systolic BP from the component of either BP panel code, latest on or before the date', () => {
    const { features } = extractFeatures(
      bundle([patient, bpPanel('a', '55284-4', 150, '2020-01-10'), bpPanel('b', '85354-9', 132, '2021-02-01'), bpPanel('c', '55284-4', 170, '2022-01-01')]),
      { at: '2021-06-01' },
    );
    assert.deepEqual(features.get('sbp'), { name: 'sbp', value: 132, unit: 'mm[Hg]', date: '2021-02-01', source: 'Observation/b' });
    assert.equal(features.get('dbp')?.value, 80);
  });

  it('converts cholesterol and glucose from mmol/L to mg/dL', () => {
    const { features } = extractFeatures(
      bundle([patient, quantity('tc', '2093-3', 5.5, 'mmol/L', '2021-01-01'), quantity('hdl', '2085-9', 1.3, 'mmol/l', '2021-01-01'), quantity('g', '1558-6', 7, 'mmol/L', '2021-01-01')]),
      { at: '2021-06-01' },
    );
    assert.ok(Math.abs(features.get('total_cholesterol')!.value - 5.5 * 38.67) < 1e-9);
    assert.ok(Math.abs(features.get('hdl')!.value - 1.3 * 38.67) < 1e-9);
    assert.ok(Math.abs(features.get('fasting_glucose')!.value - 7 * 18.016) < 1e-9);
  });

  it('leaves out values recorded after the assessment date and values in unknown units', () => {
    const { features, notes } = extractFeatures(
      bundle([patient, quantity('late', '2093-3', 200, 'mg/dL', '2021-07-01'), quantity('hdl', '2085-9', 50, 'g/L', '2021-01-01')]),
      { at: '2021-06-01' },
    );
    assert.equal(features.has('total_cholesterol'), false);
    assert.equal(features.has('hdl'), false);
    assert.match(notes.join('\n'), /hdl in unit "g\/L" cannot be converted/);
  });

  it('leaves out impossible values (lib/ai/bounds hard limits) and uses the latest possible one instead', () => {
    const { features, notes } = extractFeatures(
      bundle([patient, quantity('typo', '2093-3', 21300, 'mg/dL', '2021-05-01'), quantity('real', '2093-3', 213, 'mg/dL', '2021-01-01'), quantity('rare', '2085-9', 190, 'mg/dL', '2021-01-01')]),
      { at: '2021-06-01' },
    );
    assert.equal(features.get('total_cholesterol')?.source, 'Observation/real');
    assert.match(notes.join('\n'), /Observation\/typo: total_cholesterol 21300 mg\/dL is not a possible value/);
    assert.equal(features.get('hdl')?.value, 190, 'an unusual but possible value is used (the models judge their own ranges)');
  });

  it('uses the latest smoking status and ignores answers that do not say whether the patient smokes now', () => {
    const at = { at: '2021-06-01' };
    assert.equal(extractFeatures(bundle([patient, smoking('s1', '449868002', '2019-01-01'), smoking('s2', '8517006', '2021-01-01')]), at).features.get('smoker')?.value, 0);
    assert.equal(extractFeatures(bundle([patient, smoking('s1', '8517006', '2019-01-01'), smoking('s2', '449868002', '2021-01-01')]), at).features.get('smoker')?.value, 1);
    assert.equal(extractFeatures(bundle([patient, smoking('s1', '266927001', '2021-01-01')]), at).features.has('smoker'), false);
  });

  it('counts diabetes only while the Condition is active at the assessment date', () => {
    const resolved = extractFeatures(bundle([patient, diabetes('d', 'resolved', '2010-01-01', '2015-01-01')]), { at: '2021-06-01' });
    assert.equal(resolved.features.get('diabetes')?.value, 0);
    const activeThen = extractFeatures(bundle([patient, diabetes('d', 'resolved', '2010-01-01', '2015-01-01')]), { at: '2012-06-01' });
    assert.equal(activeThen.features.get('diabetes')?.value, 1);
    const inactive = extractFeatures(bundle([patient, diabetes('d', 'inactive', '2010-01-01')]), { at: '2021-06-01' });
    assert.equal(inactive.features.get('diabetes')?.value, 0);
    const active = extractFeatures(bundle([patient, diabetes('d', 'active', '2010-01-01')]), { at: '2021-06-01' });
    assert.deepEqual(active.features.get('diabetes'), { name: 'diabetes', value: 1, unit: '1', date: '2010-01-01', source: 'Condition/d' });
  });

  it('detects antihypertensive treatment from active requests by ingredient, not from stopped ones', () => {
    const treated = extractFeatures(bundle([patient, medication('m', 'amLODIPine 5 MG Oral Tablet', 'active', '2020-01-01')]), { at: '2021-06-01' });
    assert.equal(treated.features.get('bp_treated')?.value, 1);
    const stopped = extractFeatures(bundle([patient, medication('m', 'Lisinopril 10 MG Oral Tablet', 'stopped', '2020-01-01')]), { at: '2021-06-01' });
    assert.equal(stopped.features.get('bp_treated')?.value, 0);
    const other = extractFeatures(bundle([patient, medication('m', 'Simvastatin 10 MG Oral Tablet', 'active', '2020-01-01')]), { at: '2021-06-01' });
    assert.equal(other.features.get('bp_treated')?.value, 0);
  });

  it('computes age in completed years and reads sex from Patient.gender', () => {
    assert.equal(completedYears('1966-06-15', new Date('2021-06-14T12:00:00Z')), 54);
    assert.equal(completedYears('1966-06-15', new Date('2021-06-15T12:00:00Z')), 55);
    const { features } = extractFeatures(bundle([patient]), { at: '2021-06-15' });
    assert.equal(features.get('age')?.value, 55);
    assert.equal(features.get('sex_male')?.value, 1);
    assert.equal(extractFeatures(bundle([{ ...patient, gender: 'unknown' }]), { at: '2021-06-15' }).features.has('sex_male'), false);
  });

  it("uses only resources about the patient: another person's Patient, diabetes and medications are left out", () => {
    const other: Patient = { resourceType: 'Patient', id: 'p2', name: [{ given: ['Patria'], family: 'Schimmel' }], gender: 'female', birthDate: '1974-05-21' };
    const theirs = [other, { ...diabetes('d2', 'active', '2015-06-01'), subject: { reference: 'Patient/p2' } }, { ...medication('m2', 'Lisinopril 10 MG Oral Tablet', 'active', '2020-01-01'), subject: { reference: 'Patient/p2' } }];
    const mine: Patient = { ...patient, name: [{ text: 'Max Mustermann' }] };
    for (const extraction of [
      extractFeatures(bundle([mine, ...theirs]), { at: '2021-06-15' }),
      extractFeatures(bundle([...theirs, mine]), { at: '2021-06-15', owner: { resourceType: 'Patient', name: [{ text: 'Max Mustermann' }] } }),
    ]) {
      assert.equal(extraction.features.get('age')?.value, 55);
      assert.equal(extraction.features.get('sex_male')?.value, 1);
      assert.equal(extraction.features.get('diabetes')?.value, 0);
      assert.equal(extraction.features.get('bp_treated')?.value, 0);
      assert.ok(extraction.notes.includes('3 resources about another person than the patient are not used'));
    }
  });

  it('rejects a malformed assessment date', () => {
    assert.throws(() => extractFeatures(bundle([patient]), { at: '01/06/2021' }), ValidationError);
  });
});

describe('convert', () => {
  it('converts HbA1c between NGSP % and IFCC mmol/mol and refuses molar units for unknown analytes', () => {
    assert.ok(Math.abs(convert(48, 'mmol/mol', '%', 'hba1c')! - 6.543) < 0.01);
    assert.equal(convert(5, 'mmol/L', 'mg/dL', 'other'), undefined);
    assert.equal(convert(120, 'mmHg', 'mm[Hg]'), 120);
  });
});
