import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { bytesToHex, hashTypedData, hexToBytes, recoverTypedDataAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { ValidationError } from '../errors';
import { inspectKeyBackup, restoreIdentityKey } from './backup';
import { enrollIdentity } from './enroll';
import { deriveIdentityKey, encryptionKeyTypedData, sameSignature } from './identity';

const privateKey = `0x${'11'.repeat(32)}` as const;
const account = privateKeyToAccount(privateKey);
const typedData = encryptionKeyTypedData({ account: account.address, chainId: 31337 });
const cheapScrypt = { logN: 4, r: 8, p: 1 };
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Re-encodes a 65-byte signature with another v byte. */
function withV(signature: Hex, v: number): Hex {
  const bytes = hexToBytes(signature);
  bytes[64] = v;
  return bytesToHex(bytes);
}

describe('encryptionKeyTypedData', () => {
  it('is signable typed data whose signature recovers the account', async () => {
    const signature = await account.signTypedData(typedData);
    assert.equal(await recoverTypedDataAddress({ ...typedData, signature }), account.address);
  });

  it('binds chain and key version', () => {
    const other = encryptionKeyTypedData({ account: account.address, chainId: 1 });
    const rotated = encryptionKeyTypedData({ account: account.address, chainId: 31337, keyVersion: 2 });
    assert.notEqual(hashTypedData(typedData), hashTypedData(other));
    assert.notEqual(hashTypedData(typedData), hashTypedData(rotated));
  });

  it('rejects a key version that is not a uint32', () => {
    assert.throws(
      () => encryptionKeyTypedData({ account: account.address, chainId: 1, keyVersion: -1 }),
      ValidationError,
    );
  });
});

describe('deriveIdentityKey', () => {
  it('derives the same key from the same signature', async () => {
    const signature = await account.signTypedData(typedData);
    assert.deepEqual(deriveIdentityKey(signature), deriveIdentityKey(await account.signTypedData(typedData)));
  });

  it('ignores how v is encoded (27/28 vs 0/1)', async () => {
    const signature = await account.signTypedData(typedData);
    const v = hexToBytes(signature)[64] as number;
    assert.ok(v === 27 || v === 28);
    assert.deepEqual(deriveIdentityKey(withV(signature, v - 27)), deriveIdentityKey(signature));
  });

  it('accepts the EIP-2098 compact form and a high-s twin of the same signature', async () => {
    const signature = await account.signTypedData(typedData);
    const bytes = hexToBytes(signature);
    const yParity = (bytes[64] as number) - 27;
    const compact = bytes.slice(0, 64);
    compact[32] = (compact[32] as number) | (yParity << 7);
    const s = BigInt(bytesToHex(bytes.slice(32, 64)));
    const highS = bytes.slice();
    highS.set(hexToBytes(`0x${(N - s).toString(16).padStart(64, '0')}`), 32);
    const expected = deriveIdentityKey(signature);
    assert.deepEqual(deriveIdentityKey(bytesToHex(compact)), expected);
    assert.deepEqual(deriveIdentityKey(bytesToHex(highS)), expected);
  });

  it('gives another key for another key version or account', async () => {
    const base = deriveIdentityKey(await account.signTypedData(typedData));
    const rotated = deriveIdentityKey(
      await account.signTypedData(encryptionKeyTypedData({ account: account.address, chainId: 31337, keyVersion: 2 })),
    );
    assert.notDeepEqual(rotated.publicKey, base.publicKey);
  });

  it('throws ValidationError for anything that is not a signature', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array({ maxLength: 80 }).map((b) => bytesToHex(b)),
        ),
        (input) => {
          try {
            deriveIdentityKey(input as Hex);
            return hexToBytes(input as Hex).length >= 64;
          } catch (error) {
            return error instanceof ValidationError;
          }
        },
      ),
    );
    assert.throws(() => deriveIdentityKey(`0x${'00'.repeat(65)}`), ValidationError);
  });
});

describe('enrollIdentity', () => {
  it('uses the derived key when the wallet signs deterministically', async () => {
    let prompted = false;
    const enrollment = await enrollIdentity({
      account: account.address,
      chainId: 31337,
      signTypedData: (data) => account.signTypedData(data),
      choosePassphrase: async () => {
        prompted = true;
        return 'never asked for this';
      },
    });
    assert.equal(enrollment.method, 'signature');
    assert.equal(prompted, false);
    assert.deepEqual(enrollment.key, deriveIdentityKey(await account.signTypedData(typedData)));
  });

  it('falls back to a random key backed up under a passphrase when signatures differ', async () => {
    // A hedged signer (random nonce, as hardware wallets with anti-exfil do): valid, never repeated.
    const hedgedSign = async (data: typeof typedData): Promise<Hex> => {
      const recovered = secp256k1.sign(hexToBytes(hashTypedData(data)), hexToBytes(privateKey), {
        prehash: false,
        format: 'recovered',
        extraEntropy: true,
      });
      const signature = bytesToHex(Uint8Array.of(...recovered.subarray(1), 27 + (recovered[0] as number)));
      assert.equal(await recoverTypedDataAddress({ ...data, signature }), account.address);
      return signature;
    };
    const first = await hedgedSign(typedData);
    assert.equal(sameSignature(first, await hedgedSign(typedData)), false);

    const passphrase = 'correct horse battery staple';
    const enrollment = await enrollIdentity({
      account: account.address,
      chainId: 31337,
      signTypedData: hedgedSign,
      choosePassphrase: async () => passphrase,
      scryptParams: cheapScrypt,
    });
    assert.equal(enrollment.method, 'backup');
    if (enrollment.method !== 'backup') return;
    assert.deepEqual(inspectKeyBackup(enrollment.backup), {
      account: account.address,
      keyVersion: 1,
      params: cheapScrypt,
    });
    assert.deepEqual(await restoreIdentityKey(enrollment.backup, passphrase, account.address), enrollment.key);
  });
});
