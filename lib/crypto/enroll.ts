/**
 * Enrollment: obtain a user's identity key from their wallet, falling back to a random key under a
 * passphrase when the wallet's signatures are not reproducible (hardware wallets with anti-exfil
 * nonces, smart-contract wallets).
 */
import type { Address, Hex } from 'viem';

import { backupIdentityKey, DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './backup';
import {
  deriveIdentityKey,
  encryptionKeyTypedData,
  generateIdentityKey,
  sameSignature,
  type EncryptionKeyTypedData,
  type RawIdentityKey,
} from './identity';

/**
 * How the key was obtained: re-derivable from the wallet, or random with a backup to keep; and the key
 * version it was derived for.
 */
export type Enrollment =
  | { readonly method: 'signature'; readonly key: RawIdentityKey; readonly keyVersion: number }
  | {
      readonly method: 'backup';
      readonly key: RawIdentityKey;
      readonly keyVersion: number;
      readonly backup: Uint8Array;
    };

/** Options of {@link enrollIdentity}. */
export interface EnrollOptions {
  readonly account: Address;
  readonly chainId: number;
  readonly keyVersion?: number;
  /** Asks the wallet to sign (e.g. viem `walletClient.signTypedData({ account, ...typedData })`). */
  readonly signTypedData: (typedData: EncryptionKeyTypedData) => Promise<Hex>;
  /** Asked only when the fallback is needed: the passphrase protecting the random key. */
  readonly choosePassphrase: () => Promise<string>;
  /** scrypt cost of the backup; leave the default outside tests. */
  readonly scryptParams?: ScryptParams;
}

/**
 * Signs the key-derivation message twice. Equal signatures mean the wallet can re-derive the key on
 * any device later; different ones mean it cannot, so a random key is generated and backed up.
 * @param options - account, chain, signer and passphrase prompt
 */
export async function enrollIdentity(options: EnrollOptions): Promise<Enrollment> {
  const keyVersion = options.keyVersion ?? 1;
  const typedData = encryptionKeyTypedData({ account: options.account, chainId: options.chainId, keyVersion });
  const first = await options.signTypedData(typedData);
  const second = await options.signTypedData(typedData);
  if (sameSignature(first, second)) return { method: 'signature', key: deriveIdentityKey(first), keyVersion };

  const key = generateIdentityKey();
  const passphrase = await options.choosePassphrase();
  const backup = await backupIdentityKey(
    key,
    passphrase,
    { account: options.account, keyVersion },
    options.scryptParams ?? DEFAULT_SCRYPT_PARAMS,
  );
  return { method: 'backup', key, keyVersion, backup };
}
