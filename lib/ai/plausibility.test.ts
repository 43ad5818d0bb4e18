import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { checkBundle, checkObservation, plausibilityWarnings, reviewEntry } from './plausibility';

const now = new Date('2024-01-01T12:00:00Z');
const obs = (code: string, value: number, unit: string, date = '2023-12-01'): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  effectiveDateTime: date,
  valueQuantity: { value, unit, code: unit },
});

describe('checkObservation', () => {
  it('accepts plausible values, including in the other common unit', () => {
    assert.deepEqual(checkObservation(obs('2093-3', 190, 'mg/dL'), { now }), []);
    assert.deepEqual(checkObservation(obs('2093-3', 4.9, 'mmol/L'), { now }), []);
  });

  it('marks a value outside the hard limits as impossible', () => {
    const [warning] = checkObservation(obs('8480-6', 420, 'mm[Hg]'), { now });
    assert.equal(warning?.code, 'impossible-value');
    assert.equal(warning.impossible, true);
    assert.equal(warning.path, 'Observation.valueQuantity');
    assert.match(warning.message, /not a possible value \(limits 20–350 mm\[Hg\]\)/);
  });

  it('warns about a possible but unusual value without calling it impossible: 950 mg/dL cholesterol', () => {
    const [warning, ...rest] = checkObservation(obs('2093-3', 950, 'mg/dL'), { now });
    assert.deepEqual(rest, []);
    assert.equal(warning?.code, 'implausible-value');
    assert.equal(warning.impossible, false);
    assert.match(warning.message, /total cholesterol 950 mg\/dL is unusual: outside 70–500 mg\/dL/);
  });

  it('judges a value in the other common unit against the same limits', () => {
    assert.equal(checkObservation(obs('2093-3', 25, 'mmol/L'), { now })[0]?.code, 'implausible-value');
    assert.equal(checkObservation(obs('2093-3', 600, 'mmol/L'), { now })[0]?.code, 'impossible-value');
  });

  it('recognises a value entered with the wrong unit, and says whether it is possible as written', () => {
    const [warning] = checkObservation(obs('2093-3', 5.2, 'mg/dL'), { now });
    assert.equal(warning?.code, 'unit-mismatch');
    assert.equal(warning.impossible, true);
    assert.match(warning.message, /was it 5.2 mmol\/L/);
    const [possible] = checkObservation(obs('4548-4', 38, 'mmol/mol'), { now });
    assert.equal(possible, undefined, 'HbA1c 38 mmol/mol is 5.6 %');
    const [swapped] = checkObservation(obs('4548-4', 48, '%'), { now });
    assert.deepEqual([swapped?.code, swapped?.impossible], ['unit-mismatch', true]);
  });

  it('warns about a unit that cannot belong to the analyte and about an unknown unit', () => {
    assert.equal(checkObservation(obs('8480-6', 120, 'mg/dL'), { now })[0]?.code, 'unit-mismatch');
    assert.equal(checkObservation(obs('8480-6', 120, 'furlongs'), { now })[0]?.code, 'unknown-unit');
  });

  it('checks BP panel components and future dates', () => {
    const panel: Observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      effectiveDateTime: '2024-03-01',
      component: [
        {
          code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
          valueQuantity: { value: 2, unit: 'mm[Hg]', code: 'mm[Hg]' },
        },
      ],
    };
    const warnings = checkBundle({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: panel }] }, { now });
    assert.deepEqual(
      warnings.map((w) => [w.code, w.path]),
      [
        ['impossible-value', 'Bundle.entry[0].resource.component[0].valueQuantity'],
        ['future-date', 'Bundle.entry[0].resource.effectiveDateTime'],
      ],
    );
  });
});

describe('plausibilityWarnings', () => {
  it('lists the warnings of an Observation, of every Observation in a Bundle, and none for other resources', () => {
    assert.equal(plausibilityWarnings(obs('2093-3', 950, 'mg/dL'), { now })[0]?.code, 'implausible-value');
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Patient' } }, { resource: obs('8867-4', 250, '/min') }],
    };
    assert.deepEqual(
      plausibilityWarnings(bundle, { now }).map((warning) => [warning.code, warning.path]),
      [['implausible-value', 'Bundle.entry[1].resource.valueQuantity']],
    );
    assert.deepEqual(plausibilityWarnings({ resourceType: 'Patient', birthDate: '2090-01-01' }, { now }), []);
  });
});

describe('reviewEntry (what the record form does)', () => {
  it('refuses impossible values and values dated in the future', () => {
    assert.deepEqual(
      reviewEntry(obs('2093-3', 6000, 'mg/dL'), { now }).refused.map((warning) => warning.code),
      ['impossible-value'],
    );
    assert.deepEqual(
      reviewEntry(obs('2093-3', 190, 'mg/dL', '2024-02-01'), { now }).refused.map((warning) => warning.code),
      ['future-date'],
    );
  });

  it('asks to confirm an unusual value and lets a usual one through', () => {
    const unusual = reviewEntry(obs('2093-3', 950, 'mg/dL'), { now });
    assert.deepEqual(
      [unusual.refused.length, unusual.toConfirm.map((warning) => warning.code)],
      [0, ['implausible-value']],
    );
    assert.deepEqual(reviewEntry(obs('2093-3', 190, 'mg/dL'), { now }), { refused: [], toConfirm: [] });
  });
});
