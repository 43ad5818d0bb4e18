import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';
import type { Address } from 'viem';

import { AccessDeniedError, IntegrityError, ValidationError } from '../errors';
import { newRecordUid } from './context';
import { generateIdentityKey } from './identity';
import { deriveKek } from './kek';
import { createKeyring, openKeyring } from './keyring';
import { openRecord, sealRecord } from './record';

const patient: Address = '0x00000000000000000000000000000000000000A1';
const doctor: Address = '0x00000000000000000000000000000000000000D0';
const lab: Address = '0x00000000000000000000000000000000000000B0';
const patientKey = generateIdentityKey();
const doctorKey = generateIdentityKey();
const labKey = generateIdentityKey();
const text = (value: string) => new TextEncoder().encode(value);

async function record(category: number, epoch: number, body: string) {
  const ctx = { patient, recordUid: newRecordUid(), version: 1, category, epoch };
  return sealRecord(text(body), ctx, { kek: await deriveKek(patientKey, patient, epoch, category) });
}

async function keyringFor(grantee: Address, granteePublicKey: Uint8Array, epoch: number, categories: number[]) {
  return createKeyring(patientKey, { patient, grantee, granteePublicKey, epoch, categories });
}

describe('keyrings', () => {
  it('give a grantee the granted categories of every epoch so far', async () => {
    const ring = await openKeyring(await keyringFor(doctor, doctorKey.publicKey, 2, [1, 3]), doctorKey, {
      patient,
      grantee: doctor,
    });
    assert.deepEqual(ring.categories, [1, 3]);
    assert.equal(ring.epoch, 2);
    for (const category of [1, 3]) {
      for (let epoch = 0; epoch <= 2; epoch++) {
        assert.deepEqual(ring.kek(epoch, category), await deriveKek(patientKey, patient, epoch, category));
      }
    }
    assert.equal(ring.kek(3, 1), undefined);
    assert.equal(ring.kek(0, 2), undefined);
  });

  it('implement revocation as a new epoch: the revoked grantee reads nothing written afterwards', async () => {
    const doctorRing0 = await openKeyring(await keyringFor(doctor, doctorKey.publicKey, 0, [1]), doctorKey);
    const labRing0 = await openKeyring(await keyringFor(lab, labKey.publicKey, 0, [1]), labKey);
    const before = await record(1, 0, 'before revoke');
    assert.deepEqual((await openRecord(before, { kek: labRing0.kek })).plaintext, text('before revoke'));

    // The patient revokes the lab (keyEpoch 0 → 1) and shares epoch 1 with the doctor who stays.
    const doctorRing1 = await openKeyring(await keyringFor(doctor, doctorKey.publicKey, 1, [1]), doctorKey);
    const after = await record(1, 1, 'after revoke');
    assert.deepEqual((await openRecord(after, { kek: doctorRing1.kek })).plaintext, text('after revoke'));
    assert.deepEqual((await openRecord(before, { kek: doctorRing1.kek })).plaintext, text('before revoke'));
    await assert.rejects(openRecord(after, { kek: labRing0.kek }), AccessDeniedError);
    await assert.rejects(openRecord(after, { kek: doctorRing0.kek }), AccessDeniedError);
    // What the lab could read before the revocation stays readable to it: revocation is forward-only.
    assert.deepEqual((await openRecord(before, { kek: labRing0.kek })).plaintext, text('before revoke'));
  });

  it('deny categories that were not granted', async () => {
    const ring = await openKeyring(await keyringFor(doctor, doctorKey.publicKey, 0, [1]), doctorKey);
    await assert.rejects(openRecord(await record(2, 0, 'condition'), { kek: ring.kek }), AccessDeniedError);
  });

  it('open only for the grantee key and the expected parties', async () => {
    const blob = await keyringFor(doctor, doctorKey.publicKey, 0, [1]);
    await assert.rejects(openKeyring(blob, labKey), IntegrityError);
    await assert.rejects(openKeyring(blob, doctorKey, { grantee: lab }), IntegrityError);
    await assert.rejects(openKeyring(blob, doctorKey, { patient: lab }), IntegrityError);
  });

  it('detect every tampered byte', async () => {
    const blob = await keyringFor(doctor, doctorKey.publicKey, 1, [1, 4]);
    for (let index = 0; index < blob.length; index++) {
      const tampered = blob.slice();
      tampered[index] = (tampered[index] as number) ^ 0x04;
      await assert.rejects(openKeyring(tampered, doctorKey), IntegrityError, `byte ${index}`);
    }
  });

  it('validate their terms', async () => {
    await assert.rejects(keyringFor(doctor, new Uint8Array(31), -1, [32]), (error: unknown) => {
      return error instanceof ValidationError && error.issues.length === 3;
    });
  });

  it('parse arbitrary and mutated bytes into IntegrityError only', async () => {
    const valid = await keyringFor(doctor, doctorKey.publicKey, 0, [1]);
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.nat({ max: valid.length - 1 }).map((end) => valid.slice(0, end)),
      fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([index, xor]) => {
        const copy = valid.slice();
        copy[index] = (copy[index] as number) ^ xor;
        return copy;
      }),
    );
    await fc.assert(
      fc.asyncProperty(inputs, async (bytes) => {
        await assert.rejects(openKeyring(bytes, doctorKey), IntegrityError);
      }),
      { numRuns: 300 },
    );
  });
});
