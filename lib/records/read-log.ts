/**
 * A reading session's memory of what a provider already logged on-chain (`logAccess`), so opening the
 * same patient's records on several screens costs one transaction and one wallet prompt, not one per
 * screen: records already logged for that patient and purpose in the session are not logged again,
 * new ones are. A session ends with the tab (the web app keeps it in `sessionStorage`) or after
 * {@link READ_SESSION_MS}, when reads are logged afresh.
 */
import type { Address } from 'viem';

/** How long one logging of a read stands for the session: a working day. */
export const READ_SESSION_MS = 8 * 3_600_000;

/** Whose reads of whose records, for which purpose, on which chain. */
export interface ReadLogKey {
  readonly chainId: number;
  readonly reader: Address;
  readonly patient: Address;
  /** The on-chain purpose value (`PurposeOfUse.value`). */
  readonly purpose: number;
}

/** Remembers which record reads were logged in this session. */
export interface ReadLog {
  /**
   * The ids of `recordIds` not logged under `key` in this session, now marked as being logged (so a
   * read running at the same time does not log them too). Follow with {@link ReadLog.logged} or
   * {@link ReadLog.release}.
   */
  claim(key: ReadLogKey, recordIds: readonly bigint[]): bigint[];
  /** The transaction logging `recordIds` was confirmed. */
  logged(key: ReadLogKey, recordIds: readonly bigint[]): void;
  /** Logging `recordIds` failed: a later read logs them. */
  release(key: ReadLogKey, recordIds: readonly bigint[]): void;
}

/** Options of {@link createReadLog}. */
export interface ReadLogOptions {
  /** Where confirmed entries outlive a page load (the browser's `sessionStorage`); memory only without. */
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'>;
  readonly now?: () => number;
  readonly sessionMs?: number;
}

const STORAGE_KEY = 'medledger:logged-reads';

type Entries = Record<string, Record<string, number>>;

function keyOf(key: ReadLogKey): string {
  return `${key.chainId}:${key.reader.toLowerCase()}:${key.patient.toLowerCase()}:${key.purpose}`;
}

/**
 * A session's read log.
 * @param options - storage, clock and session length
 */
export function createReadLog(options: ReadLogOptions = {}): ReadLog {
  const now = options.now ?? Date.now;
  const sessionMs = options.sessionMs ?? READ_SESSION_MS;
  const pending = new Map<string, Set<string>>();
  let entries: Entries;
  try {
    entries = JSON.parse(options.storage?.getItem(STORAGE_KEY) ?? '{}') as Entries;
  } catch {
    entries = {};
  }
  const save = () => {
    try {
      options.storage?.setItem(STORAGE_KEY, JSON.stringify(entries));
    } catch {
      // A full or disabled storage only means the next page load logs these reads again.
    }
  };

  return {
    claim(key, recordIds) {
      const id = keyOf(key);
      const loggedAt = entries[id] ?? {};
      const claimed = pending.get(id) ?? new Set<string>();
      pending.set(id, claimed);
      const time = now();
      const fresh = recordIds.filter((recordId) => {
        const record = recordId.toString();
        const at = loggedAt[record];
        if (claimed.has(record) || (at !== undefined && time - at < sessionMs)) return false;
        claimed.add(record);
        return true;
      });
      return fresh;
    },
    logged(key, recordIds) {
      const id = keyOf(key);
      const loggedAt = (entries[id] ??= {});
      const time = now();
      for (const recordId of recordIds) {
        loggedAt[recordId.toString()] = time;
        pending.get(id)?.delete(recordId.toString());
      }
      save();
    },
    release(key, recordIds) {
      const claimed = pending.get(keyOf(key));
      for (const recordId of recordIds) claimed?.delete(recordId.toString());
    },
  };
}
