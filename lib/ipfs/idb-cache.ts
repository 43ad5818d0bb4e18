/**
 * The browser's blob cache: verified ciphertext kept in IndexedDB by CID, so opening the same records
 * again needs no IPFS round trip. Ciphertext only; it opens with the keys, never without them.
 */
import { hasIndexedDb, openDatabase, requestResult, transactionDone } from '../idb';
import { type BlobCache, type BlobEntry, type BlobStorage, type LruBlobCacheOptions, lruBlobCache } from './blob-cache';

const DATABASE = 'medledger-blobs';
const BLOBS = 'blobs';
const ENTRIES = 'entries';

/**
 * A {@link BlobStorage} in IndexedDB: the bytes in one object store, sizes and uses in another (so the
 * index loads without reading any blob).
 */
export function indexedDbBlobStorage(name = DATABASE): BlobStorage {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () =>
    (opened ??= openDatabase(name, 1, (database) => {
      database.createObjectStore(BLOBS);
      database.createObjectStore(ENTRIES, { keyPath: 'cid' });
    }));
  return {
    async entries() {
      const store = (await db()).transaction(ENTRIES, 'readonly').objectStore(ENTRIES);
      return requestResult(store.getAll() as IDBRequest<BlobEntry[]>);
    },
    async read(cid) {
      const store = (await db()).transaction(BLOBS, 'readonly').objectStore(BLOBS);
      const value = (await requestResult(store.get(cid))) as Uint8Array | undefined;
      return value instanceof Uint8Array ? value : undefined;
    },
    async write(entry, bytes) {
      const transaction = (await db()).transaction([BLOBS, ENTRIES], 'readwrite');
      // A view would store its whole underlying buffer: keep exactly the blob.
      const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      transaction.objectStore(BLOBS).put(exact, entry.cid);
      transaction.objectStore(ENTRIES).put(entry);
      await transactionDone(transaction);
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
