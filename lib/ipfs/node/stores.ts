/**
 * The embedded node's persistent stores, laid out as Kubo lays out its repo: blocks one file each
 * (`blocks/`, the flatfs equivalent) and everything else — pin records, the node identity — in a
 * LevelDB datastore (`datastore/`).
 *
 * Helia keeps one pin record per block of a pinned DAG and updates it read-modify-write, so pinning
 * a 50 MiB file touches 200 records: one small file each on a file-per-key datastore, which took as
 * long as storing the file itself. LevelDB writes them to one log.
 *
 * Data dirs written before the switch hold the datastore as one file per key; {@link openStores}
 * moves those records into LevelDB the first time it opens such a dir, and resumes the move if it
 * was interrupted.
 */
import { access, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FsBlockstore } from 'blockstore-fs';
import { FsDatastore } from 'datastore-fs';
import { LevelDatastore } from 'datastore-level';

/** The opened stores of one data dir. */
export interface NodeStores {
  readonly blockstore: FsBlockstore;
  readonly datastore: LevelDatastore;
  /** Closes both stores. */
  close(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A datastore dir in the old one-file-per-key format: it has entries but is not a LevelDB. */
async function isFileDatastore(dir: string): Promise<boolean> {
  if (!(await exists(dir)) || (await exists(join(dir, 'CURRENT')))) return false;
  return (await readdir(dir)).length > 0;
}

/** Copies every record of the old datastore into LevelDB (idempotent), then removes the old one. */
async function migrateFileDatastore(oldDir: string, datastore: LevelDatastore): Promise<void> {
  const old = new FsDatastore(oldDir, { createIfMissing: false });
  await old.open();
  try {
    const batch = datastore.batch();
    for await (const { key, value } of old.query({})) batch.put(key, value);
    await batch.commit();
  } finally {
    await old.close();
  }
  await rm(oldDir, { recursive: true, force: true });
}

/**
 * Opens (creating if needed) the blockstore and datastore of a data dir.
 *
 * @param dataDir - Absolute path of the node's data dir; it must exist.
 */
export async function openStores(dataDir: string): Promise<NodeStores> {
  const datastoreDir = join(dataDir, 'datastore');
  const pendingMigration = join(dataDir, 'datastore.migrating');
  if (await isFileDatastore(datastoreDir)) await rename(datastoreDir, pendingMigration);

  const blockstore = new FsBlockstore(join(dataDir, 'blocks'));
  const datastore = new LevelDatastore(datastoreDir);
  await blockstore.open();
  try {
    await datastore.open();
  } catch (error) {
    await blockstore.close();
    throw error;
  }
  const close = async () => {
    await blockstore.close();
    await datastore.close();
  };
  try {
    if (await exists(pendingMigration)) await migrateFileDatastore(pendingMigration, datastore);
  } catch (error) {
    await close();
    throw new Error(
      `could not move the pin records in ${pendingMigration} into ${datastoreDir}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return { blockstore, datastore, close };
}
