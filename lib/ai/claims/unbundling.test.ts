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
      ['a', ['unbundled-panel:medium', 'split-encounter:low']],
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

  it('flags claims of one type naming the same encounter', () => {
    const claims = [
      claimFixture({ id: 'a', lines: [visit], encounter: 'Encounter/e1' }),
      claimFixture({ id: 'b', lines: [visit, colonoscopy], encounter: 'urn:uuid:e1' }),
    ];
    assert.deepEqual(summary(claims), [
      ['a', ['split-encounter:medium']],
      ['b', ['split-encounter:medium']],
    ]);
    assert.match(
      reviewClaims(claims)[0]!.flags[0]!.message,
      /Encounter e1 is billed in 2 institutional claims from the same provider on 2024-03-01/,
    );
    assert.equal(reviewClaims(claims)[0]!.features.shared_encounter_claims, 1);
  });

  it('says "may have been split" (low) when claims of one day name no encounter', () => {
    const claims = [claimFixture({ id: 'a', lines: [visit] }), claimFixture({ id: 'b', lines: [colonoscopy] })];
    assert.deepEqual(summary(claims), [
      ['a', ['split-encounter:low']],
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
