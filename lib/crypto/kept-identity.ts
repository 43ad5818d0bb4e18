/**
 * "Keep this device unlocked": an identity kept between page loads as non-extractable WebCrypto keys
 * (./webcrypto-identity), with the account, chain and key version it belongs to and an expiry the
 * user chose. The secret's bytes are never stored. Where the entries live is the caller's (IndexedDB
 * in the browser, see components/kept-identity-idb.ts; memory in tests).
 */
import type { Address } from 'viem';

import { ValidationError } from '../errors';
import type { OpaqueIdentityKey, RawIdentityKey } from './identity';
import { type IdentityCryptoKeys, importIdentityCryptoKeys, webCryptoIdentityKey } from './webcrypto-identity';

/** What a device keeps of an unlocked identity. */
export interface KeptIdentity {
  /** Lower-case account address. */
  readonly account: string;
  readonly chainId: number;
  readonly keyVersion: number;
  readonly publicKey: Uint8Array;
  readonly keys: IdentityCryptoKeys;
  /** When it was kept and until when, in milliseconds since the epoch. */
  readonly keptAt: number;
  readonly expiresAt: number;
}

/** Where kept identities live, by {@link keptIdentityId}. */
export interface KeptIdentityStorage {
  get(id: string): Promise<KeptIdentity | undefined>;
  put(id: string, entry: KeptIdentity): Promise<void>;
  delete(id: string): Promise<void>;
}

const HOUR = 3_600_000;

/** The durations offered, shortest first. */
export const KEEP_UNLOCKED_CHOICES = [
  { label: '1 hour', ms: HOUR },
  { label: '8 hours', ms: 8 * HOUR },
  { label: '7 days', ms: 7 * 24 * HOUR },
] as const;

/** Longest a device may stay unlocked. */
export const MAX_KEEP_UNLOCKED_MS = 7 * 24 * HOUR;

/** The key of an account's entry on a chain. */
export function keptIdentityId(account: string, chainId: number): string {
  return `${chainId}:${account.toLowerCase()}`;
}

/** An identity taken from the device, and until when it stays there. */
export interface RecalledIdentity {
  readonly identity: OpaqueIdentityKey;
  readonly keyVersion: number;
  readonly expiresAt: number;
}

/**
 * Keeps `identity` on this device for `forMs`: imports its secret as non-extractable keys and stores
 * those, never the bytes. Returns the identity to use from now on (backed by the stored keys), so the
 * caller can drop and wipe the raw secret.
 *
 * @param storage - where to keep it
 * @param params - the identity, whose it is (account, chain, key version), how long, and the time now
 */
export async function keepIdentity(
  storage: KeptIdentityStorage,
  params: {
    identity: RawIdentityKey;
    account: Address;
    chainId: number;
    keyVersion: number;
    forMs: number;
    now?: number;
  },
): Promise<RecalledIdentity> {
  const { identity, account, chainId, keyVersion, forMs } = params;
  if (!Number.isFinite(forMs) || forMs <= 0 || forMs > MAX_KEEP_UNLOCKED_MS) {
    throw new ValidationError([
      { path: 'forMs', message: `must be more than 0 and at most ${MAX_KEEP_UNLOCKED_MS} ms (7 days), got ${forMs}` },
    ]);
  }
  const keptAt = params.now ?? Date.now();
  const keys = await importIdentityCryptoKeys(identity);
  const entry: KeptIdentity = {
    account: account.toLowerCase(),
    chainId,
    keyVersion,
    publicKey: identity.publicKey.slice(),
    keys,
    keptAt,
    expiresAt: keptAt + forMs,
  };
  await storage.put(keptIdentityId(account, chainId), entry);
  return { identity: webCryptoIdentityKey(entry.publicKey, keys), keyVersion, expiresAt: entry.expiresAt };
}

function usable(entry: KeptIdentity, account: string, chainId: number, now: number): boolean {
  return (
    entry.account === account.toLowerCase() &&
    entry.chainId === chainId &&
    entry.publicKey instanceof Uint8Array &&
    entry.publicKey.length === 32 &&
    entry.keys?.x25519 instanceof CryptoKey &&
    entry.keys.hkdf instanceof CryptoKey &&
    !entry.keys.x25519.extractable &&
    !entry.keys.hkdf.extractable &&
    now < entry.expiresAt &&
    entry.expiresAt - entry.keptAt <= MAX_KEEP_UNLOCKED_MS
  );
}

/**
 * The identity this device keeps for `account` on `chainId`, if any and not expired. An expired or
 * malformed entry is deleted.
 *
 * @param storage - where it was kept
 * @param params - whose identity, on which chain, and the time now
 */
export async function recallIdentity(
  storage: KeptIdentityStorage,
  params: { account: Address; chainId: number; now?: number },
): Promise<RecalledIdentity | undefined> {
  const id = keptIdentityId(params.account, params.chainId);
  const entry = await storage.get(id);
  if (!entry) return undefined;
  if (!usable(entry, params.account, params.chainId, params.now ?? Date.now())) {
    await storage.delete(id);
    return undefined;
  }
  return {
    identity: webCryptoIdentityKey(entry.publicKey, entry.keys),
    keyVersion: entry.keyVersion,
    expiresAt: entry.expiresAt,
  };
}

/**
 * Deletes what this device keeps for `account` on `chainId` (the lock button).
 * @param storage - where it was kept
 * @param params - whose identity, on which chain
 */
export function forgetIdentity(
  storage: KeptIdentityStorage,
  params: { account: string; chainId: number },
): Promise<void> {
  return storage.delete(keptIdentityId(params.account, params.chainId));
}
