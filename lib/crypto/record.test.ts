import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';
import type { Address } from 'viem';

import { AccessDeniedError, IntegrityError, ValidationError } from '../errors';
import { newRecordUid, type RecordContext } from './context';
import { generateIdentityKey } from './identity';
import { deriveKek, patientKekResolver } from './kek';
import { inspectRecord, openRecord, rewrapRecord, sealRecord } from './record';

const patient: Address = '0x00000000000000000000000000000000000000A1';
const patientKey = generateIdentityKey();
const providerKey = generateIdentityKey();
const patientKeys = { kek: patientKekResolver(patientKey, patient) };
const text = (value: string) => new TextEncoder().encode(value);

function context(overrides: Partial<RecordContext> = {}): RecordContext {
  return { patient, recordUid: newRecordUid(), version: 1, category: 1, epoch: 0, ...overrides };
}

async function patientRecord(plaintext = text('{"resourceType":"Observation"}'), ctx = context()) {
  return sealRecord(plaintext, ctx, { kek: await deriveKek(patientKey, patient, ctx.epoch, ctx.category) });
}

const isIntegrityError = (error: unknown) => error instanceof IntegrityError;

describe('sealRecord / openRecord', () => {
  it('round-trips any payload and context for the patient', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.integer({ min: 0, max: 31 }),
        fc.nat(),
        fc.integer({ min: 1, max: 0xffffffff }),
        async (plaintext, category, epoch, version) => {
          const ctx = context({ category, epoch, version });
          const opened = await openRecord(await patientRecord(plaintext, ctx), patientKeys, ctx);
          assert.deepEqual(opened.plaintext, new Uint8Array(plaintext));
          assert.deepEqual(opened.context, ctx);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('uses a fresh data key and IV for every seal', async () => {
    const ctx = context();
    const [a, b] = await Promise.all([patientRecord(text('same'), ctx), patientRecord(text('same'), ctx)]);
    assert.notDeepEqual(a, b);
    const [ka, kb] = await Promise.all([openRecord(a, patientKeys), openRecord(b, patientKeys)]);
    assert.notDeepEqual(ka.dataKey, kb.dataKey);
  });

  it('detects every tampered byte with IntegrityError', async () => {
    const envelope = await sealRecord(text('{"status":"final"}'), context(), {
      kek: await deriveKek(patientKey, patient, 0, 1),
      recipients: [providerKey.publicKey],
    });
    for (let index = 0; index < envelope.length; index++) {
      for (const flip of [0x01, 0x80]) {
        const tampered = envelope.slice();
        tampered[index] = (tampered[index] as number) ^ flip;
        await assert.rejects(openRecord(tampered, patientKeys), isIntegrityError, `byte ${index} ^ ${flip}`);
      }
    }
  });

  it('refuses a wrong key with IntegrityError', async () => {
    const stranger = generateIdentityKey();
    await assert.rejects(
      openRecord(await patientRecord(), { kek: patientKekResolver(stranger, patient) }),
      IntegrityError,
    );
  });

  it('refuses an envelope of another patient or record (swapped CID)', async () => {
    const ctx = context();
    const envelope = await patientRecord(undefined, ctx);
    await assert.rejects(openRecord(envelope, patientKeys, { ...ctx, recordUid: newRecordUid() }), IntegrityError);
    await assert.rejects(
      openRecord(envelope, patientKeys, { patient: '0x00000000000000000000000000000000000000B2' }),
      IntegrityError,
    );
    await assert.rejects(openRecord(envelope, patientKeys, { category: 2 }), IntegrityError);
  });

  it('refuses a context transplanted from another envelope (AAD mismatch)', async () => {
    const a = await patientRecord(text('a'));
    const b = await patientRecord(text('b'));
    const spliced = a.slice();
    spliced.set(b.subarray(5, 5 + 45), 5);
    await assert.rejects(openRecord(spliced, patientKeys), IntegrityError);
  });

  it('lets a recipient slot open for its key only; others are denied', async () => {
    const ctx = context({ category: 7 });
    const envelope = await sealRecord(text('from the lab'), ctx, {
      recipients: [patientKey.publicKey, providerKey.publicKey],
    });
    assert.deepEqual((await openRecord(envelope, { identity: patientKey })).plaintext, text('from the lab'));
    assert.deepEqual((await openRecord(envelope, { identity: providerKey })).plaintext, text('from the lab'));
    await assert.rejects(openRecord(envelope, { identity: generateIdentityKey() }), AccessDeniedError);
  });

  it('rewraps a provider-written record under the KEK, keeping the data key', async () => {
    const ctx = context({ category: 7 });
    const envelope = await sealRecord(text('report'), ctx, { recipients: [patientKey.publicKey] });
    const before = await openRecord(envelope, { identity: patientKey });
    const rewrapped = await rewrapRecord(
      envelope,
      { identity: patientKey },
      { kek: await deriveKek(patientKey, patient, 0, 7) },
    );
    const after = await openRecord(rewrapped, patientKeys, ctx);
    assert.deepEqual(after.plaintext, text('report'));
    assert.deepEqual(after.dataKey, before.dataKey);
  });

  it('validates the context and wrapping, listing every issue', async () => {
    await assert.rejects(
      sealRecord(text('x'), { patient: '0x12' as Address, recordUid: '0x00', version: -1, category: 32, epoch: 0 }, {}),
      (error: unknown) => error instanceof ValidationError && error.issues.length === 4,
    );
    await assert.rejects(sealRecord(text('x'), context(), {}), ValidationError);
  });

  it('inspectRecord reads the claimed context', async () => {
    const ctx = context({ epoch: 9 });
    assert.deepEqual(inspectRecord(await patientRecord(undefined, ctx)), ctx);
  });

  it('turns arbitrary and mutated input into IntegrityError, never another failure', async () => {
    const valid = await patientRecord(text('{}'));
    const mutated = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.nat({ max: valid.length - 1 }).map((end) => valid.slice(0, end)),
      fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([index, xor]) => {
        const copy = valid.slice();
        copy[index] = (copy[index] as number) ^ xor;
        return copy;
      }),
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((extra) => Uint8Array.of(...valid, ...extra)),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async (bytes) => {
        await assert.rejects(openRecord(bytes, patientKeys), isIntegrityError);
      }),
      { numRuns: 400 },
    );
  });
});
