import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { CLAIMS_FRAUD } from '../catalog';
import { patientContextOf } from './patient-context';
import { featureRow, reviewClaims, ruleScoreOf } from './review';
import { claimFixture } from './testing';
import { CLAIM_FEATURES } from './types';

describe('reviewClaims', () => {
  it('computes the model features in the catalog’s column order', () => {
    assert.deepEqual(
      CLAIMS_FRAUD.features.map((f) => f.name),
      [...CLAIM_FEATURES],
    );
    assert.deepEqual(CLAIMS_FRAUD.contributions, [...CLAIM_FEATURES]);
    const [review] = reviewClaims([claimFixture({ id: 'a', lines: [{ code: '185349003', net: 125 }] })]);
    assert.equal(featureRow(review!).length, CLAIMS_FRAUD.features.length);
    assert.equal(review!.features.log_total, Math.log1p(125));
  });

  it('reviews only the claims passed in, comparing them with the history too (but not with themselves)', () => {
    const original = claimFixture({ id: 'old', lines: [{ code: '185349003', net: 125 }] });
    const copy = claimFixture({ id: 'new', lines: [{ code: '185349003', net: 125 }], created: '2024-03-05T00:00:00Z' });
    const reviews = reviewClaims([copy], { history: [original] });
    assert.deepEqual(
      reviews.map((r) => [r.claimId, r.flags.map((f) => f.kind)]),
      [['new', ['duplicate']]],
    );
    const withItself = reviewClaims([copy], { history: [original, copy] });
    assert.equal(withItself[0]!.flags.length, 1, 'the claim itself in the history is left out');
  });

  it('orders flags most severe first and scores them 1 − Π(1 − w)', () => {
    const claim = claimFixture({
      id: 'a',
      lines: [
        { code: '424619006', net: 100 },
        { code: '44054006', diagnosis: true },
      ],
    });
    const [review] = reviewClaims([claim], {
      patients: [
        {
          reference: 'Patient/p1',
          gender: 'male',
          conditions: [
            {
              resourceType: 'Condition',
              subject: { reference: 'Patient/p1' },
              code: { coding: [{ system: 'x', code: 'y' }] },
            },
          ],
        },
      ],
    });
    assert.deepEqual(
      review!.flags.map((f) => f.severity),
      ['high', 'low'],
    );
    assert.ok(Math.abs(review!.ruleScore - (1 - 0.2 * 0.8)) < 1e-12);
    assert.equal(ruleScoreOf([]), 0);
  });

  it('reads the patient context from a Bundle of the patient’s records', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:abc',
          resource: { resourceType: 'Patient', id: 'abc', gender: 'female', birthDate: '1990-02-03' },
        },
        {
          resource: {
            resourceType: 'Encounter',
            status: 'finished',
            class: { code: 'AMB' },
            subject: { reference: 'urn:uuid:abc' },
          },
        },
        {
          resource: {
            resourceType: 'Encounter',
            status: 'finished',
            class: { code: 'AMB' },
            subject: { reference: 'Patient/someone-else' },
          },
        },
        { resource: { resourceType: 'Condition', subject: { reference: 'Patient/abc' } } },
      ],
    };
    const context = patientContextOf(bundle);
    assert.equal(context.reference, 'Patient/abc');
    assert.equal(context.gender, 'female');
    assert.equal(context.encounters?.length, 1);
    assert.equal(context.conditions?.length, 1);
  });
});
