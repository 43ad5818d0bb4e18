/**
 * The little of IndexedDB that MedLedger's browser stores use (the kept identity, the blob cache), as
 * promises. Browser only: callers check {@link hasIndexedDb} and fall back to keeping nothing.
 */

/** Whether this platform offers IndexedDB (false in Node, and in some private browsing modes). */
export function hasIndexedDb(): boolean {
  return typeof globalThis.indexedDB !== 'undefined';
}

/** Settles with a request's result or error. */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** Settles when a transaction commits, or fails with the reason it aborted. */
export function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * Opens (and on first use creates) a database.
 * @param name - database name
 * @param version - schema version; raising it runs `upgrade`
 * @param upgrade - creates the object stores
 */
export function openDatabase(name: string, version: number, upgrade: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  const request = globalThis.indexedDB.open(name, version);
  request.onupgradeneeded = () => upgrade(request.result);
  return requestResult(request).then((db) => {
    // Another tab upgrading the schema must not be blocked by this one.
    db.onversionchange = () => db.close();
    return db;
  });
}
