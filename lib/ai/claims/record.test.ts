import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, Encounter } from '@medplum/fhirtypes';
import { reviewClaims } from './review';
import { claimFixture } from './testing';
import type { PatientContext } from './types';

const encounter = (id: string, day: string): Encounter => ({
  resourceType: 'Encounter',
  id,
  status: 'finished',
  class: { code: 'AMB' },
  period: { start: `${day}T09:00:00Z`, end: `${day}T09:30:00Z` },
});
const condition = (code: string): Condition => ({
  resourceType: 'Condition',
  subject: { reference: 'Patient/p1' },
  code: { coding: [{ system: 'http://snomed.info/sct', code }] },
});
const patient: PatientContext = {
  reference: 'Patient/p1',
  encounters: [encounter('e1', '2024-03-01'), encounter('e2', '2024-05-10')],
  conditions: [condition('38341003')],
};
const visit = { code: '185349003', display: 'Check up', net: 125 };
const review = (fixture: Parameters<typeof claimFixture>[0], context: PatientContext = patient) =>
  reviewClaims([claimFixture(fixture)], { patients: [context] })[0]!;

describe('services on days without an encounter', () => {
  it('flags a claim for a day the record has no encounter near', () => {
    const result = review({ id: 'c', day: '2024-04-02', lines: [visit] });
    assert.deepEqual(
      result.flags.map((f) => [f.kind, f.severity]),
      [['no-encounter', 'medium']],
    );
    assert.match(
      result.flags[0]!.message,
      /no encounter within 1 day of 2024-04-02, the claim's service day \(the nearest is 32 days away\)/,
    );
    assert.equal(result.features.no_encounter, 1);
  });

  it('is more sure when the encounter the claim names is not in the record either', () => {
    const result = review({ id: 'c', day: '2024-04-02', lines: [visit], encounter: 'Encounter/made-up' });
    assert.deepEqual(
      result.flags.map((f) => f.severity),
      ['high'],
    );
  });

  it('accepts claims within a day of an encounter, and says nothing when encounters are unknown', () => {
    assert.deepEqual(review({ id: 'c', day: '2024-03-01', lines: [visit] }).flags, []);
    assert.deepEqual(review({ id: 'c', day: '2024-05-11', lines: [visit] }).flags, []);
    assert.deepEqual(
      review({ id: 'c', day: '2024-04-02', lines: [visit] }, { reference: 'Patient/p1', encounters: [] }).flags,
      [],
    );
  });
});

describe('diagnoses the record lacks', () => {
  it('flags a claimed diagnosis missing from the recorded conditions', () => {
    const result = review({ id: 'c', lines: [visit, { code: '44054006', display: 'Diabetes', diagnosis: true }] });
    assert.deepEqual(
      result.flags.map((f) => [f.kind, f.severity]),
      [['unsupported-diagnosis', 'low']],
    );
    assert.match(
      result.flags[0]!.message,
      /names Diabetes \(SNOMED CT 44054006\), which is not among the 1 conditions/,
    );
  });

  it('accepts recorded diagnoses, and says nothing when conditions are unknown', () => {
    assert.deepEqual(review({ id: 'c', lines: [visit, { code: '38341003', diagnosis: true }] }).flags, []);
    assert.deepEqual(
      review({ id: 'c', lines: [visit, { code: '44054006', diagnosis: true }] }, { reference: 'Patient/p1' }).flags,
      [],
    );
  });
});
