import type { Patient } from '@medplum/fhirtypes';
import { type Address, type Hex, bytesToHex } from 'viem';

import { type ChainContext, RECORD_CATEGORIES, type SendOptions, readMedLedger, writeMedLedger } from '../chain';
import { type Enrollment, deriveKek, enrollIdentity, newRecordUid, sealRecord } from '../crypto';
import { AccessDeniedError, KeyMismatchError } from '../errors';
import { validateResource } from '../fhir';
import { addBytes, unpin } from '../ipfs';
import { type Vault, actorOf, cidToBytes, encodePayload } from './vault';

/** Options of {@link enrollWallet}. */
export type EnrollWalletOptions =
  | { readonly role: 'patient'; readonly choosePassphrase?: () => Promise<string> }
  | {
      readonly role: 'provider';
      readonly choosePassphrase?: () => Promise<string>;
      /**
       * Derive the provider's next key instead of re-deriving the published one, to publish with
       * {@link publishProviderKey} (after a {@link KeyMismatchError}). Keyrings are sealed to the key
       * they were made for, so patients must then share theirs again.
       */
      readonly newKey?: boolean;
    };

const NO_KEY = `0x${'0'.repeat(64)}`;

/**
 * Derives the acting account's X25519 identity key from its wallet: two EIP-712 signatures over the
 * fixed `DeriveEncryptionKey` message (lib/crypto). Wallets that sign deterministically (MetaMask,
 * local keys) re-derive the same key on any device; others fall back to a random key backed up under
 * a passphrase. The key version follows the on-chain key rotations of the account.
 *
 * Once the account has published a key (patient registration, `setProviderKey`), the derived key must
 * be that key: everything shared with the account is sealed to it, so any other key would open nothing.
 *
 * @throws {@link KeyMismatchError} when the account's published key is not the one this wallet gives,
 *   saying what to do about it; nothing is changed.
 */
export async function enrollWallet(chain: ChainContext, options: EnrollWalletOptions): Promise<Enrollment> {
  const wallet = chain.walletClient;
  if (!wallet) throw new AccessDeniedError('Connect a wallet first.');
  const account: Address = wallet.account.address;
  const { role } = options;
  const info =
    role === 'patient'
      ? await readMedLedger(chain, 'patientInfo', [account])
      : await readMedLedger(chain, 'providerInfo', [account]);
  const published = info.encryptionKey === NO_KEY ? undefined : info.encryptionKey;
  const onChainVersion = Number(info.keyVersion);
  const newKey = options.role === 'provider' && options.newKey === true;
  // The derivation message counts from 1. On-chain, registerPatient publishes a patient's first key at
  // version 0 (rotations count from there), while setProviderKey numbers every provider key from 1, so
  // the key a provider publishes next is derived at the on-chain version + 1.
  const keyVersion = !published ? 1 : role === 'patient' ? onChainVersion + 1 : onChainVersion + (newKey ? 1 : 0);
  const expected = newKey ? undefined : published;
  const mismatch = (derived: Hex | undefined) =>
    keyMismatch({ role, account, published: expected!, onChainVersion, derived });
  const enrollment = await enrollIdentity({
    account,
    chainId: chain.deployment.chainId,
    keyVersion,
    signTypedData: (typedData) => wallet.signTypedData({ account: wallet.account, ...typedData }),
    // A random key (the fallback for wallets that cannot re-derive) can never be the published one.
    choosePassphrase: expected
      ? () => Promise.reject(mismatch(undefined))
      : (options.choosePassphrase ??
        (() =>
          Promise.reject(
            new AccessDeniedError('This wallet cannot re-derive its key; a passphrase backup is needed.'),
          ))),
  });
  const derived = bytesToHex(enrollment.key.publicKey);
  if (expected && derived.toLowerCase() !== expected.toLowerCase()) throw mismatch(derived);
  return enrollment;
}

/**
 * Whether `publicKey` can stand for `account`'s identity: it is the key the account published as a
 * patient or as a provider, or the account has published none yet. A key kept on a device from before
 * a rotation elsewhere fails this and must be derived again.
 */
export async function isPublishedKey(chain: ChainContext, account: Address, publicKey: Uint8Array): Promise<boolean> {
  const [patient, provider] = await Promise.all([
    readMedLedger(chain, 'patientInfo', [account]),
    readMedLedger(chain, 'providerInfo', [account]),
  ]);
  const published = [patient.encryptionKey, provider.encryptionKey].filter((key) => key !== NO_KEY);
  const key = bytesToHex(publicKey).toLowerCase();
  return published.length === 0 || published.some((candidate) => candidate.toLowerCase() === key);
}

/** The error for a published key the wallet does not give: which keys, and what the account can do. */
function keyMismatch(found: {
  role: 'patient' | 'provider';
  account: Address;
  published: Hex;
  onChainVersion: number;
  derived: Hex | undefined;
}): KeyMismatchError {
  const { role, account, published, onChainVersion, derived } = found;
  const onChain = `the one published on-chain for ${role} ${account} (${published}, key version ${onChainVersion})`;
  const what =
    derived === undefined
      ? `This wallet signs differently each time, so it cannot re-derive ${onChain}`
      : `The encryption key this wallet derives (${derived}) is not ${onChain}`;
  const remedy =
    role === 'patient'
      ? 'Your records are sealed under the published key, so this one would open none of them. Sign with the wallet ' +
        'you registered with, in a MedLedger app that derives keys the same way; a random key backed up under a ' +
        'passphrase can only be restored from that backup (this app cannot do that yet). Publishing a new key ' +
        '(rotatePatientKey) would not open the records already written.'
      : 'Patients seal the keys they share with you to the published key, so this one would open none of them. ' +
        "Publish this wallet's next key (setProviderKey) and ask the patients who granted you access to share " +
        'their keys again.';
  return new KeyMismatchError(`${what}. ${remedy} Nothing was changed.`, { account, published, derived });
}

/**
 * Registers the acting wallet as a patient: the profile (a FHIR Patient, which may hold no more than
 * the patient wants) is encrypted under the patient's own key and stored on IPFS; the chain gets only
 * the public encryption key and the profile's CID.
 */
export async function registerPatient(vault: Vault, profile: Patient, options: SendOptions = {}): Promise<string> {
  const patient = actorOf(vault);
  validateResource(profile);
  // The profile category, so a provider can be granted the profile on its own. Profiles registered
  // before it existed were sealed under category 0 (`other`); see PROFILE_CATEGORIES.
  const context = { patient, recordUid: newRecordUid(), version: 1, category: RECORD_CATEGORIES.profile, epoch: 0 };
  const envelope = await sealRecord(encodePayload({ resource: profile }), context, {
    kek: await deriveKek(vault.identity, patient, 0, context.category),
  });
  const cid = await addBytes(vault.ipfs, envelope);
  try {
    await writeMedLedger(
      vault.chain,
      'registerPatient',
      [bytesToHex(vault.identity.publicKey), cidToBytes(cid)],
      options,
    );
  } catch (error) {
    await unpin(vault.ipfs, cid).catch(() => false);
    throw error;
  }
  return cid;
}

/**
 * Publishes the acting provider's encryption key so patients can share keys with it. Publishing the
 * key that is already published sends nothing: it would only raise the on-chain key version, and the
 * wallet derives another key for each version, so the next enrollment would no longer match.
 *
 * @returns whether a transaction was sent
 */
export async function publishProviderKey(vault: Vault, options: SendOptions = {}): Promise<boolean> {
  const key = bytesToHex(vault.identity.publicKey);
  const { encryptionKey } = await readMedLedger(vault.chain, 'providerInfo', [actorOf(vault)]);
  if (encryptionKey.toLowerCase() === key.toLowerCase()) return false;
  await writeMedLedger(vault.chain, 'setProviderKey', [key], options);
  return true;
}
