import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Address } from 'viem';

import { ValidationError } from '../errors';
import { generateIdentityKey } from './identity';
import { deriveKek } from './kek';
import {
  type KeptIdentity,
  type KeptIdentityStorage,
  forgetIdentity,
  keepIdentity,
  keptIdentityId,
  MAX_KEEP_UNLOCKED_MS,
  recallIdentity,
} from './kept-identity';

const account: Address = '0x00000000000000000000000000000000000000A1';
const HOUR = 3_600_000;

/** The storage as IndexedDB would hold it: entries structured-cloned in and out. */
function memoryStorage(): KeptIdentityStorage & { entries: Map<string, KeptIdentity> } {
  const entries = new Map<string, KeptIdentity>();
  return {
    entries,
    async get(id) {
      const entry = entries.get(id);
      return entry && structuredClone(entry);
    },
    async put(id, entry) {
      entries.set(id, structuredClone(entry));
    },
    async delete(id) {
      entries.delete(id);
    },
  };
}

describe('keeping an identity on this device', () => {
  it('stores non-extractable keys, never the secret bytes, and recalls an identity that derives the same KEKs', async () => {
    const storage = memoryStorage();
    const identity = generateIdentityKey();
    const kept = await keepIdentity(storage, {
      identity,
      account,
      chainId: 31337,
      keyVersion: 2,
      forMs: HOUR,
      now: 1_000,
    });
    assert.equal(kept.expiresAt, 1_000 + HOUR);

    const stored = storage.entries.get(keptIdentityId(account, 31337))!;
    assert.equal(stored.account, account.toLowerCase());
    assert.equal(stored.keyVersion, 2);
    assert.equal(stored.keys.x25519.extractable, false);
    assert.equal(stored.keys.hkdf.extractable, false);
    const secretHex = Buffer.from(identity.secretKey).toString('hex');
    const storedFields = JSON.stringify(stored, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value,
    );
    assert.ok(!storedFields.includes(secretHex), 'the raw secret is not in the entry');

    const recalled = await recallIdentity(storage, { account, chainId: 31337, now: 2_000 });
    assert.ok(recalled);
    assert.deepEqual(recalled.identity.publicKey, identity.publicKey);
    assert.equal(recalled.identity.secretKey, undefined);
    assert.deepEqual(await deriveKek(recalled.identity, account, 0, 1), await deriveKek(identity, account, 0, 1));
  });

  it('recalls nothing for another account or chain', async () => {
    const storage = memoryStorage();
    await keepIdentity(storage, {
      identity: generateIdentityKey(),
      account,
      chainId: 31337,
      keyVersion: 1,
      forMs: HOUR,
      now: 0,
    });
    const other: Address = '0x00000000000000000000000000000000000000B2';
    assert.equal(await recallIdentity(storage, { account: other, chainId: 31337, now: 1 }), undefined);
    assert.equal(await recallIdentity(storage, { account, chainId: 1, now: 1 }), undefined);
    assert.equal(storage.entries.size, 1, 'the entry of the other chain stays');
  });

  it('deletes an expired entry when asked for it', async () => {
    const storage = memoryStorage();
    await keepIdentity(storage, {
      identity: generateIdentityKey(),
      account,
      chainId: 31337,
      keyVersion: 1,
      forMs: HOUR,
      now: 0,
    });
    assert.ok(await recallIdentity(storage, { account, chainId: 31337, now: HOUR - 1 }));
    assert.equal(await recallIdentity(storage, { account, chainId: 31337, now: HOUR }), undefined);
    assert.equal(storage.entries.size, 0);
  });

  it('deletes an entry that is malformed or claims more than seven days', async () => {
    const storage = memoryStorage();
    await keepIdentity(storage, {
      identity: generateIdentityKey(),
      account,
      chainId: 31337,
      keyVersion: 1,
      forMs: HOUR,
      now: 0,
    });
    const id = keptIdentityId(account, 31337);
    storage.entries.set(id, { ...storage.entries.get(id)!, expiresAt: MAX_KEEP_UNLOCKED_MS + 1 });
    assert.equal(await recallIdentity(storage, { account, chainId: 31337, now: 1 }), undefined);
    assert.equal(storage.entries.size, 0);
  });

  it('refuses a duration outside (0, 7 days]', async () => {
    for (const forMs of [0, -1, MAX_KEEP_UNLOCKED_MS + 1, Number.NaN]) {
      await assert.rejects(
        keepIdentity(memoryStorage(), { identity: generateIdentityKey(), account, chainId: 1, keyVersion: 1, forMs }),
        ValidationError,
      );
    }
  });

  it('forgets on lock', async () => {
    const storage = memoryStorage();
    await keepIdentity(storage, {
      identity: generateIdentityKey(),
      account,
      chainId: 31337,
      keyVersion: 1,
      forMs: HOUR,
    });
    await forgetIdentity(storage, { account: account.toUpperCase().replace('0X', '0x'), chainId: 31337 });
    assert.equal(await recallIdentity(storage, { account, chainId: 31337 }), undefined);
  });
});
