import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAmountReference } from './amounts';
import { reviewClaims } from './review';
import { claimFixture } from './testing';

const colonoscopy = (id: string, net: number, day = '2024-01-10') =>
  claimFixture({ id, day, patient: `Patient/${id}`, lines: [{ code: '73761001', display: 'Colonoscopy', net }] });
const history = [10_000, 10_500, 11_000, 11_200, 11_800, 12_000, 12_400, 13_000].map((net, i) =>
  colonoscopy(`h${i}`, net),
);

describe('amounts far above the code’s usual', () => {
  it('flags a colonoscopy billed at four times the usual price', () => {
    const [review] = reviewClaims([colonoscopy('x', 46_000)], { history });
    assert.deepEqual(
      review!.flags.map((f) => [f.kind, f.severity]),
      [['amount-outlier', 'high']],
    );
    assert.match(
      review!.flags[0]!.message,
      /Colonoscopy \(SNOMED CT 73761001\) is billed at \$46,000\.00, 3\.9 times the usual \$11,800\.00 .*median of 9/,
    );
    assert.ok(review!.features.amount_log_z > 8);
  });

  it('does not flag a price inside the usual spread', () => {
    const [review] = reviewClaims([colonoscopy('x', 13_500)], { history });
    assert.deepEqual(review!.flags, []);
    assert.ok(review!.features.amount_log_z < 4);
  });

  it('needs the minimum sample before judging a code', () => {
    const [review] = reviewClaims([colonoscopy('x', 100_000)], { history: history.slice(0, 3) });
    assert.deepEqual(review!.flags, []);
    assert.equal(review!.features.amount_log_z, 0);
  });

  it('flags 1.5 times a fixed price but not 1.3 times (the spread floor is about 10 %)', () => {
    const visit = (id: string, total: number) =>
      claimFixture({ id, patient: `Patient/${id}`, lines: [{ code: '185349003', display: 'Check up' }], total });
    const fixed = Array.from({ length: 6 }, (_, i) => visit(`v${i}`, 125));
    const reference = buildAmountReference(fixed);
    assert.equal(reference.byKey.get('institutional|http://snomed.info/sct|185349003')?.logMad, 0);
    assert.deepEqual(
      reviewClaims([visit('up', 187.5)], { amounts: reference })[0]!.flags.map((f) => f.severity),
      ['medium'],
    );
    assert.deepEqual(reviewClaims([visit('ok', 162.5)], { amounts: reference })[0]!.flags, []);
  });
});
