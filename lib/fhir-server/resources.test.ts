import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Observation, Patient } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { parseJson } from '../fhir/json';
import { type LoadedRecord, derivedId, resourceJson, servedResources } from './resources';

const ALICE = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;
const BOB = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;

let serial = 0;
function record(patient: Address, resource: LoadedRecord['resource'], fullUrl?: string): LoadedRecord {
  serial++;
  return {
    patient,
    recordId: BigInt(serial),
    category: resource.resourceType === 'Patient' ? 11 : 1,
    createdAt: 1_700_000_000 + serial,
    recordUid: `0x${serial.toString(16).padStart(32, '0')}`,
    resource,
    ...(fullUrl ? { fullUrl } : {}),
  };
}

const observation = (id: string | undefined, subject: string): Observation => ({
  resourceType: 'Observation',
  ...(id ? { id } : {}),
  status: 'final',
  code: { text: 'weight' },
  subject: { reference: subject },
});

describe('servedResources', () => {
  it('keeps unique own ids, derives the others from the record uid, and gives the Patient the address', () => {
    const records = [
      record(ALICE, { resourceType: 'Patient', id: 'p-1', name: [{ text: 'Alice' }] }, 'urn:uuid:p-1'),
      record(ALICE, observation('w-1', 'urn:uuid:p-1'), 'urn:uuid:w-1'),
      record(ALICE, observation('same', 'Patient/p-1')),
      record(ALICE, observation(undefined, 'urn:uuid:p-1')),
      record(BOB, observation('same', 'urn:uuid:elsewhere')),
    ];
    const profile: Patient = { resourceType: 'Patient', name: [{ text: 'Alice A.' }] };
    const served = servedResources(
      records,
      new Map<Address, Patient | undefined>([
        [ALICE, profile],
        [BOB, undefined],
      ]),
    );
    assert.deepEqual(
      served.map((item) => `${item.resourceType}/${item.id}`),
      [
        `Patient/${ALICE}`,
        'Observation/w-1',
        `Observation/${derivedId(records[2]!.recordUid)}`,
        `Observation/${derivedId(records[3]!.recordUid)}`,
        `Observation/${derivedId(records[4]!.recordUid)}`,
      ],
    );
    assert.equal((served[0]!.resource as Patient).name![0]!.text, 'Alice A.', 'the profile, not the imported copy');
    for (const item of served.slice(1, 4)) {
      assert.equal((item.resource as Observation).subject!.reference, `Patient/${ALICE}`);
    }
    assert.equal((served[4]!.resource as Observation).subject!.reference, 'urn:uuid:elsewhere');
  });

  it('serves the newest Patient record when the profile cannot be opened', () => {
    const records = [
      record(ALICE, { resourceType: 'Patient', id: 'old', gender: 'female' }),
      record(ALICE, { resourceType: 'Patient', id: 'new', gender: 'other' }),
    ];
    const served = servedResources(records, new Map([[ALICE, undefined]]));
    assert.equal(served.length, 1);
    assert.equal(served[0]!.id, ALICE);
    assert.equal((served[0]!.resource as Patient).gender, 'other');
  });
});

describe('resourceJson', () => {
  it('writes decimals with the precision they were imported with', () => {
    const observation = parseJson(
      '{"resourceType":"Observation","status":"final","code":{"text":"HbA1c"},"valueQuantity":{"value":29.0,"unit":"%"},"component":[{"code":{"text":"x"},"valueQuantity":{"value":0.50}}]}',
    );
    const text = resourceJson({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: observation }] });
    assert.match(text, /"value":29\.0,/);
    assert.match(text, /"value":0\.50\}/);
  });
});
