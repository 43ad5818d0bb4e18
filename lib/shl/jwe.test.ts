/** Our WebCrypto JWE against `jose`, an independent implementation, both ways. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CompactEncrypt, base64url, compactDecrypt } from 'jose';

import { IntegrityError, ValidationError } from '../errors';
import { decryptJwe, encryptJwe } from './jwe';
import { random256 } from './payload';

const text = JSON.stringify({
  resourceType: 'Bundle',
  type: 'collection',
  entry: Array(50).fill({ resource: { resourceType: 'AllergyIntolerance' } }),
});
const plaintext = new TextEncoder().encode(text);

describe('JWE dir + A256GCM', () => {
  for (const zip of [false, true]) {
    it(`jose opens what we encrypt${zip ? ' with zip DEF' : ''}`, async () => {
      const key = random256();
      const jwe = await encryptJwe(plaintext, key, { cty: 'application/fhir+json', zip });
      const opened = await compactDecrypt(jwe, base64url.decode(key));
      assert.deepEqual(opened.protectedHeader, {
        alg: 'dir',
        enc: 'A256GCM',
        cty: 'application/fhir+json',
        ...(zip ? { zip: 'DEF' } : {}),
      });
      assert.equal(new TextDecoder().decode(opened.plaintext), text);
    });
  }

  it('compresses with zip DEF', async () => {
    const key = random256();
    const plain = await encryptJwe(plaintext, key, { cty: 'application/fhir+json' });
    const zipped = await encryptJwe(plaintext, key, { cty: 'application/fhir+json', zip: true });
    assert.ok(zipped.length < plain.length / 4, `${zipped.length} vs ${plain.length}`);
  });

  it('opens what jose encrypts, with and without zip', async () => {
    const key = random256();
    for (const header of [
      { alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json' },
      { alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json', zip: 'DEF' },
    ]) {
      const jwe = await new CompactEncrypt(plaintext).setProtectedHeader(header).encrypt(base64url.decode(key));
      const opened = await decryptJwe(jwe, key);
      assert.equal(new TextDecoder().decode(opened.plaintext), text);
      assert.equal(opened.header.cty, 'application/fhir+json');
    }
  });

  it('draws a fresh IV for every encryption', async () => {
    const key = random256();
    const a = await encryptJwe(plaintext, key, { cty: 'application/fhir+json' });
    const b = await encryptJwe(plaintext, key, { cty: 'application/fhir+json' });
    assert.notEqual(a.split('.')[2], b.split('.')[2]);
  });

  it('refuses another key, an altered ciphertext and an altered header', async () => {
    const key = random256();
    const jwe = await encryptJwe(plaintext, key, { cty: 'application/fhir+json' });
    await assert.rejects(decryptJwe(jwe, random256()), IntegrityError);
    const parts = jwe.split('.');
    const flipped = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    await assert.rejects(decryptJwe([parts[0], '', parts[2], flipped, parts[4]].join('.'), key), IntegrityError);
    const header = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', cty: 'text/plain' })).toString('base64url');
    await assert.rejects(decryptJwe([header, '', parts[2], parts[3], parts[4]].join('.'), key), IntegrityError);
    await assert.rejects(decryptJwe('a.b.c', key), ValidationError);
  });
});
