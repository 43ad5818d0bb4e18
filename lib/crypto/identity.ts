/**
 * Identity keys: the X25519 key pair each user publishes on-chain and receives keyrings and wrapped
 * keys under. Derived from a wallet signature over fixed EIP-712 typed data, so the wallet is the only
 * secret a user keeps; wallets that do not sign deterministically fall back to a random key backed up
 * under a passphrase (see ./backup).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, isHex, type Address, type Hex, type TypedDataDefinition } from 'viem';

import { ValidationError } from '../errors';
import { deriveKey, randomBytes } from './aead';
import { equalBytes, magicBytes } from './bytes';

/** An X25519 key pair whose secret is held as bytes: as derived, generated or restored. */
export interface RawIdentityKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly ops?: undefined;
}

/**
 * The two things an identity secret is used for, done without revealing it: X25519 key agreement and
 * HKDF. A device kept unlocked holds its secret only in non-extractable WebCrypto keys (see
 * ./webcrypto-identity), which page script can use but never read.
 */
export interface IdentitySecretOps {
  /** The X25519 shared secret with `publicKey` (32 bytes); rejects a low-order key as noble does. */
  ecdh(publicKey: Uint8Array): Promise<Uint8Array>;
  /** HKDF-SHA256 of the secret to 32 bytes, exactly `deriveKey(secretKey, salt, info)` of ./aead. */
  hkdf(salt: Uint8Array, info: Uint8Array): Promise<Uint8Array>;
}

/** An X25519 key pair whose secret is reachable only through {@link IdentitySecretOps}. */
export interface OpaqueIdentityKey {
  readonly publicKey: Uint8Array;
  readonly ops: IdentitySecretOps;
  readonly secretKey?: undefined;
}

/** A user's X25519 key pair. The secret never leaves the client. */
export type IdentityKey = RawIdentityKey | OpaqueIdentityKey;

/** EIP-712 types of the key-derivation message. */
export const ENCRYPTION_KEY_TYPES = {
  DeriveEncryptionKey: [
    { name: 'purpose', type: 'string' },
    { name: 'account', type: 'address' },
    { name: 'keyVersion', type: 'uint32' },
  ],
} as const;

/** Shown by the wallet: it warns the user that this signature is a key, not a login. */
export const ENCRYPTION_KEY_PURPOSE =
  'Unlock my MedLedger encryption key. Sign this only in the MedLedger app: whoever holds this signature can read my medical records.';

/** The typed data a wallet signs to derive its encryption key (viem `signTypedData` parameters). */
export type EncryptionKeyTypedData = TypedDataDefinition<typeof ENCRYPTION_KEY_TYPES, 'DeriveEncryptionKey'>;

/**
 * The fixed EIP-712 message whose signature derives the identity key. The domain names the chain but
 * no verifying contract: the key belongs to the user on that chain and must survive redeploying or
 * upgrading the contracts, while a different chain (different deployment, different records) gets a
 * different key. `keyVersion` lets a user rotate to a fresh key (crypto-shredding, compromise).
 * @param params - `account` that signs, `chainId`, `keyVersion` (default 1)
 */
export function encryptionKeyTypedData(params: {
  account: Address;
  chainId: number;
  keyVersion?: number;
}): EncryptionKeyTypedData {
  const keyVersion = params.keyVersion ?? 1;
  if (!Number.isInteger(keyVersion) || keyVersion < 0 || keyVersion > 0xffffffff) {
    throw new ValidationError([{ path: 'keyVersion', message: `must be a uint32, got ${keyVersion}` }]);
  }
  return {
    domain: { name: 'MedLedger', version: '1', chainId: params.chainId },
    types: ENCRYPTION_KEY_TYPES,
    primaryType: 'DeriveEncryptionKey',
    message: { purpose: ENCRYPTION_KEY_PURPOSE, account: params.account, keyVersion },
  };
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const IDENTITY_SALT = magicBytes('MedLedger identity key v1');
const IDENTITY_INFO = magicBytes('x25519');

function bigintFrom(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bytesFrom(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

/**
 * The canonical (r ‖ low-s) of an ECDSA signature, whatever its encoding: 65 bytes with v as 27/28 or
 * 0/1, or 64-byte EIP-2098 compact form (y-parity in the top bit of s). v is dropped and s folded to
 * the low half so every encoding of one signature gives the same bytes.
 */
function canonicalRs(signature: Hex): Uint8Array {
  const invalid = (message: string) => new ValidationError([{ path: 'signature', message }], 'Invalid signature');
  if (!isHex(signature, { strict: true })) throw invalid('not a 0x-prefixed hex string');
  const bytes = hexToBytes(signature);
  if (bytes.length !== 65 && bytes.length !== 64) throw invalid(`expected 64 or 65 bytes, got ${bytes.length}`);
  const r = bigintFrom(bytes.subarray(0, 32));
  const sBytes = bytes.slice(32, 64);
  if (bytes.length === 64) sBytes[0] = (sBytes[0] as number) & 0x7f;
  let s = bigintFrom(sBytes);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) throw invalid('r or s out of range');
  if (s > SECP256K1_N / 2n) s = SECP256K1_N - s;
  const out = new Uint8Array(64);
  out.set(bytesFrom(r), 0);
  out.set(bytesFrom(s), 32);
  return out;
}

/**
 * Builds the key pair from 32 secret bytes (any 32 bytes are a valid X25519 scalar after clamping).
 * @param secretKey - 32 bytes
 */
export function identityKeyFromSecret(secretKey: Uint8Array): RawIdentityKey {
  if (secretKey.length !== 32) {
    throw new ValidationError([{ path: 'secretKey', message: `expected 32 bytes, got ${secretKey.length}` }]);
  }
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/**
 * Derives the identity key from a signature over {@link encryptionKeyTypedData}: HKDF-SHA256 of the
 * canonical r ‖ s. Throws ValidationError for anything that is not a well-formed ECDSA signature.
 * @param signature - the wallet's signature (65-byte with any v encoding, or 64-byte compact)
 */
export function deriveIdentityKey(signature: Hex): RawIdentityKey {
  return identityKeyFromSecret(deriveKey(canonicalRs(signature), IDENTITY_SALT, IDENTITY_INFO));
}

/** A random identity key, for wallets that cannot derive one (back it up with `backupIdentityKey`). */
export function generateIdentityKey(): RawIdentityKey {
  return identityKeyFromSecret(randomBytes(32));
}

/**
 * Whether two signatures are the same signature (encoding aside), i.e. the wallet signs
 * deterministically and the derived key can be recovered on any device.
 * @param a - first signature
 * @param b - second signature over the same message
 */
export function sameSignature(a: Hex, b: Hex): boolean {
  return equalBytes(canonicalRs(a), canonicalRs(b));
}

/**
 * X25519 key agreement with the identity's secret, whichever way it is held.
 * @param identity - the key pair whose secret agrees
 * @param publicKey - the other party's 32-byte public key
 */
export async function identitySharedSecret(identity: IdentityKey, publicKey: Uint8Array): Promise<Uint8Array> {
  return identity.ops ? identity.ops.ecdh(publicKey) : x25519.getSharedSecret(identity.secretKey, publicKey);
}

/**
 * HKDF-SHA256 with the identity's secret as input key material, whichever way it is held.
 * @param identity - the key pair whose secret is the input
 * @param salt - domain separation of the extract step
 * @param info - binds the output to its purpose and context
 */
export async function identityDeriveKey(
  identity: IdentityKey,
  salt: Uint8Array,
  info: Uint8Array,
): Promise<Uint8Array> {
  return identity.ops ? identity.ops.hkdf(salt, info) : deriveKey(identity.secretKey, salt, info);
}
