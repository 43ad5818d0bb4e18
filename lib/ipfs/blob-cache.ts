/**
 * A bounded cache of content fetched from IPFS, by CID. Content addressing makes every entry
 * immutable, so a cached blob never goes stale; {@link fetchVerified} still verifies it on every read
 * (CID and anchored hash) exactly as it verifies the node's answer, so the cache is trusted no more than
 * the node. Least recently used entries go first once the total passes the bound.
 */

/** What {@link fetchVerified} asks of a cache (`FetchVerifiedOptions.cache`). */
export interface BlobCache {
  get(cid: string): Promise<Uint8Array | undefined>;
  put(cid: string, bytes: Uint8Array): Promise<void>;
  delete(cid: string): Promise<void>;
}

/** An entry's size and last use, what the cache decides evictions by. */
export interface BlobEntry {
  readonly cid: string;
  readonly size: number;
  readonly usedAt: number;
}

/** Where an LRU blob cache keeps its entries (IndexedDB in the browser, see ./idb-cache; memory in tests). */
export interface BlobStorage {
  /** Every entry's size and last use (not the bytes). */
  entries(): Promise<BlobEntry[]>;
  read(cid: string): Promise<Uint8Array | undefined>;
  write(entry: BlobEntry, bytes: Uint8Array): Promise<void>;
  /** Records later uses of entries that are stored. */
  touch(entries: readonly BlobEntry[]): Promise<void>;
  remove(cids: readonly string[]): Promise<void>;
}

/** Default bound of {@link lruBlobCache}: 200 MiB of ciphertext. */
export const DEFAULT_BLOB_CACHE_BYTES = 200 * 1_048_576;

/** Options of {@link lruBlobCache}. */
export interface LruBlobCacheOptions {
  /** Most bytes kept in total. Default {@link DEFAULT_BLOB_CACHE_BYTES}. */
  readonly maxBytes?: number;
  /** Larger blobs are not kept (one big attachment must not evict every record). Default maxBytes / 8. */
  readonly maxEntryBytes?: number;
  /** Clock in milliseconds. */
  readonly now?: () => number;
}

/** How long uses are collected before they are written as one batch. */
const TOUCH_DELAY_MS = 1_000;

/**
 * A cache over `storage` holding at most `maxBytes`, evicting the least recently used entries. The
 * index (sizes and uses) is read from storage once and then kept in memory, so a miss costs no storage
 * read. Another tab's writes show up at the next page load; until then each tab bounds what it wrote.
 * Failures of the storage are misses, never errors: a cache must not break a read.
 *
 * @param storage - where entries live
 * @param options - bounds and clock
 */
export function lruBlobCache(storage: BlobStorage, options: LruBlobCacheOptions = {}): BlobCache {
  const maxBytes = options.maxBytes ?? DEFAULT_BLOB_CACHE_BYTES;
  const maxEntryBytes = options.maxEntryBytes ?? Math.floor(maxBytes / 8);
  const now = options.now ?? Date.now;
  let index: Promise<Map<string, BlobEntry>> | undefined;
  let total = 0;
  const touched = new Map<string, BlobEntry>();
  let touchTimer: ReturnType<typeof setTimeout> | undefined;

  const load = () =>
    (index ??= storage
      .entries()
      .catch(() => [])
      .then((entries) => {
        total = entries.reduce((sum, entry) => sum + entry.size, 0);
        return new Map(entries.map((entry) => [entry.cid, entry]));
      }));

  const flushTouches = () => {
    touchTimer = undefined;
    const batch = [...touched.values()];
    touched.clear();
    void storage.touch(batch).catch(() => undefined);
  };

  const forget = (entries: Map<string, BlobEntry>, cid: string) => {
    const entry = entries.get(cid);
    if (!entry) return;
    entries.delete(cid);
    touched.delete(cid);
    total -= entry.size;
  };

  async function evict(entries: Map<string, BlobEntry>): Promise<void> {
    if (total <= maxBytes) return;
    const victims: string[] = [];
    for (const entry of [...entries.values()].sort((a, b) => a.usedAt - b.usedAt)) {
      if (total <= maxBytes) break;
      forget(entries, entry.cid);
      victims.push(entry.cid);
    }
    await storage.remove(victims);
  }

  return {
    async get(cid) {
      const entries = await load();
      const entry = entries.get(cid);
      if (!entry) return undefined;
      const bytes = await storage.read(cid).catch(() => undefined);
      if (!bytes) {
        forget(entries, cid);
        return undefined;
      }
      const used = { ...entry, usedAt: now() };
      entries.set(cid, used);
      touched.set(cid, used);
      touchTimer ??= setTimeout(flushTouches, TOUCH_DELAY_MS);
      return bytes;
    },
    async put(cid, bytes) {
      if (bytes.length > maxEntryBytes) return;
      const entries = await load();
      if (entries.has(cid)) return;
      const entry = { cid, size: bytes.length, usedAt: now() };
      entries.set(cid, entry);
      total += entry.size;
      try {
        await storage.write(entry, bytes);
        await evict(entries);
      } catch {
        forget(entries, cid);
      }
    },
    async delete(cid) {
      forget(await load(), cid);
      await storage.remove([cid]).catch(() => undefined);
    },
  };
}

/** A {@link BlobStorage} in memory: for tests, and wherever nothing should outlive the process. */
export function memoryBlobStorage(): BlobStorage & { readonly blobs: Map<string, Uint8Array> } {
  const blobs = new Map<string, Uint8Array>();
  const meta = new Map<string, BlobEntry>();
  return {
    blobs,
    async entries() {
      return [...meta.values()];
    },
    async read(cid) {
      const bytes = blobs.get(cid);
      return bytes && bytes.slice();
    },
    async write(entry, bytes) {
      blobs.set(entry.cid, bytes.slice());
      meta.set(entry.cid, entry);
    },
    async touch(entries) {
      for (const entry of entries) if (meta.has(entry.cid)) meta.set(entry.cid, entry);
    },
    async remove(cids) {
      for (const cid of cids) {
        blobs.delete(cid);
        meta.delete(cid);
      }
    },
  };
}
