import assert from 'node:assert/strict';
import { access, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FsDatastore } from 'datastore-fs';
import { LevelDatastore } from 'datastore-level';
import type { Pair } from 'interface-datastore';
import all from 'it-all';
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
