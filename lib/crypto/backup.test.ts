import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { IntegrityError, ValidationError } from '../errors';
import { backupIdentityKey, restoreIdentityKey } from './backup';
import { ByteWriter } from './bytes';
import { generateIdentityKey } from './identity';

const account = '0x00000000000000000000000000000000000000A1';
const other = '0x00000000000000000000000000000000000000B2';
const owner = { account, keyVersion: 3 } as const;
const cheap = { logN: 4, r: 8, p: 1 };
const passphrase = 'a long enough passphrase';

describe('backupIdentityKey / restoreIdentityKey', () => {
  it('round-trips under the right passphrase', async () => {
    const key = generateIdentityKey();
    const blob = await backupIdentityKey(key, passphrase, owner, cheap);
    assert.deepEqual(await restoreIdentityKey(blob, passphrase, account), key);
  });

  it('refuses a wrong passphrase with IntegrityError', async () => {
    const blob = await backupIdentityKey(generateIdentityKey(), passphrase, owner, cheap);
    await assert.rejects(restoreIdentityKey(blob, `${passphrase}!`, account), IntegrityError);
  });

  it('refuses a backup of another account', async () => {
    const blob = await backupIdentityKey(generateIdentityKey(), passphrase, owner, cheap);
    await assert.rejects(restoreIdentityKey(blob, passphrase, other), IntegrityError);
  });

  it('detects every altered byte', async () => {
    const blob = await backupIdentityKey(generateIdentityKey(), passphrase, owner, cheap);
    for (let index = 0; index < blob.length; index++) {
      const tampered = blob.slice();
      tampered[index] = (tampered[index] as number) ^ 0x01;
      await assert.rejects(restoreIdentityKey(tampered, passphrase, account), IntegrityError, `byte ${index}`);
    }
  });

  it('rejects short passphrases and bad owners with every issue listed', async () => {
    await assert.rejects(
      backupIdentityKey(generateIdentityKey(), 'short', { account: '0x1234', keyVersion: -1 }, cheap),
      (error: unknown) => error instanceof ValidationError && error.issues.length === 3,
    );
  });

  it('refuses hostile cost parameters before running scrypt', async () => {
    const hostile = new ByteWriter()
      .bytes(new TextEncoder().encode('MLKB'))
      .u8(1)
      .bytes(new Uint8Array(20).fill(0xa1))
      .u32(1)
      .u8(30)
      .u8(8)
      .u8(1)
      .bytes(new Uint8Array(16 + 12 + 48))
      .finish();
    await assert.rejects(restoreIdentityKey(hostile, passphrase, account), IntegrityError);
  });

  it('parses arbitrary bytes into IntegrityError only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        await assert.rejects(restoreIdentityKey(bytes, passphrase, account), IntegrityError);
      }),
      { numRuns: 200 },
    );
  });
});
