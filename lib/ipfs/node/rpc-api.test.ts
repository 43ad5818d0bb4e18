import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import all from 'it-all';
import { equals } from 'multiformats/bytes';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { computeCid, MEDLEDGER_UNIXFS } from '../cid';
import {
  deterministicBytes,
  LAYOUT_BOUNDARY_SIZES,
  referenceCids,
  startTemporaryNode,
  type TemporaryNode,
} from './testing';

const MEDLEDGER_ADD = { cidVersion: 1, rawLeaves: true, chunker: 'size-262144', pin: true } as const;

async function cat(temporary: TemporaryNode, cid: CID | string, options: { offset?: number; length?: number } = {}) {
  return Buffer.concat(await all(temporary.client.cat(cid, options)));
}

async function rpc(temporary: TemporaryNode, path: string, init: RequestInit = {}) {
  return fetch(`${temporary.node.apiUrl}/api/v0/${path}`, { method: 'POST', ...init });
}

async function storedBlockFiles(dataDir: string): Promise<string[]> {
  const entries = await readdir(join(dataDir, 'blocks'), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('RPC API', () => {
  let temporary: TemporaryNode;
  before(async () => {
    temporary = await startTemporaryNode({ maxUploadBytes: 4 * 1_048_576 });
  });
  after(() => temporary.dispose());

  describe('add and cat', () => {
    it('round-trips bytes through kubo-rpc-client with MedLedger parameters', async () => {
      const bytes = deterministicBytes(600_000);
      const { cid, size } = await temporary.client.add(bytes, MEDLEDGER_ADD);
      assert.equal(cid.toString(), await computeCid(bytes, MEDLEDGER_UNIXFS));
      assert.ok(size > bytes.length, 'Size is the cumulative DAG size, including the root node');
      assert.deepEqual(await cat(temporary, cid), Buffer.from(bytes));
    });

    it('serves a byte range with offset and length', async () => {
      const bytes = deterministicBytes(700_000, 7);
      const { cid } = await temporary.client.add(bytes, MEDLEDGER_ADD);
      assert.deepEqual(
        await cat(temporary, cid, { offset: 262_000, length: 1_000 }),
        Buffer.from(bytes.subarray(262_000, 263_000)),
      );
    });

    it('adds several files in one request, one result each, named as uploaded', async () => {
      const files = [
        { path: 'a.bin', content: deterministicBytes(10, 1) },
        { path: 'b.bin', content: deterministicBytes(20, 2) },
      ];
      const results = await all(temporary.client.addAll(files, MEDLEDGER_ADD));
      assert.deepEqual(
        results.map((result) => result.path),
        ['a.bin', 'b.bin'],
      );
      for (const [index, result] of results.entries()) {
        assert.equal(
          result.cid.toString(),
          await computeCid(files[index]?.content ?? new Uint8Array(), MEDLEDGER_UNIXFS),
        );
      }
    });

    it('reports the DAG size as Kubo does: the block size for a single-block file', async () => {
      const { cid, size } = await temporary.client.add(deterministicBytes(1), { pin: false });
      const stat = await temporary.client.block.stat(cid);
      assert.equal(size, stat.size);
    });

    it('with only-hash computes the CID but stores nothing', async () => {
      const bytes = deterministicBytes(5_000, 99);
      const blocksBefore = await storedBlockFiles(temporary.dataDir);
      const { cid } = await temporary.client.add(bytes, { ...MEDLEDGER_ADD, onlyHash: true });
      assert.equal(cid.toString(), await computeCid(bytes, MEDLEDGER_UNIXFS));
      assert.deepEqual(await storedBlockFiles(temporary.dataDir), blocksBefore);
    });

    it('calls the progress callback with the bytes read', async () => {
      const seen: number[] = [];
      await temporary.client.add(deterministicBytes(600_000, 3), {
        ...MEDLEDGER_ADD,
        progress: (bytes) => seen.push(bytes),
      });
      assert.equal(seen.at(-1), 600_000);
    });

    it('fails cat of content it does not have, without going to the network', async () => {
      const missing = await computeCid(deterministicBytes(64, 12_345), MEDLEDGER_UNIXFS);
      await assert.rejects(cat(temporary, missing), /not found locally \(offline\)/);
    });
  });

  describe('upload limit', () => {
    it('refuses an upload over the limit with HTTP 413 and a Kubo error, storing nothing', async () => {
      const blocksBefore = await storedBlockFiles(temporary.dataDir);
      const response = await rpc(temporary, 'add?cid-version=1', {
        headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
        body: Buffer.concat([
          Buffer.from('--x\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\n'),
          deterministicBytes(5 * 1_048_576),
          Buffer.from('\r\n--x--\r\n'),
        ]),
      });
      assert.equal(response.status, 413);
      const body = (await response.json()) as { Message: string; Code: number; Type: string };
      assert.equal(body.Type, 'error');
      assert.equal(body.Code, 1);
      assert.match(body.Message, /exceeds this node's limit of 4194304 bytes/);
      assert.deepEqual(await storedBlockFiles(temporary.dataDir), blocksBefore);
    });

    it('makes kubo-rpc-client fail with that message when streaming an oversized upload, and deletes what it wrote', async () => {
      const blocksBefore = await storedBlockFiles(temporary.dataDir);
      // Streamed without a length, so the node has imported and written 4 MiB before it can tell.
      await assert.rejects(
        temporary.client.add(deterministicBytes(6 * 1_048_576, 5), MEDLEDGER_ADD),
        /exceeds this node's limit/,
      );
      assert.deepEqual((await storedBlockFiles(temporary.dataDir)).sort(), blocksBefore.sort());
    });

    it('keeps every block of an upload that shares them with a concurrent one that fails', async () => {
      const shared = deterministicBytes(3 * 1_048_576, 41);
      let failed!: () => void;
      const failedUpload = new Promise<void>((resolve) => (failed = resolve));
      let sentShared!: () => void;
      const sharedSent = new Promise<void>((resolve) => (sentShared = resolve));
      // The failing upload writes the shared blocks first, then waits for the second upload to have
      // sent them too, then breaks the limit: its clean-up deletes blocks the second upload needs.
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield shared;
        await sharedSent;
        yield deterministicBytes(2 * 1_048_576, 42);
      }
      async function* succeeding(): AsyncGenerator<Uint8Array> {
        yield shared;
        sentShared();
        await failedUpload;
      }
      const failure = assert.rejects(temporary.client.add(failing(), MEDLEDGER_ADD), /exceeds this node's limit/);
      const success = temporary.client.add(succeeding(), MEDLEDGER_ADD);
      await failure;
      failed();
      const { cid } = await success;
      assert.equal(cid.toString(), await computeCid(shared, MEDLEDGER_UNIXFS));
      assert.ok(equals(await cat(temporary, cid), shared));
      // Every block is on disk, not only reachable from memory.
      await rpc(temporary, 'repo/gc');
      assert.ok(equals(await cat(temporary, cid), shared));
    });

    it('keeps the blocks of an upload still in flight through repo/gc, which they are on disk only for', async () => {
      // 14 chunks: the importer writes leaves in batches of 10, so the first ones are on disk while
      // the upload waits for its end.
      const bytes = deterministicBytes(14 * 262_144, 43);
      const firstLeaf = CID.createV1(0x55, await sha256.digest(bytes.subarray(0, 262_144)));
      const stored = (cid: CID) =>
        temporary.client.block.stat(cid).then(
          () => true,
          () => false,
        );
      let collected!: () => void;
      const gcDone = new Promise<void>((resolve) => (collected = resolve));
      async function* paused(): AsyncGenerator<Uint8Array> {
        yield bytes;
        await gcDone;
      }
      const adding = temporary.client.add(paused(), MEDLEDGER_ADD);
      // The leaves are written as they are imported, unpinned until the upload ends...
      while (!(await stored(firstLeaf))) await new Promise((resolve) => setTimeout(resolve, 10));
      // ...and a collection now leaves them alone.
      await rpc(temporary, 'repo/gc');
      assert.equal(await stored(firstLeaf), true);
      collected();
      const { cid } = await adding;
      assert.ok(equals(await cat(temporary, cid), bytes));
    });

    it('leaves nothing pinned and no block on disk when the client aborts an upload half-way', async () => {
      const blocksBefore = await storedBlockFiles(temporary.dataDir);
      const pinsBefore = await all(temporary.client.pin.ls());
      const bytes = deterministicBytes(3 * 1_048_576, 44);
      const firstLeaf = CID.createV1(0x55, await sha256.digest(bytes.subarray(0, 262_144)));
      const aborter = new AbortController();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      async function* halfThenHang(): AsyncGenerator<Uint8Array> {
        yield bytes;
        await held;
      }
      const adding = assert.rejects(temporary.client.add(halfThenHang(), { ...MEDLEDGER_ADD, signal: aborter.signal }));
      // Abort only once the node has demonstrably written part of the upload.
      while (!(await temporary.client.block.stat(firstLeaf).then(() => true, () => false))) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      aborter.abort();
      release();
      await adding;
      // The node cleans up once it notices the broken connection.
      const deadline = Date.now() + 10_000;
      while ((await storedBlockFiles(temporary.dataDir)).length !== blocksBefore.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual((await storedBlockFiles(temporary.dataDir)).sort(), blocksBefore.sort());
      assert.deepEqual(
        (await all(temporary.client.pin.ls())).map((pin) => pin.cid.toString()).sort(),
        pinsBefore.map((pin) => pin.cid.toString()).sort(),
      );
    });
  });

  describe('pins', () => {
    it('pins on add, lists, removes and re-adds a pin', async () => {
      const { cid } = await temporary.client.add(deterministicBytes(300_000, 11), MEDLEDGER_ADD);
      const listed = await all(temporary.client.pin.ls({ paths: [cid] }));
      assert.deepEqual(
        listed.map((pin) => [pin.cid.toString(), pin.type]),
        [[cid.toString(), 'recursive']],
      );
      assert.equal((await temporary.client.pin.rm(cid)).toString(), cid.toString());
      await assert.rejects(all(temporary.client.pin.ls({ paths: [cid] })), /is not pinned/);
      assert.equal((await temporary.client.pin.add(cid)).toString(), cid.toString());
      const everything = await all(temporary.client.pin.ls({ type: 'recursive' }));
      assert.ok(everything.some((pin) => pin.cid.equals(cid)));
    });

    it('reports a leaf of a pinned file as pinned indirectly', async () => {
      const bytes = deterministicBytes(300_000, 13);
      await temporary.client.add(bytes, MEDLEDGER_ADD);
      const firstLeaf = await computeCid(bytes.subarray(0, 262_144), MEDLEDGER_UNIXFS);
      const [pin] = await all(temporary.client.pin.ls({ paths: [CID.parse(firstLeaf)] }));
      assert.equal(pin?.type, 'indirect');
    });

    it('fails to remove a pin that does not exist', async () => {
      const { cid } = await temporary.client.add(deterministicBytes(10, 17), { pin: false });
      await assert.rejects(temporary.client.pin.rm(cid), /not pinned/);
    });

    it('commits concurrent uploads, sharing blocks or not, and keeps a shared block while a pin holds it', async () => {
      const shared = deterministicBytes(262_144, 31);
      const withTail = (seed: number) => new Uint8Array([...shared, ...deterministicBytes(1_000, seed)]);
      const [first, again, second, ...small] = await Promise.all([
        temporary.client.add(withTail(32), MEDLEDGER_ADD),
        temporary.client.add(withTail(32), MEDLEDGER_ADD),
        temporary.client.add(withTail(33), MEDLEDGER_ADD),
        ...Array.from({ length: 12 }, (_, index) =>
          temporary.client.add(deterministicBytes(1_000, 40 + index), MEDLEDGER_ADD),
        ),
      ]);
      assert.ok(first!.cid.equals(again!.cid));
      const recursive = await all(temporary.client.pin.ls({ type: 'recursive' }));
      for (const { cid } of [first!, second!, ...small]) assert.ok(recursive.some((pin) => pin.cid.equals(cid)));

      await temporary.client.pin.rm(first!.cid);
      await all(temporary.client.repo.gc());
      await assert.rejects(cat(temporary, first!.cid), /not found locally/);
      assert.deepEqual(await cat(temporary, second!.cid), Buffer.from(withTail(33)));
    });

    it('garbage-collects unpinned content and keeps pinned content', async () => {
      const kept = await temporary.client.add(deterministicBytes(1_000, 21), MEDLEDGER_ADD);
      const dropped = await temporary.client.add(deterministicBytes(1_000, 22), MEDLEDGER_ADD);
      await temporary.client.pin.rm(dropped.cid);
      const removed = await all(temporary.client.repo.gc());
      assert.ok(
        removed.some((entry) => entry.cid != null && equals(entry.cid.multihash.bytes, dropped.cid.multihash.bytes)),
      );
      await assert.rejects(cat(temporary, dropped.cid), /not found locally/);
      assert.equal((await cat(temporary, kept.cid)).length, 1_000);
    });
  });

  describe('id and version', () => {
    it('reports a parseable peer ID and no swarm addresses', async () => {
      const id = await temporary.client.id();
      assert.equal(id.id.toString(), temporary.node.peerId);
      assert.deepEqual(id.addresses, []);
      assert.match(id.agentVersion, /^medledger-ipfs\//);
    });

    it('reports a version', async () => {
      const version = await temporary.client.version();
      assert.match(String(version.version), /^\d+\.\d+\.\d+/);
    });
  });

  describe('request rules', () => {
    it('refuses requests from browsers (any Origin header) with 403', async () => {
      const response = await rpc(temporary, 'version', { headers: { Origin: 'http://localhost:3000' } });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
    });

    it('accepts only POST, like Kubo', async () => {
      const response = await fetch(`${temporary.node.apiUrl}/api/v0/version`);
      assert.equal(response.status, 405);
    });

    it('answers unknown endpoints with a Kubo error and 404', async () => {
      const response = await rpc(temporary, 'swarm/connect');
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as { Type: string }).Type, 'error');
    });
  });
});

describe('RPC API Kubo compatibility', () => {
  let temporary: TemporaryNode;
  before(async () => {
    temporary = await startTemporaryNode();
  });
  after(() => temporary.dispose());

  for (const size of LAYOUT_BOUNDARY_SIZES) {
    it(`returns the CID ipfs_cid computes for ${size} bytes with Kubo's default add parameters`, async () => {
      const bytes = deterministicBytes(size, size + 1);
      const reference = await referenceCids(bytes);
      const { cid } = await temporary.client.add(bytes, { pin: false });
      assert.equal(cid.toString(), reference.CIDv0);
      // With cid-version=1 and raw leaves off, single-chunk files keep the same root block, so the
      // root is ipfs_cid's CIDv1; larger files link their leaves by CIDv1, which changes the root.
      if (size <= 262_144) {
        const v1 = await temporary.client.add(bytes, { pin: false, cidVersion: 1, rawLeaves: false });
        assert.equal(v1.cid.toString(), reference.CIDv1);
      }
    });
  }
});
