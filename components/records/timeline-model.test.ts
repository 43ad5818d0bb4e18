import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Resource } from '@medplum/fhirtypes';

import { resourceTitle } from '../../lib/fhir/display';
import { IntegrityError } from '../../lib/errors';
import type { RecordResult } from '../../lib/records/read';
import { historyBundle } from '../../lib/testing/history-fixture';
import {
  type TimelineEntry,
  buildTimeline,
  byYear,
  currentRecords,
  flattenTimeline,
  referenceKeys,
} from './timeline-model';

const AUTHOR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

function header(recordId: number, supersedes = 0) {
  return {
    patient: AUTHOR,
    recordId: BigInt(recordId),
    author: AUTHOR,
    category: 0,
    supersedes: BigInt(supersedes),
    createdAt: 1_800_000_000 + recordId,
    ciphertextHash: '0x',
    cid: '0x',
    blockNumber: 1n,
    transactionHash: '0x',
  } as const;
}

/** An opened record as `readRecords` returns it (only what the timeline reads is filled in). */
function opened(recordId: number, resource: Resource, fullUrl?: string, supersedes = 0): RecordResult {
  return {
    ok: true,
    header: header(recordId, supersedes),
    cid: 'bafy',
    payload: { resource, entry: fullUrl ? { fullUrl } : undefined },
    superseded: false,
  } as unknown as RecordResult;
}

function unreadable(recordId: number): RecordResult {
  return {
    ok: false,
    header: header(recordId),
    cid: 'bafy',
    error: new IntegrityError('tampered'),
    superseded: false,
  } as unknown as RecordResult;
}

function fixtureResults(): RecordResult[] {
  return historyBundle().entry!.map((entry, index) => opened(index + 1, entry.resource!, entry.fullUrl));
}

const title = (entry: TimelineEntry) => (entry.result.ok ? resourceTitle(entry.result.payload.resource) : 'unreadable');
const typeOf = (entry: TimelineEntry) => (entry.result.ok ? entry.result.payload.resource.resourceType : 'unreadable');

describe('referenceKeys', () => {
  it('looks up urn:uuid references by fullUrl and bare id', () => {
    assert.deepEqual(referenceKeys('urn:uuid:abc'), ['urn:uuid:abc', 'abc']);
  });
  it('looks up relative and absolute URLs by Type/id, without _history', () => {
    assert.deepEqual(referenceKeys('Encounter/e1'), ['Encounter/e1', 'Encounter/e1']);
    assert.deepEqual(referenceKeys('https://fhir.example/r4/Encounter/e1/_history/2'), [
      'https://fhir.example/r4/Encounter/e1/_history/2',
      'Encounter/e1',
    ]);
  });
  it('resolves neither conditional nor contained references', () => {
    assert.deepEqual(referenceKeys('Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999986389'), []);
    assert.deepEqual(referenceKeys('#coverage'), []);
    assert.deepEqual(referenceKeys(undefined), []);
  });
});

describe('buildTimeline', () => {
  it('orders visits by when they happened, not by anchoring order', () => {
    const results = fixtureResults().reverse();
    const { entries } = buildTimeline(currentRecords(results));
    const visits = entries.filter((entry) => typeOf(entry) === 'Encounter');
    assert.deepEqual(
      visits.map((entry) => new Date(entry.time!).toISOString().slice(0, 10)),
      ['2022-05-17', '2019-04-02', '2016-03-10'],
    );
    const times = entries.map((entry) => entry.time ?? -Infinity);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first, undated last',
    );
  });

  it('nests what happened in a visit under it, findings first and billing last', () => {
    const { entries } = buildTimeline(currentRecords(fixtureResults()));
    const latest = entries.find((entry) => typeOf(entry) === 'Encounter')!;
    assert.deepEqual(latest.children.map(typeOf), [
      'DiagnosticReport',
      'Observation',
      'Observation',
      'Observation',
      'Observation',
      'Observation',
      'Condition',
      'MedicationRequest',
      'CarePlan',
      'DocumentReference',
      'Claim',
      'ExplanationOfBenefit',
    ]);
  });

  it('nests a report’s results under the report, not beside it', () => {
    const { entries } = buildTimeline(currentRecords(fixtureResults()));
    const latest = entries.find((entry) => typeOf(entry) === 'Encounter')!;
    const panel = latest.children.find((entry) => typeOf(entry) === 'DiagnosticReport')!;
    assert.deepEqual(panel.children.map(title), ['Total Cholesterol', 'High Density Lipoprotein Cholesterol']);
    const all = flattenTimeline(entries).map(title);
    assert.equal(all.filter((name) => name === 'Total Cholesterol').length, 2, 'each result appears once');
  });

  it('puts the people and places of care apart from the timeline', () => {
    const { entries, directory } = buildTimeline(currentRecords(fixtureResults()));
    assert.deepEqual(
      directory.map((record) => (record.result.ok ? record.result.payload.resource.resourceType : '')),
      ['Organization', 'Practitioner'],
    );
    assert.ok(!flattenTimeline(entries).some((entry) => ['Organization', 'Practitioner'].includes(typeOf(entry))));
  });

  it('lists undated records last and keeps every record exactly once', () => {
    const results = fixtureResults();
    const { entries, directory } = buildTimeline(currentRecords(results));
    assert.equal(typeOf(entries.at(-1)!), 'Patient');
    assert.equal(entries.at(-1)!.timeSource, 'none');
    assert.equal(flattenTimeline(entries).length + directory.length, results.length);
  });

  it('resolves Type/id and bare-id references, as records keep their resource id after import', () => {
    const encounter = {
      resourceType: 'Encounter',
      id: 'e1',
      status: 'finished',
      class: { code: 'AMB' },
      period: { start: '2020-01-01' },
    } as Resource;
    const observation = {
      resourceType: 'Observation',
      id: 'o1',
      status: 'final',
      code: { text: 'Heart rate' },
      encounter: { reference: 'Encounter/e1' },
      effectiveDateTime: '2020-01-01',
    } as Resource;
    const report = {
      resourceType: 'DiagnosticReport',
      id: 'r1',
      status: 'final',
      code: { text: 'Panel' },
      encounter: { reference: 'e1' },
      result: [{ reference: 'Observation/o1' }],
      effectiveDateTime: '2020-01-01',
    } as Resource;
    const { entries } = buildTimeline(
      currentRecords([opened(1, observation), opened(2, report), opened(3, encounter)]),
    );
    assert.equal(entries.length, 1);
    assert.equal(title(entries[0]!.children[0]!), 'Panel');
    assert.equal(title(entries[0]!.children[0]!.children[0]!), 'Heart rate');
  });

  it('shows a result on its own when its report or visit is not in the list (a filtered view)', () => {
    const results = fixtureResults().filter(
      (result) => result.ok && result.payload.resource.resourceType === 'Observation',
    );
    const { entries } = buildTimeline(currentRecords(results));
    assert.equal(entries.length, results.length);
    assert.ok(entries.every((entry) => entry.children.length === 0));
  });

  it('files an unreadable record by when it was anchored, and a correction with its history', () => {
    const first = {
      resourceType: 'Observation',
      id: 'a',
      status: 'final',
      code: { text: 'Weight' },
      effectiveDateTime: '2020-01-01',
    } as Resource;
    const fixed = { ...first, effectiveDateTime: '2020-01-02' } as Resource;
    const { entries } = buildTimeline(
      currentRecords([opened(1, first), opened(2, fixed, undefined, 1), unreadable(3)]),
    );
    assert.deepEqual(
      entries.map((entry) => [entry.result.header.recordId, entry.timeSource, entry.history.length]),
      [
        [3n, 'anchored', 0],
        [2n, 'clinical', 1],
      ],
    );
  });
});

describe('byYear', () => {
  it('groups consecutive entries under the year they happened in, undated last', () => {
    const { entries } = buildTimeline(currentRecords(fixtureResults()));
    assert.deepEqual(
      byYear(entries).map((group) => group.year),
      [2022, 2019, 2016, 2015, 2010, undefined],
    );
  });
});
