import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { boundsOf } from '../../lib/ai/bounds';
import { reviewEntry } from '../../lib/ai/plausibility';
import { OBSERVATION_PRESETS } from './observation-presets';
import { buildObservation } from './resource-builders';

const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const cholesterol = OBSERVATION_PRESETS.find((preset) => preset.id === 'chol')!;

describe('OBSERVATION_PRESETS', () => {
  it('take units and input limits from the shared table, so every plausibility warning is reachable', () => {
    for (const analyte of OBSERVATION_PRESETS.flatMap((preset) => preset.analytes)) {
      const bounds = boundsOf(analyte.loinc);
      assert.ok(bounds, `${analyte.loinc} has limits in lib/ai/bounds`);
      assert.equal(analyte.unit, bounds.unit);
      assert.deepEqual([analyte.min, analyte.max], [bounds.hard.min, bounds.hard.max]);
      // The input accepts values beyond the plausible range, where the form asks to double-check.
      assert.ok(analyte.min < bounds.plausible.min && bounds.plausible.max < analyte.max, analyte.label);
    }
  });

  it('a 950 mg/dL cholesterol entered in the form needs a confirmation, and is not refused', () => {
    const observation = buildObservation(PATIENT, cholesterol, [950], '2024-01-01T08:00');
    const { refused, toConfirm } = reviewEntry(observation, { now: new Date('2024-01-02T00:00:00Z') });
    assert.equal(refused.length, 0);
    assert.match(toConfirm[0]!.message, /total cholesterol 950 mg\/dL is unusual/);
  });

  it('a value beyond the input limits is refused however it reached the form', () => {
    const observation = buildObservation(PATIENT, cholesterol, [cholesterol.analytes[0]!.max + 1], '2024-01-01T08:00');
    assert.equal(
      reviewEntry(observation, { now: new Date('2024-01-02T00:00:00Z') }).refused[0]?.code,
      'impossible-value',
    );
  });
});
