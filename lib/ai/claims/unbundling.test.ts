import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CPT, LOINC } from './codes';
import { reviewClaims } from './review';
import { claimFixture } from './testing';

const lab = (code: string, system = LOINC) => ({ code, system, net: 20 });
const summary = (claims: Parameters<typeof reviewClaims>[0]) =>
  reviewClaims(claims).map((review) => [review.claimId, review.flags.map((flag) => `${flag.kind}:${flag.severity}`)]);

describe('lab panels billed apart', () => {
  it('flags every required component of the lipid panel billed separately, across claims of one day', () => {
    const claims = [
      claimFixture({ id: 'a', lines: [lab('2093-3'), lab('2085-9')] }),
      claimFixture({ id: 'b', lines: [lab('2571-8')] }),
    ];
    assert.deepEqual(summary(claims), [
      ['a', ['unbundled-panel:medium']],
      ['b', ['unbundled-panel:medium', 'split-encounter:low']],
    ]);
    const [review] = reviewClaims(claims);
    assert.deepEqual(review!.flags[0]!.claimIds, ['a', 'b']);
    assert.match(review!.flags[0]!.message, /billed all 3 components of the Lipid panel \(LOINC 57698-3\) separately/);
    assert.equal(review!.features.unbundled_components, 2);
  });

  it('flags components billed beside their panel, which pays them twice', () => {
    const claims = [claimFixture({ id: 'a', lines: [lab('80061', CPT), lab('82465', CPT)] })];
    assert.deepEqual(summary(claims), [['a', ['unbundled-panel:high']]]);
    assert.match(
      reviewClaims(claims)[0]!.flags[0]!.message,
      /billed the Lipid panel \(CPT 80061\) .* and also its component CPT 82465/,
    );
  });

  it('reports a comprehensive metabolic panel billed apart once, not also as the basic panel inside it', () => {
    const cmp = [
      '2339-0',
      '6299-2',
      '38483-4',
      '49765-1',
      '2947-0',
      '6298-4',
      '2069-3',
      '20565-8',
      '2885-2',
      '1751-7',
      '1975-2',
      '6768-6',
      '1742-6',
      '1920-8',
    ];
    const [review] = reviewClaims([claimFixture({ id: 'a', lines: cmp.map((code) => lab(code)) })]);
    assert.deepEqual(
      review!.flags.map((f) => f.message.match(/components of the (.*?) \(/)?.[1]),
      ['Comprehensive metabolic panel'],
    );
    assert.equal(review!.features.unbundled_components, 14);
  });

  it('does not flag part of a panel, or components on other days or from other providers', () => {
    assert.deepEqual(summary([claimFixture({ id: 'a', lines: [lab('2093-3'), lab('2085-9')] })]), [['a', []]]);
    assert.deepEqual(
      summary([
        claimFixture({ id: 'a', lines: [lab('2093-3'), lab('2085-9')] }),
        claimFixture({ id: 'b', day: '2024-03-02', lines: [lab('2571-8')] }),
        claimFixture({ id: 'c', provider: 'Organization/lab', lines: [lab('2571-8')] }),
      ]).flatMap(([, flags]) => flags),
      [],
    );
  });
});

describe('one encounter split into several claims', () => {
  const visit = { code: '185349003', display: 'Check up', net: 125 };
  const colonoscopy = { code: '73761001', display: 'Colonoscopy', net: 11_000 };

  it('flags a claim billing an encounter already billed in an earlier claim of the same type', () => {
    const claims = [
      claimFixture({ id: 'b', lines: [visit, colonoscopy], encounter: 'urn:uuid:e1', created: '2024-03-02T08:00:00Z' }),
      claimFixture({ id: 'a', lines: [visit], encounter: 'Encounter/e1' }),
    ];
    assert.deepEqual(summary(claims), [
      ['b', ['split-encounter:medium']],
      ['a', []],
    ]);
    const [later, first] = reviewClaims(claims);
    assert.deepEqual(later!.flags[0]!.claimIds, ['b', 'a']);
    assert.match(
      later!.flags[0]!.message,
      /Encounter e1 was already billed by the same provider on 2024-03-01 in claim a, and this institutional claim bills it again/,
    );
    assert.equal(later!.features.shared_encounter_claims, 1);
    assert.equal(first!.features.shared_encounter_claims, 0);
    assert.equal(first!.features.same_day_claims, 1);
  });

  it('says "may have been split" (low) when a later claim of the day names no encounter, like the earlier one', () => {
    const claims = [claimFixture({ id: 'a', lines: [visit] }), claimFixture({ id: 'b', lines: [colonoscopy] })];
    assert.deepEqual(summary(claims), [
      ['a', []],
      ['b', ['split-encounter:low']],
    ]);
  });

  it('accepts two visits on one day, a visit with its prescriptions, and claims of different types', () => {
    const claims = [
      claimFixture({ id: 'morning', lines: [visit], encounter: 'Encounter/e1' }),
      claimFixture({ id: 'evening', hour: 18, lines: [colonoscopy], encounter: 'Encounter/e2' }),
      claimFixture({
        id: 'rx1',
        type: 'pharmacy',
        lines: [visit],
        encounter: 'Encounter/e1',
        prescription: 'MedicationRequest/m1',
      }),
      claimFixture({
        id: 'rx2',
        type: 'pharmacy',
        lines: [visit],
        encounter: 'Encounter/e1',
        prescription: 'MedicationRequest/m2',
      }),
    ];
    assert.deepEqual(
      summary(claims).flatMap(([, flags]) => flags),
      [],
    );
    assert.equal(reviewClaims(claims)[0]!.features.same_day_claims, 1);
  });
});
