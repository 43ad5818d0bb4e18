import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectUnusualAccess, reviewProviders, type AccessEvent } from './unusual-access';

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
    const burst: AccessEvent[] = Array.from({ length: 40 }, (_, i) => ({
      provider: 'dr-a',
      patient: `other-${i}`,
      recordIds: ['r1', 'r2'],
      timestamp: lastDay + i,
    }));
    const findings = detectUnusualAccess([...history('dr-a', 3, 30), ...burst]);
    assert.deepEqual(
      findings.map((f) => [f.provider, f.measure, f.count]),
      [
        ['dr-a', 'patients', 40],
        ['dr-a', 'records', 80],
      ],
    );
    assert.equal(findings[0]?.patients.length, 40);
    assert.ok(Math.abs(findings[0]!.baselineMean - 3) < 1e-9);
  });

  it('does not flag a busy provider working at its usual volume', () => {
    const usual: AccessEvent[] = Array.from({ length: 40 }, (_, i) => ({
      provider: 'dr-b',
      patient: `dr-b-patient-${i}`,
      recordIds: ['r0'],
      timestamp: lastDay + i,
    }));
    assert.deepEqual(detectUnusualAccess([...history('dr-b', 40, 30), ...usual]), []);
  });

  it('does not flag small counts, whatever the history', () => {
    const few: AccessEvent[] = Array.from({ length: 5 }, (_, i) => ({
      provider: 'dr-c',
      patient: `p${i}`,
      recordIds: ['r'],
      timestamp: lastDay + i,
    }));
    assert.deepEqual(detectUnusualAccess(few), []);
  });

  it('ignores events outside the history and review windows', () => {
    const old: AccessEvent[] = Array.from({ length: 100 }, (_, i) => ({
      provider: 'dr-d',
      patient: `p${i}`,
      recordIds: ['r'],
      timestamp: start - 400 * DAY,
    }));
    const burst: AccessEvent[] = Array.from({ length: 20 }, (_, i) => ({
      provider: 'dr-d',
      patient: `q${i}`,
      recordIds: ['r'],
      timestamp: new Date(lastDay + i),
    }));
    assert.equal(detectUnusualAccess([...old, ...burst], { now: lastDay + 1000 }).length, 2);
  });
});

describe('reviewProviders', () => {
  const burst = (provider: string, count: number, at: number): AccessEvent[] =>
    Array.from({ length: count }, (_, i) => ({
      provider,
      patient: `${provider}-burst-${i}`,
      recordIds: ['r'],
      timestamp: at + i,
    }));

  it('says "not enough history" for a provider first seen within the last week, however busy', () => {
    const verdicts = reviewProviders(burst('dr-new', 50, lastDay));
    assert.deepEqual(
      verdicts.map((v) => [v.provider, v.verdict, v.findings.length]),
      [['dr-new', 'not-enough-history', 0]],
    );
  });

  it('judges a provider once its first read is a week or more before the window', () => {
    const early: AccessEvent[] = [{ provider: 'dr-e', patient: 'p', recordIds: ['r'], timestamp: lastDay - 8 * DAY }];
    const verdicts = reviewProviders([...early, ...burst('dr-e', 50, lastDay)]);
    assert.equal(verdicts[0]?.verdict, 'unusual');
  });

  it('gives every patient the verdict the admin sees, when both judge on the provider’s whole log', () => {
    const all = [...history('dr-a', 3, 30), ...burst('dr-a', 40, lastDay)];
    const admin = reviewProviders(all);
    const patient = 'dr-a-burst-7';
    // The patient's screen fetches the logs of the providers that read them, across patients.
    const forPatient = reviewProviders(all.filter((event) => event.provider === 'dr-a')).flatMap((v) =>
      v.findings.filter((finding) => finding.patients.includes(patient)),
    );
    assert.deepEqual(
      forPatient,
      admin.flatMap((v) => v.findings),
    );
    // Judging on the patient's slice alone would have seen one read and said nothing.
    assert.deepEqual(detectUnusualAccess(all.filter((event) => event.patient === patient)), []);
  });
});
