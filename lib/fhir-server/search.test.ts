import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Observation } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { FhirHttpError } from './outcome';
import type { ServedResource } from './resources';
import { dateMatches, matchesSearch, parseSearch, patientIdOf, searchParamsOf, timeRangeOf } from './search';

const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;

function observation(fields: Partial<Observation>): ServedResource {
  const resource: Observation = { resourceType: 'Observation', status: 'final', code: {}, ...fields };
  return { patient: PATIENT, resourceType: 'Observation', id: resource.id ?? 'o1', resource, category: 1 };
}

const search = (query: string, lenient = false) => parseSearch('Observation', new URLSearchParams(query), lenient);

describe('timeRangeOf', () => {
  it('reads a date as the range its precision covers, in UTC without a zone', () => {
    assert.deepEqual(timeRangeOf('2020'), { start: Date.UTC(2020, 0), end: Date.UTC(2021, 0) });
    assert.deepEqual(timeRangeOf('2020-02'), { start: Date.UTC(2020, 1), end: Date.UTC(2020, 2) });
    assert.deepEqual(timeRangeOf('2020-02-29'), { start: Date.UTC(2020, 1, 29), end: Date.UTC(2020, 2, 1) });
    const start = Date.UTC(2020, 1, 29, 8, 30, 5);
    assert.deepEqual(timeRangeOf('2020-02-29T10:30:05+02:00'), { start, end: start + 1000 });
  });

  it('refuses text that is not a FHIR date', () => {
    for (const text of ['20-01-01', '2020-13', '2020-01-01T10', 'yesterday'])
      assert.equal(timeRangeOf(text), undefined);
  });
});

describe('dateMatches', () => {
  const day = timeRangeOf('2020-03-01')!;
  it('compares ranges as FHIR defines the prefixes', () => {
    assert.equal(dateMatches(day, 'eq', timeRangeOf('2020-03')!), true);
    assert.equal(dateMatches(day, 'eq', timeRangeOf('2020-03-01T10:00Z')!), false);
    assert.equal(dateMatches(day, 'ge', timeRangeOf('2020-03-01')!), true);
    assert.equal(dateMatches(day, 'gt', timeRangeOf('2020-03-01')!), false);
    assert.equal(dateMatches(day, 'lt', timeRangeOf('2020-03-02')!), true);
    assert.equal(dateMatches(day, 'le', timeRangeOf('2020-02-29')!), false);
    assert.equal(dateMatches(day, 'sa', timeRangeOf('2020-02-29')!), true);
    assert.equal(dateMatches(day, 'eb', timeRangeOf('2020-03-02')!), true);
    assert.equal(dateMatches(day, 'ne', timeRangeOf('2021')!), true);
  });
});

describe('parseSearch and matchesSearch', () => {
  const weight = observation({
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    effectiveDateTime: '2019-04-02T10:00:00+00:00',
  });

  it('matches code as code, system|code, |code and system|, ORing commas', () => {
    for (const [query, expected] of [
      ['code=29463-7', true],
      ['code=http://loinc.org|29463-7', true],
      ['code=http://snomed.info/sct|29463-7', false],
      ['code=|29463-7', false],
      ['code=http://loinc.org|', true],
      ['code=1234-5,29463-7', true],
    ] as const) {
      assert.equal(matchesSearch(weight, search(query).filters), expected, query);
    }
  });

  it('ANDs repeated date parameters and matches the patient by address in any case', () => {
    assert.equal(matchesSearch(weight, search('date=ge2019&date=lt2019-05').filters), true);
    assert.equal(matchesSearch(weight, search('date=ge2019&date=lt2019-04-02').filters), false);
    assert.equal(matchesSearch(weight, search(`patient=Patient/${PATIENT.toLowerCase()}`).filters), true);
    assert.equal(
      matchesSearch(weight, search('subject=Patient/0x0000000000000000000000000000000000000001').filters),
      false,
    );
  });

  it('reads paging and keeps the parameters it applied for the self link', () => {
    const parsed = search('code=29463-7&_count=2&_getpagesoffset=4');
    assert.equal(parsed.count, 2);
    assert.equal(parsed.offset, 4);
    assert.deepEqual(parsed.used, [
      ['_count', '2'],
      ['code', '29463-7'],
    ]);
  });

  it('refuses unknown parameters and modifiers with a 400, unless handling is lenient', () => {
    for (const query of ['name=x', 'code:text=x', 'date=ap2020', 'date=yesterday', '_count=many', '_format=xml']) {
      assert.throws(
        () => search(query),
        (error: unknown) => error instanceof FhirHttpError && error.status === 400,
        query,
      );
    }
    assert.deepEqual(search('name=x&_sort=date', true).filters, []);
  });

  it('lists date only for types with a clinical date, and R4 aliases of code', () => {
    assert.deepEqual(
      searchParamsOf('Immunization').map((param) => param.name),
      ['_id', 'patient', 'subject', 'code', 'vaccine-code', 'date'],
    );
    assert.deepEqual(
      searchParamsOf('Organization').map((param) => param.name),
      ['_id', 'patient', 'subject'],
    );
  });
});

describe('patientIdOf', () => {
  it('reads Patient/<id>, an absolute URL, or the bare id', () => {
    assert.equal(patientIdOf(`Patient/${PATIENT}`), PATIENT);
    assert.equal(patientIdOf(`http://127.0.0.1:8090/Patient/${PATIENT}`), PATIENT);
    assert.equal(patientIdOf(PATIENT), PATIENT);
    assert.equal(patientIdOf('Group/1'), undefined);
  });
});
