import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation } from '@medplum/fhirtypes';
import { checkBundle, checkObservation } from './plausibility';

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

  it('warns about a physiologically impossible value', () => {
    const [warning] = checkObservation(obs('8480-6', 420, 'mm[Hg]'), { now });
    assert.equal(warning?.code, 'implausible-value');
    assert.equal(warning.path, 'Observation.valueQuantity');
  });

  it('recognises a value entered with the wrong unit', () => {
    const [warning] = checkObservation(obs('2093-3', 5.2, 'mg/dL'), { now });
    assert.equal(warning?.code, 'unit-mismatch');
    assert.match(warning.message, /was it 5.2 mmol\/L/);
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
      component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 2, unit: 'mm[Hg]', code: 'mm[Hg]' } }],
    };
    const warnings = checkBundle({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: panel }] }, { now });
    assert.deepEqual(
      warnings.map((w) => [w.code, w.path]),
      [
        ['implausible-value', 'Bundle.entry[0].resource.component[0].valueQuantity'],
        ['future-date', 'Bundle.entry[0].resource.effectiveDateTime'],
      ],
    );
  });
});
