import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Observation } from '@medplum/fhirtypes';
import type { Hex } from 'viem';

import type { RecordHeader } from '../chain';
import { ValidationError } from '../errors';
import { sampleBundle, withIds } from '../testing/fixtures';
import { draftsOf, planImport, stableJson } from './import-plan';
import type { OpenRecord } from './read';

/** The drafts of a bundle as records already in the record, ids 1, 2, 3 … */
function inRecord(input: unknown, firstId = 1n): OpenRecord[] {
  return draftsOf(input).map(({ resource, entry, category }, index) => ({
    ok: true,
    header: { recordId: firstId + BigInt(index), category, supersedes: 0n } as RecordHeader,
    cid: `cid-${index}`,
    context: {
      patient: '0x0',
      recordUid: `0x${String(index).padStart(64, '0')}` as Hex,
      version: 1,
      category,
      epoch: 0,
    },
    payload: { resource, entry },
    dataKey: new Uint8Array(32),
    superseded: false,
  }));
}

describe('stableJson', () => {
  it('gives equal content one text whatever the key order, and drops undefined members', () => {
    assert.equal(
      stableJson({ b: 1, a: [{ y: 2, x: undefined, z: 'q' }] }),
      stableJson({ a: [{ z: 'q', y: 2 }], b: 1 }),
    );
    assert.notEqual(stableJson({ a: [1, 2] }), stableJson({ a: [2, 1] }));
  });
});

describe('draftsOf', () => {
  it('takes a Bundle or a single resource, as text or parsed', () => {
    const bundle = sampleBundle('plan');
    assert.equal(draftsOf(JSON.stringify(bundle)).length, 5);
    const [single] = draftsOf(bundle.entry![2]!.resource);
    assert.deepEqual([single!.resource.resourceType, single!.entry], ['Observation', {}]);
  });

  it('refuses an invalid single resource with every issue by path', () => {
    assert.throws(
      () => draftsOf({ resourceType: 'Observation', status: 'finished-ish' }),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.summary === 'Invalid FHIR resource' &&
        error.issues.some((issue) => issue.path === 'Observation.status') &&
        error.issues.some((issue) => issue.path === 'Observation.code'),
    );
  });
});

describe('planImport', () => {
  it('adds everything to an empty record', () => {
    const plan = planImport(draftsOf(sampleBundle('plan')), []);
    assert.deepEqual([plan.records.length, plan.skipped], [5, 0]);
    assert.ok(plan.kinds.every((kind) => kind === 'added') && plan.records.every((record) => !record.supersedes));
  });

  it('skips what the record holds unchanged, by id, or by fullUrl for resources without one', () => {
    for (const bundle of [withIds(sampleBundle('plan')), sampleBundle('plan')]) {
      const plan = planImport(draftsOf(bundle), inRecord(bundle));
      assert.deepEqual([plan.records.length, plan.skipped], [0, 5]);
    }
  });

  it('corrects the newest version of a changed resource, once per file', () => {
    const bundle = withIds(sampleBundle('plan'));
    const existing = [...inRecord(bundle), ...inRecord(bundle, 10n)];
    const changed = structuredClone(bundle);
    (changed.entry![2]!.resource as Observation).valueQuantity!.value = 198;
    const twice = structuredClone(changed);
    const again = structuredClone(changed.entry![2]!);
    (again.resource as Observation).valueQuantity!.value = 199;
    twice.entry!.push({ ...again, fullUrl: 'urn:uuid:11111111-2222-4333-8444-555555555555' });
    const plan = planImport(draftsOf(twice), existing);
    assert.equal(plan.skipped, 4);
    assert.deepEqual(plan.kinds, ['corrected', 'added']);
    assert.deepEqual(plan.records[0]!.supersedes, {
      recordId: 12n,
      recordUid: existing[7]!.context.recordUid,
      version: 1,
    });
  });

  it("counts a decimal's precision as content: 1.0 → 1.00 corrects, the same text skips", () => {
    const bundle = withIds(sampleBundle('plan'));
    const text = JSON.stringify(bundle).replace(/"value":(\d+)([,}])/, '"value":$1.0$2');
    assert.equal(text.split('.0').length, 2, 'one decimal with a trailing zero');
    const existing = inRecord(text);
    assert.equal(planImport(draftsOf(text), existing).skipped, 5);
    const morePrecise = planImport(draftsOf(text.replace('.0', '.00')), existing);
    assert.deepEqual([morePrecise.kinds, morePrecise.skipped], [['corrected'], 4]);
    const storedWithoutPrecision = inRecord(bundle);
    assert.deepEqual(planImport(draftsOf(text), storedWithoutPrecision).kinds, ['corrected']);
  });

  it('skips a resource the file repeats unchanged', () => {
    const bundle = withIds(sampleBundle('plan'));
    const drafts = draftsOf(bundle);
    const plan = planImport([...drafts, drafts[1]!], []);
    assert.deepEqual([plan.records.length, plan.skipped], [5, 1]);
  });
});
