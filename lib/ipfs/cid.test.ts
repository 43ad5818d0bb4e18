import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CID } from 'multiformats/cid';
import { ValidationError } from '../errors';
import { computeCid, KUBO_DEFAULT_UNIXFS, MEDLEDGER_UNIXFS, parseChunker, parseCid } from './cid';
import { deterministicBytes, LAYOUT_BOUNDARY_SIZES, referenceCids } from './node/testing';

const CHUNK = 262_144;

describe('computeCid', () => {
  for (const size of LAYOUT_BOUNDARY_SIZES) {
    it(`matches ipfs_cid's Kubo-default CIDv0 and CIDv1 for ${size} bytes`, async () => {
      const bytes = deterministicBytes(size, size + 1);
      const reference = await referenceCids(bytes);
      const cid = await computeCid(bytes, KUBO_DEFAULT_UNIXFS);
      assert.equal(cid, reference.CIDv0);
      // ipfs_cid's CIDv1 is the same dag-pb root re-encoded, not a CIDv1 import (which would use raw leaves).
      assert.equal(CID.parse(cid).toV1().toString(), reference.CIDv1);
    });
  }

  it('gives a single raw block (bafk…) up to one chunk and a dag-pb root (bafy…) above, with MedLedger parameters', async () => {
    const small = CID.parse(await computeCid(deterministicBytes(CHUNK), MEDLEDGER_UNIXFS));
    const large = CID.parse(await computeCid(deterministicBytes(CHUNK + 1), MEDLEDGER_UNIXFS));
    assert.equal(small.version, 1);
    assert.equal(small.code, 0x55);
    assert.equal(large.version, 1);
    assert.equal(large.code, 0x70);
  });

  it('names content of one chunk or less as the importer does (the single raw block shortcut)', async () => {
    for (const size of [0, 1, 1_500, CHUNK - 1, CHUNK]) {
      const bytes = deterministicBytes(size, size + 3);
      // A list of pieces goes through the importer itself.
      assert.equal(await computeCid(bytes), await computeCid([bytes]), `${size} bytes`);
      assert.equal(await computeCid(bytes, KUBO_DEFAULT_UNIXFS), await computeCid([bytes], KUBO_DEFAULT_UNIXFS));
    }
  });

  it('depends only on the bytes, not on how they are split into pieces', async () => {
    const bytes = deterministicBytes(3 * CHUNK + 17);
    const pieces = [bytes.subarray(0, 5), bytes.subarray(5, CHUNK + 3), bytes.subarray(CHUNK + 3)];
    assert.equal(await computeCid(pieces), await computeCid(bytes));
  });

  it('changes when a single byte changes', async () => {
    const bytes = deterministicBytes(2 * CHUNK);
    const tampered = bytes.slice();
    tampered[CHUNK + 7] = (tampered[CHUNK + 7] ?? 0) ^ 1;
    assert.notEqual(await computeCid(tampered), await computeCid(bytes));
  });
});

describe('parseChunker', () => {
  it('accepts size-N up to 1 MiB', () => {
    assert.equal(parseChunker('size-262144'), 262_144);
    assert.equal(parseChunker('size-1048576'), 1_048_576);
  });

  it('rejects other chunkers and sizes out of range', () => {
    for (const chunker of ['rabin', 'buzhash', 'size-0', 'size-1048577', 'size-', 'size-12abc']) {
      assert.equal(parseChunker(chunker), undefined, chunker);
    }
  });
});

describe('parseCid', () => {
  it('parses v0 and v1 CIDs', () => {
    assert.equal(parseCid('QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH').version, 0);
    assert.equal(parseCid('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku').version, 1);
  });

  it('reports a malformed CID as a ValidationError naming the field', () => {
    assert.throws(
      () => parseCid('not-a-cid', 'record.cid'),
      (error: unknown) => error instanceof ValidationError && error.issues[0]?.path === 'record.cid',
    );
  });
});
