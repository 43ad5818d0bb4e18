import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { IntegrityError } from '../errors';
import { type BlobStorage, lruBlobCache, memoryBlobStorage } from './blob-cache';
import { computeCid } from './cid';
import type { KuboRPCClient } from './client';
import { fetchVerified } from './fetch';

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (length: number, fill: number) => new Uint8Array(length).fill(fill);

/** A clock the test moves by hand. */
function clock() {
  let time = 0;
  return { now: () => ++time };
}

/** An IPFS node that serves `content` by CID and counts what it was asked for. */
function fakeNode(content: Map<string, Uint8Array>) {
  const cats: string[] = [];
  const client = {
    async *cat(cid: { toString(): string }) {
      cats.push(cid.toString());
      const bytes = content.get(cid.toString());
      if (!bytes) throw new Error('not found');
      yield bytes;
    },
    getEndpointConfig: () => ({ protocol: 'http:', host: 'fake-node', port: '' }),
  } as unknown as KuboRPCClient;
  return { client, cats };
}

/** Resolves once the cache wrote `cid` (fetchVerified stores without waiting). */
async function stored(storage: ReturnType<typeof memoryBlobStorage>, cid: string): Promise<void> {
  for (let tries = 0; tries < 100 && !storage.blobs.has(cid); tries++) await new Promise((r) => setImmediate(r));
  assert.ok(storage.blobs.has(cid), `${cid} was cached`);
}

describe('lruBlobCache', () => {
  it('returns what was put, and nothing for what was not', async () => {
    const cache = lruBlobCache(memoryBlobStorage());
    await cache.put('a', bytesOf(10, 1));
    assert.deepEqual(await cache.get('a'), bytesOf(10, 1));
    assert.equal(await cache.get('b'), undefined);
  });

  it('keeps the total under its bound by evicting the least recently used entries', async () => {
    const storage = memoryBlobStorage();
    const cache = lruBlobCache(storage, { maxBytes: 300, maxEntryBytes: 300, ...clock() });
    await cache.put('a', bytesOf(100, 1));
    await cache.put('b', bytesOf(100, 2));
    await cache.put('c', bytesOf(100, 3));
    await cache.get('a'); // a is now more recent than b
    await cache.put('d', bytesOf(100, 4));
    assert.deepEqual([...storage.blobs.keys()].sort(), ['a', 'c', 'd']);
    await cache.put('e', bytesOf(250, 5));
    assert.deepEqual([...storage.blobs.keys()], ['e']);
  });

  it('does not keep a blob larger than its entry bound', async () => {
    const storage = memoryBlobStorage();
    const cache = lruBlobCache(storage, { maxBytes: 1_000 });
    await cache.put('big', bytesOf(126, 1));
    await cache.put('small', bytesOf(125, 1));
    assert.deepEqual([...storage.blobs.keys()], ['small']);
  });

  it('reads its index back from storage (a reload), uses included', async () => {
    const storage = memoryBlobStorage();
    const time = clock();
    const first = lruBlobCache(storage, { maxBytes: 200, maxEntryBytes: 200, ...time });
    await first.put('a', bytesOf(100, 1));
    await first.put('b', bytesOf(100, 2));
    await storage.touch([{ cid: 'a', size: 100, usedAt: time.now() }]);
    const reloaded = lruBlobCache(storage, { maxBytes: 200, maxEntryBytes: 200, ...time });
    assert.deepEqual(await reloaded.get('b'), bytesOf(100, 2));
    await reloaded.put('c', bytesOf(100, 3));
    // b was used after a was touched, so a goes.
    assert.deepEqual([...storage.blobs.keys()].sort(), ['b', 'c']);
  });

  it('treats a failing storage as a miss, never as an error', async () => {
    const broken: BlobStorage = {
      entries: () => Promise.reject(new Error('quota')),
      read: () => Promise.reject(new Error('quota')),
      write: () => Promise.reject(new Error('quota')),
      touch: () => Promise.reject(new Error('quota')),
      remove: () => Promise.reject(new Error('quota')),
    };
    const cache = lruBlobCache(broken);
    await cache.put('a', bytesOf(10, 1));
    assert.equal(await cache.get('a'), undefined);
    await cache.delete('a');
  });
});

describe('fetchVerified with a cache', () => {
  it('serves a second read from the cache without asking the node', async () => {
    const bytes = bytesOf(5_000, 7);
    const cid = await computeCid(bytes);
    const node = fakeNode(new Map([[cid, bytes]]));
    const storage = memoryBlobStorage();
    const cache = lruBlobCache(storage);
    assert.deepEqual(await fetchVerified(node.client, cid, sha256Hex(bytes), { cache }), bytes);
    await stored(storage, cid);
    assert.deepEqual(await fetchVerified(node.client, cid, sha256Hex(bytes), { cache }), bytes);
    assert.deepEqual(node.cats, [cid]);
  });

  it('verifies cached bytes: altered ones are dropped and fetched again from the node', async () => {
    const bytes = bytesOf(5_000, 8);
    const cid = await computeCid(bytes);
    const node = fakeNode(new Map([[cid, bytes]]));
    const storage = memoryBlobStorage();
    const cache = lruBlobCache(storage);
    await fetchVerified(node.client, cid, sha256Hex(bytes), { cache });
    await stored(storage, cid);
    const kept = storage.blobs.get(cid)!;
    kept[10] = kept[10]! ^ 0xff;
    assert.deepEqual(await fetchVerified(node.client, cid, sha256Hex(bytes), { cache }), bytes);
    assert.deepEqual(node.cats, [cid, cid]);
    await stored(storage, cid);
    assert.deepEqual(storage.blobs.get(cid), bytes, 'the good bytes replace the altered ones');
  });

  it('checks the anchored hash on cached bytes too: a swapped CID is an IntegrityError', async () => {
    const bytes = bytesOf(2_000, 9);
    const anchored = bytesOf(2_000, 10);
    const cid = await computeCid(bytes);
    const node = fakeNode(new Map([[cid, bytes]]));
    const storage = memoryBlobStorage();
    const cache = lruBlobCache(storage);
    await fetchVerified(node.client, cid, sha256Hex(bytes), { cache });
    await stored(storage, cid);
    await assert.rejects(
      fetchVerified(node.client, cid, sha256Hex(anchored), { cache }),
      (error: unknown) => error instanceof IntegrityError && /anchored ciphertext hash/.test(error.message),
    );
  });

  it('keeps nothing the node sent that fails verification', async () => {
    const bytes = bytesOf(3_000, 11);
    const cid = await computeCid(bytes);
    const node = fakeNode(new Map([[cid, bytesOf(3_000, 12)]]));
    const storage = memoryBlobStorage();
    await assert.rejects(fetchVerified(node.client, cid, undefined, { cache: lruBlobCache(storage) }), IntegrityError);
    await new Promise((r) => setImmediate(r));
    assert.equal(storage.blobs.size, 0);
  });

  it('serves nothing larger than the read accepts from the cache', async () => {
    const bytes = bytesOf(3_000, 13);
    const cid = await computeCid(bytes);
    const node = fakeNode(new Map([[cid, bytes]]));
    const storage = memoryBlobStorage();
    const cache = lruBlobCache(storage);
    await fetchVerified(node.client, cid, undefined, { cache });
    await stored(storage, cid);
    await assert.rejects(fetchVerified(node.client, cid, undefined, { cache, maxBytes: 2_999 }), IntegrityError);
    assert.equal(node.cats.length, 2, 'the over-long cached blob went back to the node, which the bound stops');
  });
});
