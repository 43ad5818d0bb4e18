import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { x25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import type { Address } from 'viem';

import { AccessDeniedError, IntegrityError } from '../errors';
import { deriveKey } from './aead';
import { newRecordUid } from './context';
import { sealTo, openSealed } from './ecies';
import { generateIdentityKey, identityKeyFromSecret, type RawIdentityKey } from './identity';
import { deriveKek, patientKekResolver } from './kek';
import { createKeyring, openKeyring } from './keyring';
import { openRecord, sealRecord } from './record';
import { importIdentityCryptoKeys, supportsWebCryptoIdentity, webCryptoIdentityKey } from './webcrypto-identity';

const patient: Address = '0x00000000000000000000000000000000000000A1';
const doctor: Address = '0x00000000000000000000000000000000000000D0';
const text = (value: string) => new TextEncoder().encode(value);

async function asWebCrypto(identity: RawIdentityKey) {
  return webCryptoIdentityKey(identity.publicKey, await importIdentityCryptoKeys(identity));
}

describe('WebCrypto-backed identity keys', () => {
  it('are supported by this Node (WebCrypto X25519 and HKDF agree with @noble)', async () => {
    assert.equal(await supportsWebCryptoIdentity(), true);
  });

  it('agree on the same X25519 shared secret as @noble for any secret and peer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (secret, peerSecret) => {
          const identity = identityKeyFromSecret(new Uint8Array(secret));
          const peer = x25519.getPublicKey(new Uint8Array(peerSecret));
          const webCrypto = await asWebCrypto(identity);
          assert.deepEqual(await webCrypto.ops.ecdh(peer), x25519.getSharedSecret(identity.secretKey, peer));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('derive the same HKDF bytes as aead deriveKey for any salt and info', async () => {
    const identity = generateIdentityKey();
    const webCrypto = await asWebCrypto(identity);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), async (salt, info) => {
        assert.deepEqual(await webCrypto.ops.hkdf(salt, info), deriveKey(identity.secretKey, salt, info));
      }),
      { numRuns: 40 },
    );
  });

  it('derive the same KEKs as the raw identity', async () => {
    const identity = generateIdentityKey();
    const webCrypto = await asWebCrypto(identity);
    for (const [epoch, category] of [
      [0, 0],
      [0, 31],
      [7, 3],
      [0xffffffff, 12],
    ] as const) {
      assert.deepEqual(
        await deriveKek(webCrypto, patient, epoch, category),
        await deriveKek(identity, patient, epoch, category),
      );
    }
  });

  it("derive each of the patient's KEKs once per resolver, however many records ask", async () => {
    const identity = generateIdentityKey();
    const webCrypto = await asWebCrypto(identity);
    let derivations = 0;
    const hkdf = (salt: Uint8Array, info: Uint8Array) => {
      derivations++;
      return webCrypto.ops.hkdf(salt, info);
    };
    const counted = { ...webCrypto, ops: { ...webCrypto.ops, hkdf } };
    const resolver = patientKekResolver(counted, patient);
    const keks = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => resolver(index % 2, 3)));
    assert.equal(derivations, 2);
    assert.deepEqual(keks[4], await deriveKek(identity, patient, 0, 3));
    assert.deepEqual(keks[5], await deriveKek(identity, patient, 1, 3));
  });

  it('refuse a low-order ephemeral key as IntegrityError, as the raw identity does', async () => {
    const identity = generateIdentityKey();
    const webCrypto = await asWebCrypto(identity);
    const sealed = await sealTo(identity.publicKey, text('key'), text('info'), text('aad'));
    const lowOrder = { ...sealed, ephemeralPublicKey: new Uint8Array(32) };
    await assert.rejects(openSealed(identity, lowOrder, text('info'), text('aad'), 'test'), IntegrityError);
    await assert.rejects(openSealed(webCrypto, lowOrder, text('info'), text('aad'), 'test'), IntegrityError);
  });

  it('hold the secret in keys page script cannot export', async () => {
    const keys = await importIdentityCryptoKeys(generateIdentityKey());
    for (const key of [keys.x25519, keys.hkdf]) {
      assert.equal(key.extractable, false);
      await assert.rejects(globalThis.crypto.subtle.exportKey('raw', key));
      await assert.rejects(globalThis.crypto.subtle.exportKey('pkcs8', key));
      await assert.rejects(globalThis.crypto.subtle.exportKey('jwk', key));
    }
  });

  it('open a record written with the raw identity, by KEK and by recipient slot', async () => {
    const patientKey = generateIdentityKey();
    const providerKey = generateIdentityKey();
    const context = { patient, recordUid: newRecordUid(), version: 1, category: 4, epoch: 2 };
    const envelope = await sealRecord(text('{"resourceType":"Condition"}'), context, {
      kek: await deriveKek(patientKey, patient, 2, 4),
      recipients: [providerKey.publicKey],
    });
    const asPatient = await asWebCrypto(patientKey);
    const byKek = await openRecord(envelope, { kek: patientKekResolver(asPatient, patient) }, context);
    assert.deepEqual(byKek.plaintext, text('{"resourceType":"Condition"}'));
    const bySlot = await openRecord(envelope, { identity: await asWebCrypto(providerKey) }, context);
    assert.deepEqual(bySlot.plaintext, byKek.plaintext);
    await assert.rejects(
      openRecord(envelope, { identity: await asWebCrypto(generateIdentityKey()) }),
      AccessDeniedError,
    );
  });

  it('open a keyring sealed to the raw identity, and make one the raw identity opens', async () => {
    const patientKey = generateIdentityKey();
    const doctorKey = generateIdentityKey();
    const terms = { patient, grantee: doctor, granteePublicKey: doctorKey.publicKey, epoch: 1, categories: [2, 5] };

    const fromRaw = await createKeyring(patientKey, terms);
    const openedByWebCrypto = await openKeyring(fromRaw, await asWebCrypto(doctorKey), { patient, grantee: doctor });
    const fromWebCrypto = await createKeyring(await asWebCrypto(patientKey), terms);
    const openedByRaw = await openKeyring(fromWebCrypto, doctorKey, { patient, grantee: doctor });
    for (const category of [2, 5]) {
      for (const epoch of [0, 1]) {
        const expected = await deriveKek(patientKey, patient, epoch, category);
        assert.deepEqual(openedByWebCrypto.kek(epoch, category), expected);
        assert.deepEqual(openedByRaw.kek(epoch, category), expected);
      }
    }
  });
});
