import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reviewClaims } from './review';
import { claimFixture } from './testing';

const checkUp = { code: '185349003', display: 'Encounter for check up', net: 125 };
const flu = { code: '140', system: 'http://hl7.org/fhir/sid/cvx', display: 'Influenza vaccine', net: 140.52 };

const kinds = (claims: Parameters<typeof reviewClaims>[0]) =>
  reviewClaims(claims).map((review) => [review.claimId, review.flags.map((flag) => `${flag.kind}:${flag.severity}`)]);

describe('duplicate claims', () => {
  it('flags the later of two identical claims as a duplicate, naming the earlier one', () => {
    const original = claimFixture({ id: 'a', lines: [checkUp, flu], encounter: 'Encounter/e1' });
    const copy = claimFixture({
      id: 'b',
      lines: [checkUp, flu],
      encounter: 'Encounter/e1',
      created: '2024-03-03T10:00:00Z',
    });
    const [first, second] = reviewClaims([copy, original]).sort((x, y) => x.claimId.localeCompare(y.claimId));
    assert.deepEqual(first!.flags, []);
    assert.equal(second!.flags[0]?.kind, 'duplicate');
    assert.equal(second!.flags[0]?.severity, 'high');
    assert.deepEqual(second!.flags[0]?.claimIds, ['b', 'a']);
    assert.match(second!.flags[0]!.message, /as claim a, submitted earlier/);
    assert.equal(second!.features.duplicate_similarity, 1);
    assert.equal(first!.features.duplicate_similarity, 0);
  });

  it('flags a near-duplicate two days later with a total 4 % higher', () => {
    const original = claimFixture({ id: 'a', lines: [checkUp, flu], encounter: 'Encounter/e1' });
    const shifted = claimFixture({
      id: 'b',
      day: '2024-03-03',
      lines: [checkUp, { ...flu, net: 150 }],
      encounter: 'Encounter/e1',
    });
    assert.deepEqual(kinds([original, shifted]), [
      ['a', []],
      ['b', ['near-duplicate:medium']],
    ]);
    assert.match(reviewClaims([original, shifted])[1]!.flags[0]!.message, /2 days apart .* \(3\.4 % apart\)/);
  });

  it('does not call two prescriptions filled at one visit duplicates', () => {
    const visit = { code: '390906007', display: 'Follow-up encounter', net: 255 };
    const claims = ['rx1', 'rx2'].map((rx) =>
      claimFixture({
        id: rx,
        type: 'pharmacy',
        lines: [visit],
        encounter: 'Encounter/e1',
        prescription: `MedicationRequest/${rx}`,
      }),
    );
    assert.deepEqual(kinds(claims), [
      ['rx1', []],
      ['rx2', []],
    ]);
  });

  it('does not compare across providers, patients, claim types, distant days or different services', () => {
    const base = claimFixture({ id: 'a', lines: [checkUp], encounter: 'Encounter/e1' });
    assert.deepEqual(
      kinds([
        base,
        claimFixture({
          id: 'other-provider',
          provider: 'Organization/other',
          lines: [checkUp],
          encounter: 'Encounter/e2',
        }),
        claimFixture({ id: 'other-patient', patient: 'Patient/p2', lines: [checkUp], encounter: 'Encounter/e3' }),
        claimFixture({ id: 'later', day: '2024-03-20', lines: [checkUp], encounter: 'Encounter/e4' }),
        claimFixture({
          id: 'other-service',
          lines: [{ code: '185345009', display: 'Encounter for symptom', net: 125 }],
          encounter: 'Encounter/e5',
        }),
        claimFixture({
          id: 'pharmacy',
          type: 'pharmacy',
          lines: [checkUp],
          encounter: 'Encounter/e1',
          prescription: 'MedicationRequest/m1',
        }),
      ]).flatMap(([, flags]) => flags),
      [],
    );
  });
});
