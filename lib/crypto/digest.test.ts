import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';

import { createIncrementalHash, digest, type DigestAlgorithm } from './digest';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const ascii = (text: string) => new TextEncoder().encode(text);

/** Reference implementations the native path must agree with. */
const REFERENCE: Record<DigestAlgorithm, (data: Uint8Array) => Uint8Array> = {
  'SHA-1': (data) => sha1(data),
  'SHA-256': (data) => sha256(data),
};

/** `data` cut at the given offsets (sorted, clamped), as the pieces of a stream. */
function cut(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((offset) => offset % (data.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    pieces.push(data.subarray(start, point));
    start = point;
  }
  return pieces;
}

describe('digest', () => {
  it('matches the FIPS 180 test vectors', async () => {
    assert.equal(hex(await digest('SHA-1', ascii('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(
      hex(await digest('SHA-256', ascii('abc'))),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    assert.equal(hex(await digest('SHA-1', new Uint8Array(0))), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('agrees with @noble/hashes and WebCrypto on any bytes, including views into larger buffers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<DigestAlgorithm>('SHA-1', 'SHA-256'),
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat(64),
        async (algorithm, bytes, skip) => {
          const view = bytes.subarray(Math.min(skip, bytes.length));
          const expected = hex(REFERENCE[algorithm](view));
          assert.equal(hex(await digest(algorithm, view)), expected);
          assert.equal(hex(new Uint8Array(await crypto.subtle.digest(algorithm, view.slice()))), expected);
        },
      ),
    );
  });

  it('hashes a stream cut anywhere into pieces exactly as the whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<DigestAlgorithm>('SHA-1', 'SHA-256'),
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (algorithm, bytes, offsets) => {
          const hash = createIncrementalHash(algorithm);
          for (const piece of cut(bytes, offsets)) hash.update(piece);
          assert.equal(hex(hash.digest()), hex(await digest(algorithm, bytes)));
        },
      ),
    );
  });

  it('returns plain Uint8Arrays, never Node Buffers, so they compare equal to other byte arrays', async () => {
    const expected = new Uint8Array(REFERENCE['SHA-256'](ascii('one')));
    const oneShot = await digest('SHA-256', ascii('one'));
    const hash = createIncrementalHash('SHA-256');
    hash.update(ascii('one'));
    for (const actual of [oneShot, hash.digest()]) {
      assert.equal(Object.getPrototypeOf(actual), Uint8Array.prototype);
      assert.deepStrictEqual(actual, expected);
    }
  });
});
