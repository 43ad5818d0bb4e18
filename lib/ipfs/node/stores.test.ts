import assert from 'node:assert/strict';
import { access, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FsBlockstore } from 'blockstore-fs';
import { FsDatastore } from 'datastore-fs';
import { LevelDatastore } from 'datastore-level';
import { Key, type Pair } from 'interface-datastore';
import all from 'it-all';
import { CID } from 'multiformats/cid';
import { computeCid, MEDLEDGER_UNIXFS } from '../cid';
import { NodeDatastore } from './stores';
import { deterministicBytes, startTemporaryNode } from './testing';

const MEDLEDGER_ADD = { cidVersion: 1, rawLeaves: true, chunker: 'size-262144', pin: true } as const;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Every record of the node's LevelDB datastore. */
async function levelRecords(dataDir: string): Promise<Pair[]> {
  const level = new LevelDatastore(join(dataDir, 'datastore'));
  await level.open();
  try {
    return await all(level.query({}));
  } finally {
    await level.close();
  }
}

/** Writes records in the one-file-per-key format data dirs had before the LevelDB datastore. */
async function writeFileDatastore(dir: string, records: readonly Pair[]): Promise<void> {
  const old = new FsDatastore(dir);
  await old.open();
  for (const { key, value } of records) await old.put(key, value);
  await old.close();
}

/** A data dir of a node that pinned some content, its datastore turned back into the old format. */
async function oldDataDir() {
  const first = await startTemporaryNode();
  const bytes = deterministicBytes(900_000, 61);
  const { cid } = await first.client.add(bytes, MEDLEDGER_ADD);
  const peerId = first.node.peerId;
  await first.node.stop();
  const records = await levelRecords(first.dataDir);
  assert.ok(records.length > 4, 'the node keeps its identity and one record per pinned block');
  await rm(join(first.dataDir, 'datastore'), { recursive: true });
  return { dataDir: first.dataDir, bytes, cid, peerId, records };
}

describe('openStores', () => {
  it('moves the pins and identity of an old one-file-per-key datastore into LevelDB', async () => {
    const old = await oldDataDir();
    await writeFileDatastore(join(old.dataDir, 'datastore'), old.records);
    const second = await startTemporaryNode({ dataDir: old.dataDir });
    try {
      assert.equal(second.node.peerId, old.peerId);
      const [pin] = await all(second.client.pin.ls({ paths: [old.cid] }));
      assert.equal(pin?.type, 'recursive');
      assert.deepEqual(Buffer.concat(await all(second.client.cat(old.cid))), Buffer.from(old.bytes));
      assert.ok(await exists(join(old.dataDir, 'datastore', 'CURRENT')));
      assert.equal(await exists(join(old.dataDir, 'datastore.migrating')), false);
    } finally {
      await second.dispose();
    }
  });

  it('finishes a move that was interrupted after it started', async () => {
    const old = await oldDataDir();
    // Stopped after the old store was set aside and LevelDB got part of it.
    await writeFileDatastore(join(old.dataDir, 'datastore'), old.records);
    await rename(join(old.dataDir, 'datastore'), join(old.dataDir, 'datastore.migrating'));
    const partial = new LevelDatastore(join(old.dataDir, 'datastore'));
    await partial.open();
    await partial.put(old.records[0]!.key, old.records[0]!.value);
    await partial.close();

    const second = await startTemporaryNode({ dataDir: old.dataDir });
    try {
      assert.equal(second.node.peerId, old.peerId);
      const [pin] = await all(second.client.pin.ls({ paths: [old.cid] }));
      assert.equal(pin?.type, 'recursive');
      assert.equal(await exists(join(old.dataDir, 'datastore.migrating')), false);
      await second.node.stop();
      const moved = new Set((await levelRecords(old.dataDir)).map(({ key }) => key.toString()));
      assert.deepEqual(
        old.records.map(({ key }) => key.toString()).filter((key) => !moved.has(key)),
        [],
      );
    } finally {
      await second.dispose();
    }
  });
});

describe('NodeDatastore batches', () => {
  const key = (name: string) => new Key(`/test/${name}`);
  const bytes = (text: string) => new TextEncoder().encode(text);
  const text = async (value: Promise<Uint8Array>) => new TextDecoder().decode(await value);

  async function withDatastore(run: (datastore: NodeDatastore) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'medledger-datastore-'));
    const datastore = new NodeDatastore(dir);
    await datastore.open();
    try {
      await run(datastore);
    } finally {
      await datastore.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('shows a batch its own writes, hides them from everyone else until it succeeds, then applies them all', async () => {
    await withDatastore(async (datastore) => {
      await datastore.put(key('kept'), bytes('old'));
      await datastore.put(key('deleted'), bytes('doomed'));
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const batch = datastore.inBatch([key('kept'), key('absent')], async () => {
        assert.equal(await datastore.has(key('absent')), false);
        await assert.rejects(datastore.get(key('absent')), { name: 'NotFoundError' });
        await datastore.put(key('kept'), bytes('new'));
        await datastore.put(key('added'), bytes('added'));
        await datastore.delete(key('deleted'));
        assert.equal(await text(datastore.get(key('kept'))), 'new');
        assert.equal(await text(datastore.get(key('added'))), 'added');
        assert.equal(await datastore.has(key('deleted')), false);
        await released;
      });
      // Outside the batch, while it is still open: LevelDB as it was.
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(await text(datastore.get(key('kept'))), 'old');
      assert.equal(await datastore.has(key('added')), false);
      assert.equal(await datastore.has(key('deleted')), true);
      release();
      await batch;
      assert.equal(await text(datastore.get(key('kept'))), 'new');
      assert.equal(await text(datastore.get(key('added'))), 'added');
      assert.equal(await datastore.has(key('deleted')), false);
    });
  });

  it('applies none of the writes of a batch that fails', async () => {
    await withDatastore(async (datastore) => {
      await datastore.put(key('kept'), bytes('old'));
      await assert.rejects(
        datastore.inBatch([], async () => {
          await datastore.put(key('kept'), bytes('new'));
          await datastore.put(key('added'), bytes('added'));
          throw new Error('half-way');
        }),
        /half-way/,
      );
      assert.equal(await text(datastore.get(key('kept'))), 'old');
      assert.equal(await datastore.has(key('added')), false);
    });
  });
});

describe('pin records', () => {
  it('are written all or not at all: a pin that fails on a missing block leaves none behind', async () => {
    const temporary = await startTemporaryNode();
    try {
      const content = deterministicBytes(3 * 262_144, 91);
      const { cid } = await temporary.client.add(content, { ...MEDLEDGER_ADD, pin: false });
      const leafCids = await Promise.all(
        [0, 1, 2].map(async (index) =>
          CID.parse(await computeCid(content.subarray(index * 262_144, (index + 1) * 262_144), MEDLEDGER_UNIXFS)),
        ),
      );
      // The last leaf is lost from disk: the walk reaches it after the root and the first two leaves.
      const blocks = new FsBlockstore(join(temporary.dataDir, 'blocks'));
      await blocks.delete(leafCids[2]!);

      await assert.rejects(temporary.client.pin.add(cid), new RegExp(leafCids[2]!.toString()));
      for (const walked of [cid, leafCids[0]!, leafCids[1]!]) {
        await assert.rejects(all(temporary.client.pin.ls({ paths: [walked] })), /is not pinned/);
      }
    } finally {
      await temporary.dispose();
    }
  });
});

describe('pins over a damaged store', () => {
  it('can still remove a pin after a block of its DAG went missing, and collect the rest', async () => {
    const temporary = await startTemporaryNode();
    try {
      const content = deterministicBytes(3 * 262_144, 92);
      const { cid } = await temporary.client.add(content, MEDLEDGER_ADD);
      const lost = CID.parse(await computeCid(content.subarray(262_144, 2 * 262_144), MEDLEDGER_UNIXFS));
      await new FsBlockstore(join(temporary.dataDir, 'blocks')).delete(lost);

      assert.equal((await temporary.client.pin.rm(cid)).toString(), cid.toString());
      const removed = await all(temporary.client.repo.gc());
      assert.ok(removed.some((entry) => entry.cid?.multihash.bytes.toString() === cid.multihash.bytes.toString()));
      await assert.rejects(all(temporary.client.cat(cid)), /not found locally/);
    } finally {
      await temporary.dispose();
    }
  });
});
