/**
 * Where "keep this device unlocked" keeps an identity: IndexedDB, which stores the non-extractable
 * CryptoKeys by structured clone, so they come back usable yet still unreadable by page script.
 */
import type { KeptIdentity, KeptIdentityStorage } from '../lib/crypto';
import { openDatabase, requestResult, transactionDone } from '../lib/idb';

const DATABASE = 'medledger-identity';
const STORE = 'kept';

/** The browser's {@link KeptIdentityStorage}; call only where IndexedDB exists (`hasIndexedDb`). */
export function indexedDbKeptIdentityStorage(): KeptIdentityStorage {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () => (opened ??= openDatabase(DATABASE, 1, (database) => database.createObjectStore(STORE)));
  const write = async (change: (store: IDBObjectStore) => void) => {
    const transaction = (await db()).transaction(STORE, 'readwrite');
    change(transaction.objectStore(STORE));
    await transactionDone(transaction);
  };
  return {
    async get(id) {
      const store = (await db()).transaction(STORE, 'readonly').objectStore(STORE);
      return (await requestResult(store.get(id))) as KeptIdentity | undefined;
    },
    put: (id, entry) => write((store) => store.put(entry, id)),
    delete: (id) => write((store) => store.delete(id)),
  };
}
