/**
 * The browser's blob cache: verified ciphertext kept in IndexedDB by CID, so opening the same records
 * again needs no IPFS round trip. Ciphertext only; it opens with the keys, never without them.
 */
import { hasIndexedDb, openDatabase, requestResult, transactionDone } from '../idb';
import { type BlobCache, type BlobEntry, type BlobStorage, type LruBlobCacheOptions, lruBlobCache } from './blob-cache';

const DATABASE = 'medledger-blobs';
const BLOBS = 'blobs';
const ENTRIES = 'entries';

/** How long writes are collected before they are committed as one transaction. */
const WRITE_DELAY_MS = 20;

/**
 * A {@link BlobStorage} in IndexedDB: the bytes in one object store, sizes and uses in another (so the
 * index loads without reading any blob). Reads asked for together (a screen opening its records) share
 * one transaction, and so do writes made within a few milliseconds of each other: hundreds of small
 * transactions would cost more than the blobs.
 */
export function indexedDbBlobStorage(name = DATABASE): BlobStorage {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () =>
    (opened ??= openDatabase(name, 1, (database) => {
      database.createObjectStore(BLOBS);
      database.createObjectStore(ENTRIES, { keyPath: 'cid' });
    }));

  let reads: Map<string, ((bytes: Uint8Array | undefined) => void)[]> | undefined;
  let writes: Map<string, { entry: BlobEntry; bytes: Uint8Array }> | undefined;
  let written: Promise<void> | undefined;

  async function readBatch(batch: Map<string, ((bytes: Uint8Array | undefined) => void)[]>): Promise<void> {
    try {
      const store = (await db()).transaction(BLOBS, 'readonly').objectStore(BLOBS);
      await Promise.all(
        [...batch].map(async ([cid, waiting]) => {
          const value = await requestResult(store.get(cid)).catch(() => undefined);
          for (const resolve of waiting) resolve(value instanceof Uint8Array ? value : undefined);
        }),
      );
    } catch {
      for (const waiting of batch.values()) for (const resolve of waiting) resolve(undefined);
    }
  }

  async function writeBatch(batch: Map<string, { entry: BlobEntry; bytes: Uint8Array }>): Promise<void> {
    const transaction = (await db()).transaction([BLOBS, ENTRIES], 'readwrite');
    for (const { entry, bytes } of batch.values()) {
      // A view would store its whole underlying buffer: keep exactly the blob.
      const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      transaction.objectStore(BLOBS).put(exact, entry.cid);
      transaction.objectStore(ENTRIES).put(entry);
    }
    await transactionDone(transaction);
  }

  return {
    async entries() {
      const store = (await db()).transaction(ENTRIES, 'readonly').objectStore(ENTRIES);
      return requestResult(store.getAll() as IDBRequest<BlobEntry[]>);
    },
    read(cid) {
      const pending = writes?.get(cid);
      if (pending) return Promise.resolve(pending.bytes);
      return new Promise((resolve) => {
        if (!reads) {
          reads = new Map();
          const batch = reads;
          queueMicrotask(() => {
            reads = undefined;
            void readBatch(batch);
          });
        }
        reads.set(cid, [...(reads.get(cid) ?? []), resolve]);
      });
    },
    write(entry, bytes) {
      if (!writes) {
        writes = new Map();
        const batch = writes;
        written = new Promise((resolve, reject) =>
          setTimeout(() => {
            writes = undefined;
            writeBatch(batch).then(resolve, reject);
          }, WRITE_DELAY_MS),
        );
      }
      writes.set(entry.cid, { entry, bytes });
      return written!;
    },
    async touch(entries) {
      const transaction = (await db()).transaction(ENTRIES, 'readwrite');
      const store = transaction.objectStore(ENTRIES);
      for (const entry of entries) {
        // Only entries still stored: another tab may have evicted one meanwhile.
        const request = store.getKey(entry.cid);
        request.onsuccess = () => {
          if (request.result !== undefined) store.put(entry);
        };
      }
      await transactionDone(transaction);
    },
    async remove(cids) {
      const transaction = (await db()).transaction([BLOBS, ENTRIES], 'readwrite');
      for (const cid of cids) {
        writes?.delete(cid);
        transaction.objectStore(BLOBS).delete(cid);
        transaction.objectStore(ENTRIES).delete(cid);
      }
      await transactionDone(transaction);
    },
  };
}

/**
 * The blob cache of this browser (an LRU over IndexedDB, 200 MiB by default), or undefined where there
 * is no IndexedDB (Node, some private modes): reads then go to the node every time, as before.
 */
export function browserBlobCache(options?: LruBlobCacheOptions): BlobCache | undefined {
  return hasIndexedDb() ? lruBlobCache(indexedDbBlobStorage(), options) : undefined;
}
