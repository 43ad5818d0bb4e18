import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MEASUREMENT_BOUNDS, boundsOf, classifyValue } from './bounds';
import { convert, normaliseUnit } from './units';

describe('MEASUREMENT_BOUNDS', () => {
  for (const bounds of MEASUREMENT_BOUNDS.values()) {
    it(`${bounds.loinc} ${bounds.label}: the plausible range lies inside the hard limits, in a known unit`, () => {
      assert.ok(bounds.hard.min < bounds.plausible.min && bounds.plausible.min < bounds.plausible.max);
      assert.ok(bounds.plausible.max < bounds.hard.max);
      assert.equal(normaliseUnit(bounds.unit), bounds.unit);
      if (bounds.alternative) {
        assert.notEqual(
          convert(1, bounds.alternative, bounds.unit, bounds.analyte),
          undefined,
          `${bounds.alternative} converts to ${bounds.unit}`,
        );
      }
    });
  }
});

describe('classifyValue', () => {
  const cholesterol = boundsOf('2093-3')!;

  it('calls 950 mg/dL total cholesterol implausible, not impossible: the form warns, then saves', () => {
    assert.equal(classifyValue(cholesterol, 950), 'implausible');
  });

  it('calls a value beyond the hard limits impossible, and the limits themselves possible', () => {
    assert.equal(classifyValue(cholesterol, 21_300), 'impossible');
    assert.equal(classifyValue(cholesterol, 0), 'impossible');
    assert.equal(classifyValue(cholesterol, cholesterol.hard.max), 'implausible');
    assert.equal(classifyValue(cholesterol, cholesterol.plausible.max), 'plausible');
  });

  it('has no limits for codes it does not know', () => {
    assert.equal(boundsOf('0000-0'), undefined);
  });
});
