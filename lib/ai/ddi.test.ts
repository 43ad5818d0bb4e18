import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bundle, MedicationRequest, Patient, Resource } from '@medplum/fhirtypes';
import { checkInteractions, ONC_HIGH_PRIORITY_DDI } from './ddi';

const request = (id: string, display: string, status: MedicationRequest['status'] = 'active'): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id,
  status,
  intent: 'order',
  subject: { reference: 'Patient/p' },
  authoredOn: '2021-01-01',
  medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '0', display }] },
});
const bundle = (...requests: MedicationRequest[]): Bundle => ({ resourceType: 'Bundle', type: 'collection', entry: requests.map((resource) => ({ resource })) });

describe('checkInteractions', () => {
  it('ships the 15 interactions of the ONC list with its citation', () => {
    assert.equal(ONC_HIGH_PRIORITY_DDI.interactions.length, 15);
    assert.match(ONC_HIGH_PRIORITY_DDI.citation, /Phansalkar/);
  });

  it("does not pair the patient's medication with another person's", () => {
    const patients: Patient[] = [
      { resourceType: 'Patient', id: 'p', name: [{ text: 'Maria Santos' }], birthDate: '1968-05-14' },
      { resourceType: 'Patient', id: 'q', name: [{ text: 'Patria Schimmel' }], birthDate: '1974-05-21' },
    ];
    const theirs = { ...request('b', 'Clarithromycin 500 MG Oral Tablet'), subject: { reference: 'Patient/q' } };
    const resources: Resource[] = [...patients, request('a', 'Simvastatin 20 MG Oral Tablet'), theirs];
    assert.deepEqual(checkInteractions(resources, { at: '2021-06-01' }), []);
    assert.equal(checkInteractions(resources.slice(2), { at: '2021-06-01' }).length, 1, 'without Patients both count');
  });

  it('flags simvastatin with clarithromycin by ingredient', () => {
    const flags = checkInteractions(bundle(request('a', 'Simvastatin 20 MG Oral Tablet'), request('b', 'Clarithromycin 500 MG Oral Tablet')), { at: '2021-06-01' });
    assert.equal(flags.length, 1);
    assert.equal(flags[0]?.interactionId, 25);
    assert.equal(flags[0]?.object.ingredient, 'simvastatin');
    assert.equal(flags[0]?.precipitant.source, 'MedicationRequest/b');
  });

  it('matches source spellings corrected to the RxNorm name (esomeprazole)', () => {
    const flags = checkInteractions(bundle(request('a', 'Atazanavir 300 MG Oral Capsule'), request('b', 'Esomeprazole 40 MG Delayed Release Oral Capsule')), { at: '2021-06-01' });
    assert.deepEqual(flags.map((f) => f.interactionId), [4]);
  });

  it('ignores stopped medications and pairs outside the list', () => {
    assert.equal(checkInteractions(bundle(request('a', 'Simvastatin 20 MG Oral Tablet'), request('b', 'Clarithromycin 500 MG Oral Tablet', 'stopped')), { at: '2021-06-01' }).length, 0);
    assert.equal(checkInteractions(bundle(request('a', 'Warfarin Sodium 5 MG Oral Tablet'), request('b', 'Naproxen sodium 220 MG Oral Tablet')), { at: '2021-06-01' }).length, 0);
  });
});
