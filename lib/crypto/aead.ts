/**
 * AES-256-GCM through WebCrypto (native, several times faster than pure JS on large files) and
 * HKDF-SHA256 from @noble/hashes. Every authentication failure becomes an {@link IntegrityError}: a
 * wrong key, a flipped byte and a swapped context are indistinguishable by design.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

import { IntegrityError } from '../errors';
import { toBufferSource } from './bytes';
import { digest } from './digest';

export const KEY_LENGTH = 32;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

/** Cryptographically secure random bytes from the platform (WebCrypto). */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}

/**
 * HKDF-SHA256 (RFC 5869) to a 32-byte key.
 * @param ikm - input key material
 * @param salt - domain separation of the extract step
 * @param info - binds the output to its purpose and context
 */
export function deriveKey(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(hkdf(sha256, ikm, salt, info, KEY_LENGTH));
}

/**
 * Imports a raw 256-bit key for AES-GCM, non-extractable.
 * @param key - 32 key bytes
 */
export function importAesKey(key: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', toBufferSource(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/**
 * AES-256-GCM encryption; returns ciphertext ‖ 16-byte tag.
 * @param key - raw 32-byte key or an imported one (import once for many segments)
 * @param iv - 12 bytes, never reused with the same key
 * @param plaintext - data to encrypt
 * @param aad - associated data authenticated but not encrypted
 */
export async function aesGcmEncrypt(
  key: Uint8Array | CryptoKey,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const cryptoKey = key instanceof Uint8Array ? await importAesKey(key) : key;
  const out = await subtle().encrypt(
    { name: 'AES-GCM', iv: toBufferSource(iv), additionalData: toBufferSource(aad), tagLength: 128 },
    cryptoKey,
    toBufferSource(plaintext),
  );
  return new Uint8Array(out);
}

/**
 * AES-256-GCM decryption. Throws IntegrityError when the tag does not verify, so no unauthenticated
 * plaintext ever reaches the caller.
 * @param key - raw 32-byte key or an imported one
 * @param iv - the 12-byte IV used to encrypt
 * @param sealed - ciphertext ‖ tag
 * @param aad - the associated data used to encrypt
 * @param what - what was being opened, for the error message
 */
export async function aesGcmDecrypt(
  key: Uint8Array | CryptoKey,
  iv: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
  what: string,
): Promise<Uint8Array<ArrayBuffer>> {
  if (sealed.length < TAG_LENGTH) throw new IntegrityError(`${what}: ciphertext shorter than its tag`);
  const cryptoKey = key instanceof Uint8Array ? await importAesKey(key) : key;
  try {
    const out = await subtle().decrypt(
      { name: 'AES-GCM', iv: toBufferSource(iv), additionalData: toBufferSource(aad), tagLength: 128 },
      cryptoKey,
      toBufferSource(sealed),
    );
    return new Uint8Array(out);
  } catch (cause) {
    throw new IntegrityError(`${what}: authentication failed (wrong key, or the data or its context was altered)`, {
      cause,
    });
  }
}

/** SHA-256 of bytes in memory, natively on every platform (see {@link digest}). */
export function sha256Digest(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return digest('SHA-256', data);
}
