import { type Address, type Hex, hexToBytes } from 'viem';

import {
  type ProviderAccess,
  READ_MASK,
  decodeScopes,
  grantsOf,
  grantStanding,
  keyEpochsHeld,
  patientActivity,
  readMedLedger,
  writeMedLedger,
  type SendOptions,
} from '../chain';
import { createKeyring } from '../crypto';
import { NotFoundError, ValidationError } from '../errors';
import { addBytes } from '../ipfs';
import type { ProgressListener } from './progress';
import { type Vault, actorOf, cidToBytes } from './vault';

/** What a patient shares with a provider. */
export interface AccessTerms {
  readonly provider: Address;
  readonly scopes: bigint;
  /** Unix seconds. */
  readonly expiry: number;
}

/** Read scopes of `held` that `scopes` no longer has. */
function droppedReads(held: bigint, scopes: bigint): bigint {
  return held & READ_MASK & ~scopes;
}

/**
 * Wraps the patient's category keys (of `epoch` and every earlier one) for the provider's published
 * encryption key and stores the keyring on IPFS; returns its CID bytes for the chain. Only categories
 * the provider may read get keys.
 */
async function publishKeyring(
  vault: Vault,
  patient: Address,
  provider: Address,
  scopes: bigint,
  epoch: number,
): Promise<Hex> {
  const categories = decodeScopes(scopes).read;
  if (categories.length === 0) return '0x';
  const providerInfo = await readMedLedger(vault.chain, 'providerInfo', [provider]);
  if (/^0x0*$/.test(providerInfo.encryptionKey)) {
    throw new NotFoundError(`${provider} has not published an encryption key yet, so nothing can be shared with it.`);
  }
  const keyring = await createKeyring(vault.identity, {
    patient,
    grantee: provider,
    granteePublicKey: hexToBytes(providerInfo.encryptionKey),
    epoch,
    categories,
  });
  return cidToBytes(await addBytes(vault.ipfs, keyring));
}

/**
 * The keyring for a grant of `scopes` to `provider` that is about to be made. A grant that drops a read
 * scope the provider holds starts a new key epoch on-chain (`Consent.grant`), so its keyring is made
 * for that next epoch.
 *
 * @returns the keyring's CID bytes, and whether the grant starts a new epoch
 */
async function keyringForGrant(
  vault: Vault,
  patient: Address,
  provider: Address,
  scopes: bigint,
): Promise<{ keyring: Hex; newEpoch: boolean }> {
  const [info, held] = await Promise.all([
    readMedLedger(vault.chain, 'patientInfo', [patient]),
    readMedLedger(vault.chain, 'grantOf', [patient, provider]),
  ]);
  const newEpoch = droppedReads(held.scopes, scopes) !== 0n;
  const keyring = await publishKeyring(vault, patient, provider, scopes, info.keyEpoch + (newEpoch ? 1 : 0));
  return { keyring, newEpoch };
}

/**
 * Grants (or approves a request with) `terms`: publishes a keyring for the provider, then the on-chain
 * grant that references it, in one patient transaction. A grant narrower than the provider's current
 * one (a read category dropped) starts a new key epoch like a revocation, so the provider cannot open
 * what is written later in the dropped categories; every other provider with live access then gets
 * the new epoch's keys.
 *
 * @returns whether the grant started a new key epoch, and the providers that were given its keys
 */
export async function grantAccess(
  vault: Vault,
  terms: AccessTerms,
  options: SendOptions = {},
): Promise<{ newEpoch: boolean; reshared: Address[] }> {
  const patient = actorOf(vault);
  if (terms.expiry <= Date.now() / 1000) {
    throw new ValidationError([{ path: 'expiry', message: 'must be in the future' }], 'Cannot grant access');
  }
  const { keyring, newEpoch } = await keyringForGrant(vault, patient, terms.provider, terms.scopes);
  await writeMedLedger(vault.chain, 'grant', [terms.provider, terms.scopes, terms.expiry, keyring], options);
  return { newEpoch, reshared: newEpoch ? await shareCurrentKeys(vault, options) : [] };
}

/**
 * Revokes a provider's access. The chain starts a new key epoch, and every other provider that still
 * holds access gets a keyring for it, so they keep reading new records while the revoked one cannot.
 * What the revoked provider already decrypted cannot be recalled.
 */
export async function revokeAccess(vault: Vault, provider: Address, options: SendOptions = {}): Promise<void> {
  await revokeAndReshare(vault, [provider], options);
}

/** Revokes each of `providers` (a new key epoch each time), then hands the others the newest keys. */
async function revokeAndReshare(vault: Vault, providers: readonly Address[], options: SendOptions): Promise<void> {
  for (const provider of providers) await writeMedLedger(vault.chain, 'revoke', [provider], options);
  await shareCurrentKeys(vault, options);
}

/** Each provider that was ever handed keys: the epoch of its newest keys and its grant as it stands. */
interface KeyHolder {
  readonly provider: Address;
  readonly epoch: number;
  readonly scopes: bigint;
  readonly active: boolean;
}

/** The patient's current key epoch and every {@link KeyHolder}, from one read of the key events. */
async function keyHolders(vault: Vault, patient: Address): Promise<{ epoch: number; holders: KeyHolder[] }> {
  const [info, held] = await Promise.all([
    readMedLedger(vault.chain, 'patientInfo', [patient]),
    keyEpochsHeld(vault.chain, patient),
  ]);
  const holders = await Promise.all(
    [...held].map(async ([provider, epoch]) => ({
      provider,
      epoch,
      ...(await grantStanding(vault.chain, patient, provider)),
    })),
  );
  return { epoch: info.keyEpoch, holders };
}

/**
 * Hands the keys of the patient's current epoch to every provider whose access is live, who may read
 * something, and who holds only older keys (after a revocation, a narrowing grant, or a consent signed
 * under an earlier epoch): without them, it could not open anything written from now on.
 *
 * @returns the providers that were sent keys
 */
export async function shareCurrentKeys(
  vault: Vault,
  options: SendOptions = {},
  known?: Awaited<ReturnType<typeof keyHolders>>,
): Promise<Address[]> {
  const patient = actorOf(vault);
  const { epoch, holders } = known ?? (await keyHolders(vault, patient));
  const behind = holders.filter(
    (holder) => holder.epoch < epoch && holder.active && (holder.scopes & READ_MASK) !== 0n,
  );
  for (const { provider, scopes } of behind) {
    const keyring = await publishKeyring(vault, patient, provider, scopes, epoch);
    await writeMedLedger(vault.chain, 'shareKeyring', [provider, keyring], options);
  }
  return behind.map(({ provider }) => provider);
}

/** The holders of the current epoch's keys whose grant stands but has ended (expired, or provider suspended). */
function stale({ epoch, holders }: Awaited<ReturnType<typeof keyHolders>>): Address[] {
  // A revoked grant has no scopes and its epoch is over; only a grant still standing can be stale.
  return holders
    .filter((holder) => holder.epoch === epoch && holder.scopes !== 0n && !holder.active)
    .map((holder) => holder.provider);
}

/**
 * Providers whose access has ended without a revocation (the grant expired, or the provider was
 * suspended) but who still hold the keys of the patient's current epoch: anything the patient wrote
 * now would be readable to them, since ciphertext and CIDs are public.
 */
export async function staleKeyHolders(vault: Vault, patient: Address): Promise<Address[]> {
  return stale(await keyHolders(vault, patient));
}

/**
 * Starts a new key epoch if a provider whose access has ended still holds the current keys (see
 * {@link staleKeyHolders}): their grants are revoked, and the providers whose access is live get the
 * new keys. Otherwise hands the current keys to any live grantee that lacks them (a narrowing consent
 * it submitted started a new epoch). The patient's writes call this first, so a record is never sealed
 * under keys an expired or suspended provider holds, nor withheld from a grantee.
 *
 * @returns the providers whose grants were revoked (none when the keys were fresh)
 */
export async function rotateStaleKeys(
  vault: Vault,
  options: SendOptions & { onProgress?: ProgressListener } = {},
): Promise<Address[]> {
  const known = await keyHolders(vault, actorOf(vault));
  const ended = stale(known);
  if (ended.length === 0) {
    await shareCurrentKeys(vault, options, known);
    return ended;
  }
  options.onProgress?.({ step: 'rotate', total: ended.length });
  await revokeAndReshare(vault, ended, options);
  return ended;
}

/** Every provider `patient` ever granted, with its grant as it stands now. */
export async function listGrants(vault: Vault, patient: Address): Promise<ProviderAccess[]> {
  return grantsOf(vault.chain, patient, await patientActivity(vault.chain, patient));
}

/** A consent signed off-chain (EIP-712) that the provider submits and pays for, e.g. from a QR code. */
export interface SignedConsent extends AccessTerms {
  readonly patient: Address;
  readonly keyring: Hex;
  /**
   * How many times the patient had revoked the provider when signing: a revocation after signing
   * makes the consent worthless (`Consent.grantBySig`).
   */
  readonly revocations: number;
  readonly nonce: bigint;
  readonly deadline: bigint;
  readonly signature: Hex;
}

export const CONSENT_TYPES = {
  Consent: [
    { name: 'patient', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'scopes', type: 'uint64' },
    { name: 'expiry', type: 'uint40' },
    { name: 'keyring', type: 'bytes' },
    { name: 'revocations', type: 'uint32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

/**
 * The patient signs a consent for `terms` valid until `deadline` (Unix seconds); the keyring is
 * published first so the provider can read as soon as it submits.
 */
export async function signConsent(vault: Vault, terms: AccessTerms, deadline: number): Promise<SignedConsent> {
  const patient = actorOf(vault);
  const wallet = vault.chain.walletClient!;
  const { keyring } = await keyringForGrant(vault, patient, terms.provider, terms.scopes);
  const [nonce, standing] = await Promise.all([
    readMedLedger(vault.chain, 'nonces', [patient]),
    readMedLedger(vault.chain, 'grantOf', [patient, terms.provider]),
  ]);
  const message = {
    patient,
    provider: terms.provider,
    scopes: terms.scopes,
    expiry: terms.expiry,
    keyring,
    revocations: standing.revocations,
    nonce,
    deadline: BigInt(deadline),
  };
  const signature = await wallet.signTypedData({
    account: wallet.account,
    domain: {
      name: 'MedLedger',
      version: '1',
      chainId: vault.chain.deployment.chainId,
      verifyingContract: vault.chain.deployment.medLedger,
    },
    types: CONSENT_TYPES,
    primaryType: 'Consent',
    message,
  });
  return { ...message, expiry: terms.expiry, signature };
}

/** Submits a patient's signed consent (anyone may, typically the provider). */
export async function submitConsent(vault: Vault, consent: SignedConsent, options: SendOptions = {}): Promise<void> {
  await writeMedLedger(
    vault.chain,
    'grantBySig',
    [
      consent.patient,
      consent.provider,
      consent.scopes,
      consent.expiry,
      consent.keyring,
      consent.revocations,
      consent.nonce,
      consent.deadline,
      consent.signature,
    ],
    options,
  );
}
