import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Bundle, Condition, Observation, Patient } from '@medplum/fhirtypes';

import { PATRIA, personBundle, sampleBundle } from '../testing/fixtures';
import { aboutOwner, comparePatients, hasDemographics, patientLabel } from './patient';

const maria: Patient = { resourceType: 'Patient', name: [{ text: 'Maria Santos' }], birthDate: '1968-05-14', gender: 'female' };
const patria = personBundle(PATRIA).entry![0]!.resource as Patient;

describe('comparePatients', () => {
  it('finds the same person across spellings: accents, case, titles, Synthea digits, a maiden name', () => {
    const synthea: Patient = {
      resourceType: 'Patient',
      name: [
        { use: 'official', prefix: ['Mrs.'], given: ['María593'], family: 'SANTOS-Pérez' },
        { use: 'maiden', given: ['Maria'], family: 'Santos' },
      ],
      birthDate: '1968-05-14',
    };
    const comparison = comparePatients(maria, synthea);
    assert.equal(comparison.verdict, 'same');
    assert.deepEqual(comparison.conflicts, []);
    assert.equal(comparison.agreements.length, 2);
  });

  it('tells another person apart by name and birth date, and says what differs', () => {
    const comparison = comparePatients(maria, patria);
    assert.equal(comparison.verdict, 'different');
    assert.deepEqual(comparison.conflicts, [
      'name Mrs. Patria Schimmel, not Maria Santos',
      'birth date 1974-05-21, not 1968-05-14',
    ]);
  });

  it('counts one disagreement as another person, even when the name matches', () => {
    assert.equal(comparePatients(maria, { ...maria, birthDate: '1968-05-15' }).verdict, 'different');
    const withId = (value: string): Patient => ({ ...maria, identifier: [{ system: 'urn:mrn', value }] });
    assert.equal(comparePatients(withId('A1'), withId('B2')).verdict, 'different');
    assert.equal(comparePatients(withId('A1'), withId('A1')).verdict, 'same');
  });

  it('agrees at the precision both birth dates give, and ignores identifier systems only one side uses', () => {
    assert.equal(comparePatients({ resourceType: 'Patient', birthDate: '1968' }, maria).verdict, 'same');
    const other: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:passport', value: 'X1' }] };
    assert.equal(comparePatients(maria, other).verdict, 'unknown');
  });
});

describe('hasDemographics and patientLabel', () => {
  it('knows an empty profile, and names people for sentences', () => {
    assert.equal(hasDemographics({ resourceType: 'Patient', gender: 'female' }), false);
    assert.equal(hasDemographics(maria), true);
    assert.equal(patientLabel(maria), 'Maria Santos (born 1968-05-14)');
    assert.equal(patientLabel(patria), 'Mrs. Patria Schimmel (born 1974-05-21)');
    assert.equal(patientLabel({ resourceType: 'Patient', birthDate: '1990' }), 'someone without a name (born 1990)');
  });
});

describe('aboutOwner', () => {
  /** Maria's record after Patria's bundle was imported into it (issue 15). */
  function mixedRecord(): Bundle {
    const own = sampleBundle('own');
    (own.entry![0]!.resource as Patient).name = maria.name;
    (own.entry![0]!.resource as Patient).birthDate = maria.birthDate;
    const other = personBundle(PATRIA);
    return { resourceType: 'Bundle', type: 'collection', entry: [...own.entry!, ...other.entry!] };
  }
  const types = (resources: readonly { resourceType: string }[]) => resources.map((resource) => resource.resourceType);

  it("leaves out another person's Patient and every resource about them", () => {
    const kept = aboutOwner(mixedRecord(), maria);
    assert.equal(kept.entry!.length, 5);
    assert.ok(kept.entry!.every(({ resource }) => (resource as Patient).birthDate !== '1974-05-21'));
    assert.ok(!kept.entry!.some(({ resource }) => (resource as Condition).code?.coding?.[0]?.code === '44054006'));
  });

  it('takes the first Patient as the owner when no profile (or an empty one) is given', () => {
    assert.equal(aboutOwner(mixedRecord()).entry!.length, 5);
    assert.equal(aboutOwner(mixedRecord(), { resourceType: 'Patient' }).entry!.length, 5);
  });

  it('resolves Patient/<id> and absolute references in a plain list of resources', () => {
    const other: Patient = { ...patria, id: 'p2' };
    const observation = (reference: string): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference },
    });
    const resources = [
      { ...maria, id: 'p1' },
      other,
      observation('Patient/p1'),
      observation('Patient/p2'),
      observation('https://ehr.example/fhir/Patient/p2/_history/3'),
      observation('Patient/0x70997970C51812dc3A010C7d01b50e0d17dc79C8'),
    ];
    const kept = aboutOwner(resources, maria);
    assert.deepEqual(types(kept), ['Patient', 'Observation', 'Observation']);
    assert.deepEqual(
      kept.slice(1).map((resource) => (resource as Observation).subject!.reference),
      ['Patient/p1', 'Patient/0x70997970C51812dc3A010C7d01b50e0d17dc79C8'],
    );
  });

  it('returns the input itself when nothing is about someone else', () => {
    const own = sampleBundle('own');
    assert.equal(aboutOwner(own, own.entry![0]!.resource as Patient), own);
  });
});
