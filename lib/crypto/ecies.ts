/**
 * Public-key wrapping to an X25519 key: a fresh ephemeral key pair per message, X25519 shared secret,
 * HKDF-SHA256 bound to both public keys and the caller's context, then AES-256-GCM.
 */
import { x25519 } from '@noble/curves/ed25519.js';

import { IntegrityError } from '../errors';
import { aesGcmDecrypt, aesGcmEncrypt, deriveKey, IV_LENGTH, randomBytes } from './aead';
import { concatBytes, wipe } from './bytes';
import { identitySharedSecret, type IdentityKey } from './identity';

/** What a recipient needs, besides its secret key, to open a message. */
export interface Sealed {
  readonly ephemeralPublicKey: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function wrappingKey(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array, info: Uint8Array) {
  return deriveKey(shared, concatBytes(ephemeral, recipient), info);
}

/**
 * Encrypts to `recipientPublicKey`.
 * @param recipientPublicKey - 32-byte X25519 public key
 * @param plaintext - bytes to protect
 * @param info - purpose label and context (e.g. patient and grantee), bound into the key
 * @param aad - associated data authenticated with the ciphertext
 */
export async function sealTo(
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
): Promise<Sealed> {
  const ephemeral = x25519.utils.randomSecretKey();
  const ephemeralPublicKey = x25519.getPublicKey(ephemeral);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(ephemeral, recipientPublicKey);
  } finally {
    wipe(ephemeral);
  }
  const key = wrappingKey(shared, ephemeralPublicKey, recipientPublicKey, info);
  wipe(shared);
  const iv = randomBytes(IV_LENGTH);
  try {
    return { ephemeralPublicKey, iv, ciphertext: await aesGcmEncrypt(key, iv, plaintext, aad) };
  } finally {
    wipe(key);
  }
}

/**
 * Decrypts a {@link sealTo} message with the recipient's secret key; any mismatch is IntegrityError.
 * @param recipient - the recipient's key pair
 * @param sealed - ephemeral public key, IV and ciphertext
 * @param info - the same info used to seal
 * @param aad - the same associated data used to seal
 * @param what - what is being opened, for error messages
 */
export async function openSealed(
  recipient: IdentityKey,
  sealed: Sealed,
  info: Uint8Array,
  aad: Uint8Array,
  what: string,
): Promise<Uint8Array> {
  let shared: Uint8Array;
  try {
    shared = await identitySharedSecret(recipient, sealed.ephemeralPublicKey);
  } catch (cause) {
    throw new IntegrityError(`${what}: invalid ephemeral public key`, { cause });
  }
  const key = wrappingKey(shared, sealed.ephemeralPublicKey, recipient.publicKey, info);
  wipe(shared);
  try {
    return await aesGcmDecrypt(key, sealed.iv, sealed.ciphertext, aad, what);
  } finally {
    wipe(key);
  }
}
