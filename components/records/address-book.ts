'use client';

import { useCallback, useSyncExternalStore } from 'react';

/**
 * Names a person gave to addresses ("Dr. Okafor", "Northside Lab"), kept only in this browser's
 * localStorage: the chain holds no names, and a name is not something to publish.
 */
const STORAGE_KEY = 'medledger.addressBook';
const listeners = new Set<() => void>();
let cache: { raw: string | null; book: Readonly<Record<string, string>> } | undefined;

function read(): Readonly<Record<string, string>> {
  const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  if (cache?.raw === raw) return cache.book;
  let book: Record<string, string> = {};
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (parsed && typeof parsed === 'object') book = parsed as Record<string, string>;
  } catch {
    // A corrupted entry only loses the names; addresses still show.
  }
  cache = { raw, book };
  return book;
}

const EMPTY: Readonly<Record<string, string>> = {};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => event.key === STORAGE_KEY && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The address book: `nameOf(address)` and `setName(address, name)` (an empty name removes it). */
export function useAddressBook() {
  const book = useSyncExternalStore(subscribe, read, () => EMPTY);
  const nameOf = useCallback(
    (address: string | undefined) => (address ? book[address.toLowerCase()] : undefined),
    [book],
  );
  const setName = useCallback((address: string, name: string) => {
    const next = { ...read() };
    const trimmed = name.trim();
    if (trimmed) next[address.toLowerCase()] = trimmed.slice(0, 80);
    else delete next[address.toLowerCase()];
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    listeners.forEach((listener) => listener());
  }, []);
  return { nameOf, setName };
}
