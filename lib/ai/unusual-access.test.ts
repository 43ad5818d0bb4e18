import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectUnusualAccess, type AccessEvent } from './unusual-access';

const DAY = 24 * 60 * 60 * 1000;
const start = Date.UTC(2024, 0, 1);

/** A provider that opens `perDay` patients (one record each) on each of `days` days before the last day. */
function history(provider: string, perDay: number, days: number): AccessEvent[] {
  return Array.from({ length: days * perDay }, (_, i) => ({
    provider,
    patient: `${provider}-patient-${i % (perDay * 3)}`,
    recordIds: [`r${i % 2}`],
    timestamp: start + Math.floor(i / perDay) * DAY + 3_600_000,
  }));
}

const lastDay = start + 30 * DAY + 3_600_000;

describe('detectUnusualAccess', () => {
  it('flags a provider opening far more patients than its own history, naming the patients', () => {
    const burst: AccessEvent[] = Array.from({ length: 40 }, (_, i) => ({ provider: 'dr-a', patient: `other-${i}`, recordIds: ['r1', 'r2'], timestamp: lastDay + i }));
    const findings = detectUnusualAccess([...history('dr-a', 3, 30), ...burst]);
    assert.deepEqual(findings.map((f) => [f.provider, f.measure, f.count]), [
      ['dr-a', 'patients', 40],
      ['dr-a', 'records', 80],
    ]);
    assert.equal(findings[0]?.patients.length, 40);
    assert.ok(Math.abs(findings[0]!.baselineMean - 3) < 1e-9);
  });

  it('does not flag a busy provider working at its usual volume', () => {
    const usual: AccessEvent[] = Array.from({ length: 40 }, (_, i) => ({ provider: 'dr-b', patient: `dr-b-patient-${i}`, recordIds: ['r0'], timestamp: lastDay + i }));
    assert.deepEqual(detectUnusualAccess([...history('dr-b', 40, 30), ...usual]), []);
  });

  it('does not flag small counts, whatever the history', () => {
    const few: AccessEvent[] = Array.from({ length: 5 }, (_, i) => ({ provider: 'dr-c', patient: `p${i}`, recordIds: ['r'], timestamp: lastDay + i }));
    assert.deepEqual(detectUnusualAccess(few), []);
  });

  it('ignores events outside the history and review windows', () => {
    const old: AccessEvent[] = Array.from({ length: 100 }, (_, i) => ({ provider: 'dr-d', patient: `p${i}`, recordIds: ['r'], timestamp: start - 400 * DAY }));
    const burst: AccessEvent[] = Array.from({ length: 20 }, (_, i) => ({ provider: 'dr-d', patient: `q${i}`, recordIds: ['r'], timestamp: new Date(lastDay + i) }));
    assert.equal(detectUnusualAccess([...old, ...burst], { now: lastDay + 1000 }).length, 2);
  });
});
