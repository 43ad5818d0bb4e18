/**
 * The embedded node's persistent stores, laid out as Kubo lays out its repo: blocks one file each
 * (`blocks/`, the flatfs equivalent) and everything else — pin records, the node identity — in a
 * LevelDB datastore (`datastore/`).
 *
 * Helia keeps one pin record per block of a pinned DAG and updates it read-modify-write, so pinning
 * a 50 MiB file touches 200 records: one small file each on a file-per-key datastore, which took as
 * long as storing the file itself. LevelDB writes them to one log.
 *
 * Even on LevelDB, Helia's pinning reads and rewrites those records one after the other, a round
 * trip to LevelDB's thread each, and a crash half-way leaves half of them written. Pins therefore run
 * inside {@link NodeDatastore.inBatch}: the records are read in one call up front and written in one
 * atomic batch at the end.
 *
 * Data dirs written before the switch hold the datastore as one file per key; {@link openStores}
 * moves those records into LevelDB the first time it opens such a dir, and resumes the move if it
 * was interrupted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { access, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from 'interface-store';
import { FsBlockstore } from 'blockstore-fs';
import { FsDatastore } from 'datastore-fs';
import { LevelDatastore } from 'datastore-level';
import { Key } from 'interface-datastore';
import { base36 } from 'multiformats/bases/base36';
import type { CID } from 'multiformats/cid';

/** The abort options every datastore call takes. */
type AbortOptions = Parameters<LevelDatastore['get']>[1];

/** A value written inside a batch, or `null` for a deletion. */
type BatchedValue = Uint8Array | null;

/** The state of one {@link NodeDatastore.inBatch} call. */
interface BatchScope {
  /** Values read up front; `null` for keys that were absent. */
  readonly prefetched: Map<string, BatchedValue>;
  /** Writes and deletions made so far: the last value written to each key. */
  readonly written: Map<string, BatchedValue>;
}

/**
 * The node's LevelDB datastore, with write batches scoped to an async call chain: inside
 * {@link inBatch}, `put` and `delete` are held in memory and `get`/`has` see them; everything else,
 * and every caller outside the batch, sees only what LevelDB holds.
 */
export class NodeDatastore extends LevelDatastore {
  private readonly batches = new AsyncLocalStorage<BatchScope>();

  /**
   * Runs `task` with its writes held back and applied as one atomic LevelDB batch when it succeeds;
   * when it fails, none of them are. Batches do not see each other's writes, so concurrent batches
   * must touch disjoint keys (the node's commit lock and pin waves ensure that).
   *
   * @param prefetch - Keys the task will read, fetched in one call before it starts; any other key
   *   is read from LevelDB when asked for.
   * @param task - The work whose datastore writes form the batch.
   */
  async inBatch<T>(prefetch: readonly Key[], task: () => Promise<T>): Promise<T> {
    const keys = prefetch.map((key) => key.toString());
    const values = keys.length > 0 ? await this.db.getMany(keys) : [];
    const scope: BatchScope = {
      prefetched: new Map(keys.map((key, index) => [key, values[index] ?? null])),
      written: new Map(),
    };
    const result = await this.batches.run(scope, task);
    const operations = [...scope.written].map(([key, value]) =>
      value === null ? { type: 'del' as const, key } : { type: 'put' as const, key, value },
    );
    if (operations.length > 0) await this.db.batch(operations);
    return result;
  }

  /** What the current batch knows of `key`: its value, `null` if absent, `undefined` if not known. */
  private batched(key: Key): BatchedValue | undefined {
    const scope = this.batches.getStore();
    if (scope === undefined) return undefined;
    const name = key.toString();
    return scope.written.has(name) ? scope.written.get(name) : scope.prefetched.get(name);
  }

  override async get(key: Key, options?: AbortOptions): Promise<Uint8Array> {
    const value = this.batched(key);
    if (value === undefined) return super.get(key, options);
    if (value === null) throw new NotFoundError(`${key.toString()} not found`);
    return value;
  }

  override async has(key: Key, options?: AbortOptions): Promise<boolean> {
    const value = this.batched(key);
    return value === undefined ? super.has(key, options) : value !== null;
  }

  override async put(key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const scope = this.batches.getStore();
    if (scope === undefined) return super.put(key, value, options);
    scope.written.set(key.toString(), value);
    return key;
  }

  override async delete(key: Key, options?: AbortOptions): Promise<void> {
    const scope = this.batches.getStore();
    if (scope === undefined) return super.delete(key, options);
    scope.written.set(key.toString(), null);
  }
}

/**
 * The datastore keys Helia reads and writes when it pins `roots` over `blocks`: each root's pin and
 * each block's pin record. This mirrors Helia's layout only to prefetch them in one read; were the
 * layout to change, the pins would still be right, just read key by key again.
 *
 * @param roots - The CIDs being pinned.
 * @param blocks - Every block of their DAGs.
 */
export function pinRecordKeys(roots: readonly CID[], blocks: readonly CID[]): Key[] {
  return [
    ...roots.map((root) => new Key(`/pin/${(root.version === 0 ? root.toV1() : root).toString(base36)}`)),
    ...blocks.map((block) => new Key(`/pinned-block/${base36.encode(block.multihash.bytes)}`)),
  ];
}

/** The opened stores of one data dir. */
export interface NodeStores {
  readonly blockstore: FsBlockstore;
  readonly datastore: NodeDatastore;
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
async function migrateFileDatastore(oldDir: string, datastore: NodeDatastore): Promise<void> {
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
  const datastore = new NodeDatastore(datastoreDir);
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
