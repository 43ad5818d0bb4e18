import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reviewClaims } from './review';
import { claimFixture } from './testing';

const visit = { code: '185349003', display: 'Check up', net: 125 };
const start = Date.UTC(2024, 0, 1);
const dayOf = (offset: number) => new Date(start + offset * 86_400_000).toISOString().slice(0, 10);

/** One claim every `everyDays` days for `days` days, each for a different patient. */
function steady(provider: string, days: number, everyDays: number) {
  return Array.from({ length: Math.floor(days / everyDays) }, (_, i) =>
    claimFixture({
      id: `${provider}-h${i}`,
      provider,
      patient: `Patient/${provider}-${i}`,
      day: dayOf(i * everyDays),
      lines: [visit],
    }),
  );
}

function burst(provider: string, count: number, day: number) {
  return Array.from({ length: count }, (_, i) =>
    claimFixture({
      id: `${provider}-b${i}`,
      provider,
      patient: `Patient/${provider}-b${i}`,
      day: dayOf(day),
      hour: i % 24,
      lines: [visit],
    }),
  );
}

describe('provider bursts', () => {
  it('flags a provider with 20 claims in a week against its usual one a week', () => {
    const reviews = reviewClaims(burst('Organization/a', 20, 200), { history: steady('Organization/a', 196, 7) });
    const flagged = reviews.filter((r) => r.flags.some((f) => f.kind === 'provider-burst'));
    assert.ok(flagged.length >= 9, `${flagged.length} flagged`);
    const last = reviews.at(-1)!;
    assert.match(
      last.flags[0]!.message,
      /Organization\/a submitted 20 claims in the 7 days up to 2024-07-19; its usual is 1\.0 ± 0\.0 per 7 days/,
    );
    assert.equal(last.flags[0]!.claimIds.length, 20);
    assert.ok(last.features.provider_burst_log_ratio > 2);
  });

  it('does not flag a busy provider at its usual volume', () => {
    const usual = Array.from({ length: 28 }, (_, week) =>
      burst(`Organization/busy`, 20, week * 7).map((c) => ({ ...c, id: `${c.id}-${week}` })),
    ).flat();
    const reviews = reviewClaims(usual.slice(-20), { history: usual.slice(0, -20) });
    assert.deepEqual(
      reviews.flatMap((r) => r.flags),
      [],
    );
  });

  it('does not judge a provider without a month of history', () => {
    const reviews = reviewClaims(burst('Organization/new', 30, 200), {
      history: steady('Organization/new', 14, 7).map((c) => ({
        ...c,
        billablePeriod: { start: `${dayOf(190)}T09:00:00+00:00` },
      })),
    });
    assert.deepEqual(
      reviews.flatMap((r) => r.flags),
      [],
    );
    assert.equal(reviews[0]!.features.provider_burst_log_ratio, 0);
  });
});
