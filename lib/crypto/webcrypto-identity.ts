/**
 * Identity keys held as non-extractable WebCrypto keys: what a device kept unlocked stores (in
 * IndexedDB, which structured-clones CryptoKeys without exposing their bytes), so that page script
 * can agree keys and derive KEKs with the secret but never read or export it. The results are the
 * same bytes as @noble's X25519 and ./aead `deriveKey` give for the raw secret (tested).
 */
import { x25519 } from '@noble/curves/ed25519.js';

import { ValidationError } from '../errors';
import { deriveKey, KEY_LENGTH } from './aead';
import { concatBytes, equalBytes, magicBytes, toBufferSource } from './bytes';
import type { OpaqueIdentityKey, RawIdentityKey } from './identity';

/** The secret, imported twice: as an X25519 private key and as HKDF input key material. */
export interface IdentityCryptoKeys {
  readonly x25519: CryptoKey;
  readonly hkdf: CryptoKey;
}

/** RFC 8410 PKCS #8 prefix of an X25519 private key: the 32 secret bytes follow it. */
// prettier-ignore
const X25519_PKCS8_PREFIX = Uint8Array.of(
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
);

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

/**
 * Imports a raw identity secret as non-extractable CryptoKeys (the caller may wipe its bytes after).
 * @param identity - the key pair to import
 */
export async function importIdentityCryptoKeys(identity: RawIdentityKey): Promise<IdentityCryptoKeys> {
  const pkcs8 = concatBytes(X25519_PKCS8_PREFIX, identity.secretKey);
  try {
    const [x25519Key, hkdfKey] = await Promise.all([
      subtle().importKey('pkcs8', toBufferSource(pkcs8), { name: 'X25519' }, false, ['deriveBits']),
      subtle().importKey('raw', toBufferSource(identity.secretKey), 'HKDF', false, ['deriveBits']),
    ]);
    return { x25519: x25519Key, hkdf: hkdfKey };
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * The identity whose secret operations run on `keys`.
 * @param publicKey - the key pair's public key (X25519, 32 bytes)
 * @param keys - the secret as imported by {@link importIdentityCryptoKeys}
 */
export function webCryptoIdentityKey(publicKey: Uint8Array, keys: IdentityCryptoKeys): OpaqueIdentityKey {
  if (publicKey.length !== 32) {
    throw new ValidationError([{ path: 'publicKey', message: `expected 32 bytes, got ${publicKey.length}` }]);
  }
  return {
    publicKey,
    ops: {
      async ecdh(peer) {
        const peerKey = await subtle().importKey('raw', toBufferSource(peer), { name: 'X25519' }, true, []);
        const bits = await subtle().deriveBits({ name: 'X25519', public: peerKey }, keys.x25519, 256);
        return new Uint8Array(bits);
      },
      async hkdf(salt, info) {
        const params = { name: 'HKDF', hash: 'SHA-256', salt: toBufferSource(salt), info: toBufferSource(info) };
        return new Uint8Array(await subtle().deriveBits(params, keys.hkdf, KEY_LENGTH * 8));
      },
    },
  };
}

const PROBE_SECRET = magicBytes('MedLedger WebCrypto X25519 probe');
const PROBE_PEER = x25519.getPublicKey(magicBytes('MedLedger WebCrypto X25519 peer!'));
const PROBE_INFO = magicBytes('probe');

/**
 * Whether this platform can hold an identity in WebCrypto: it imports a fixed secret non-extractably
 * and must agree and derive exactly the bytes @noble gives. False where X25519 or HKDF is missing
 * (older browsers) or answers differently.
 */
export async function supportsWebCryptoIdentity(): Promise<boolean> {
  if (!globalThis.crypto?.subtle) return false;
  try {
    const publicKey = x25519.getPublicKey(PROBE_SECRET);
    const probe = webCryptoIdentityKey(
      publicKey,
      await importIdentityCryptoKeys({ secretKey: PROBE_SECRET, publicKey }),
    );
    const [shared, derived] = await Promise.all([probe.ops.ecdh(PROBE_PEER), probe.ops.hkdf(PROBE_PEER, PROBE_INFO)]);
    return (
      equalBytes(shared, x25519.getSharedSecret(PROBE_SECRET, PROBE_PEER)) &&
      equalBytes(derived, deriveKey(PROBE_SECRET, PROBE_PEER, PROBE_INFO))
    );
  } catch {
    return false;
  }
}
