import type { Patient } from '@medplum/fhirtypes';
import { type Address, bytesToHex } from 'viem';

import { type ChainContext, type SendOptions, categoryOf, readMedLedger, writeMedLedger } from '../chain';
import { type Enrollment, deriveKek, enrollIdentity, newRecordUid, sealRecord } from '../crypto';
import { AccessDeniedError } from '../errors';
import { validateResource } from '../fhir';
import { addBytes, unpin } from '../ipfs';
import { type Vault, actorOf, cidToBytes, encodePayload } from './vault';

/**
 * Derives the acting account's X25519 identity key from its wallet: two EIP-712 signatures over the
 * fixed `DeriveEncryptionKey` message (lib/crypto). Wallets that sign deterministically (MetaMask,
 * local keys) re-derive the same key on any device; others fall back to a random key backed up under
 * a passphrase. The key version follows the on-chain key rotations of the account.
 */
export async function enrollWallet(
  chain: ChainContext,
  options: { role: 'patient' | 'provider'; choosePassphrase?: () => Promise<string> },
): Promise<Enrollment> {
  const wallet = chain.walletClient;
  if (!wallet) throw new AccessDeniedError('Connect a wallet first.');
  const account: Address = wallet.account.address;
  const info =
    options.role === 'patient'
      ? await readMedLedger(chain, 'patientInfo', [account])
      : await readMedLedger(chain, 'providerInfo', [account]);
  // The derivation message counts from 1. On-chain, registerPatient publishes a patient's first key at
  // version 0 (rotations count from there), while setProviderKey numbers every provider key from 1.
  const published = info.encryptionKey !== `0x${'0'.repeat(64)}`;
  const onChainVersion = Number(info.keyVersion);
  const keyVersion = !published ? 1 : options.role === 'patient' ? onChainVersion + 1 : onChainVersion;
  return enrollIdentity({
    account,
    chainId: chain.deployment.chainId,
    keyVersion,
    signTypedData: (typedData) => wallet.signTypedData({ account: wallet.account, ...typedData }),
    choosePassphrase:
      options.choosePassphrase ??
      (() => Promise.reject(new AccessDeniedError('This wallet cannot re-derive its key; a passphrase backup is needed.'))),
  });
}

/**
 * Registers the acting wallet as a patient: the profile (a FHIR Patient, which may hold no more than
 * the patient wants) is encrypted under the patient's own key and stored on IPFS; the chain gets only
 * the public encryption key and the profile's CID.
 */
export async function registerPatient(vault: Vault, profile: Patient, options: SendOptions = {}): Promise<string> {
  const patient = actorOf(vault);
  validateResource(profile);
  const context = { patient, recordUid: newRecordUid(), version: 1, category: categoryOf('Patient'), epoch: 0 };
  const envelope = await sealRecord(encodePayload({ resource: profile }), context, {
    kek: deriveKek(vault.identity, patient, 0, context.category),
  });
  const cid = await addBytes(vault.ipfs, envelope);
  try {
    await writeMedLedger(vault.chain, 'registerPatient', [bytesToHex(vault.identity.publicKey), cidToBytes(cid)], options);
  } catch (error) {
    await unpin(vault.ipfs, cid).catch(() => false);
    throw error;
  }
  return cid;
}

/** Publishes the acting provider's encryption key so patients can share keys with it. */
export async function publishProviderKey(vault: Vault, options: SendOptions = {}): Promise<void> {
  await writeMedLedger(vault.chain, 'setProviderKey', [bytesToHex(vault.identity.publicKey)], options);
}
