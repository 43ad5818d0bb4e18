/**
 * Passphrase backup of a random identity key, for wallets whose signatures are not deterministic.
 * scrypt (memory-hard, @noble/hashes) turns the passphrase into an AES-256-GCM key.
 *
 * Format `MLKB` v1: magic "MLKB" | version 1 | account (20) | keyVersion u32 | log2 N u8 | r u8 | p u8 |
 * salt (16) | iv (12) | AES-GCM(secret key) (48). Everything before the ciphertext is associated data,
 * so the cost parameters and account cannot be changed without the passphrase check failing.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { bytesToHex, getAddress, hexToBytes, isAddress, type Address } from 'viem';

import { IntegrityError, ValidationError } from '../errors';
import { aesGcmDecrypt, aesGcmEncrypt, IV_LENGTH, randomBytes, TAG_LENGTH } from './aead';
import { ByteReader, ByteWriter, equalBytes, magicBytes, wipe } from './bytes';
import { identityKeyFromSecret, type RawIdentityKey } from './identity';

const MAGIC = magicBytes('MLKB');
const VERSION = 1;
const SALT_LENGTH = 16;

/** scrypt cost: N = 2^logN, block size r, parallelism p. */
export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's recommended minimum for scrypt (N = 2^17, r = 8, p = 1: 128 MiB, ~1 s in a browser). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { logN: 17, r: 8, p: 1 };

/** Shortest passphrase accepted: the backup sits on IPFS, open to offline guessing. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** Memory ceiling (1 GiB) so a hostile backup cannot freeze the client with absurd parameters. */
const MAX_SCRYPT_MEMORY = 2 ** 30;

function checkParams(params: ScryptParams, fail: (message: string) => Error): void {
  const { logN, r, p } = params;
  if (!Number.isInteger(logN) || logN < 1 || logN > 22) throw fail(`scrypt logN ${logN} outside 1..22`);
  if (!Number.isInteger(r) || r < 1 || r > 32) throw fail(`scrypt r ${r} outside 1..32`);
  if (!Number.isInteger(p) || p < 1 || p > 16) throw fail(`scrypt p ${p} outside 1..16`);
  if (128 * r * 2 ** logN * p > MAX_SCRYPT_MEMORY) throw fail('scrypt parameters need more than 1 GiB of memory');
}

async function passphraseKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  // NFKC so the same passphrase typed on different keyboards/OSes gives the same bytes.
  return scryptAsync(passphrase.normalize('NFKC'), salt, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    dkLen: 32,
    maxmem: MAX_SCRYPT_MEMORY + 1024 * 1024,
  });
}

/**
 * Encrypts an identity key under a passphrase.
 * @param key - the identity key to back up
 * @param passphrase - at least {@link MIN_PASSPHRASE_LENGTH} characters
 * @param owner - the account and keyVersion the key belongs to (bound into the blob)
 * @param params - scrypt cost; leave the default outside tests
 */
export async function backupIdentityKey(
  key: RawIdentityKey,
  passphrase: string,
  owner: { account: Address; keyVersion: number },
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<Uint8Array> {
  const issues = [];
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    issues.push({ path: 'passphrase', message: `must have at least ${MIN_PASSPHRASE_LENGTH} characters` });
  }
  if (!isAddress(owner.account, { strict: false })) issues.push({ path: 'account', message: 'not an address' });
  if (!Number.isInteger(owner.keyVersion) || owner.keyVersion < 0 || owner.keyVersion > 0xffffffff) {
    issues.push({ path: 'keyVersion', message: 'must be a uint32' });
  }
  checkParams(params, (message) => new ValidationError([{ path: 'params', message }]));
  if (issues.length > 0) throw new ValidationError(issues, 'Cannot back up the key');

  const salt = randomBytes(SALT_LENGTH);
  const iv = randomBytes(IV_LENGTH);
  const header = new ByteWriter()
    .bytes(MAGIC)
    .u8(VERSION)
    .bytes(hexToBytes(owner.account))
    .u32(owner.keyVersion)
    .u8(params.logN)
    .u8(params.r)
    .u8(params.p)
    .bytes(salt)
    .finish();
  const wrappingKey = await passphraseKey(passphrase, salt, params);
  try {
    const sealed = await aesGcmEncrypt(wrappingKey, iv, key.secretKey, header);
    return new ByteWriter().bytes(header).bytes(iv).bytes(sealed).finish();
  } finally {
    wipe(wrappingKey);
  }
}

/** What a backup blob says about itself before the passphrase is tried. */
export interface KeyBackupInfo {
  readonly account: Address;
  readonly keyVersion: number;
  readonly params: ScryptParams;
}

interface ParsedBackup extends KeyBackupInfo {
  readonly header: Uint8Array;
  readonly salt: Uint8Array;
  readonly iv: Uint8Array;
  readonly sealed: Uint8Array;
}

function parseBackup(blob: Uint8Array): ParsedBackup {
  const reader = new ByteReader(blob, 'key backup');
  reader.expectHeader(MAGIC, VERSION);
  const accountBytes = reader.take(20);
  const keyVersion = reader.u32();
  const params = { logN: reader.u8(), r: reader.u8(), p: reader.u8() };
  checkParams(params, (message) => new IntegrityError(`key backup: ${message}`));
  const salt = reader.take(SALT_LENGTH);
  const header = reader.since(0);
  const iv = reader.take(IV_LENGTH);
  const sealed = reader.take(32 + TAG_LENGTH);
  reader.end();
  const account = getAddress(bytesToHex(accountBytes));
  return { account, keyVersion, params, header, salt, iv, sealed };
}

/**
 * Reads the unauthenticated header of a backup (which account, which key version, what cost).
 * @param blob - a backup made by {@link backupIdentityKey}
 */
export function inspectKeyBackup(blob: Uint8Array): KeyBackupInfo {
  const { account, keyVersion, params } = parseBackup(blob);
  return { account, keyVersion, params };
}

/**
 * Decrypts a backup. A wrong passphrase, a corrupted blob, or a backup of another account all throw
 * IntegrityError.
 * @param blob - a backup made by {@link backupIdentityKey}
 * @param passphrase - the passphrase it was made with
 * @param account - the account expected to own it
 */
export async function restoreIdentityKey(
  blob: Uint8Array,
  passphrase: string,
  account: Address,
): Promise<RawIdentityKey> {
  const parsed = parseBackup(blob);
  if (!isAddress(account, { strict: false }) || !equalBytes(hexToBytes(account), hexToBytes(parsed.account))) {
    throw new IntegrityError(`key backup belongs to ${parsed.account}, not ${account}`);
  }
  const wrappingKey = await passphraseKey(passphrase, parsed.salt, parsed.params);
  try {
    const secret = await aesGcmDecrypt(
      wrappingKey,
      parsed.iv,
      parsed.sealed,
      parsed.header,
      'key backup (wrong passphrase?)',
    );
    return identityKeyFromSecret(secret);
  } finally {
    wipe(wrappingKey);
  }
}
