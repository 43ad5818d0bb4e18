/**
 * The consent link a patient hands a provider: `${origin}/consent#<base64url JSON>` carrying an EIP-712
 * signed consent ({@link signConsent}). The terms travel in the fragment, so they never reach a server
 * log; nothing in them is secret (the keyring is encrypted to the provider), and the signature only
 * works once, for that provider, on that chain and contract. The web app (share by link / QR, the
 * /consent page) and the CLI (`consent-link`, `consent-submit`) both make and read links here.
 */
import { type Address, type Hex, getAddress, isAddress, isHex } from 'viem';

import { readMedLedger, type SendOptions } from '../chain';
import { AccessDeniedError, ValidationError } from '../errors';
import { formatDate } from '../fhir/display';
import { type AccessTerms, type SignedConsent, signConsent, submitConsent } from './consent';
import { type Vault, actorOf } from './vault';

// Version 2 names the revocation count the consent was signed at (see `Consent.grantBySig`).
const VERSION = 2;

/** The JSON in the link: bigints as decimal strings, plus where the signature is valid. */
interface ConsentLinkJson {
  v: number;
  chainId: number;
  contract: Address;
  patient: Address;
  provider: Address;
  scopes: string;
  expiry: number;
  keyring: Hex;
  revocations: number;
  nonce: string;
  deadline: string;
  signature: Hex;
}

/** A decoded consent with the chain and contract it was signed for. */
export interface ConsentLink {
  readonly consent: SignedConsent;
  readonly chainId: number;
  readonly contract: Address;
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/** The link for a signed consent. */
export function consentLink(origin: string, link: ConsentLink): string {
  const { consent } = link;
  const json: ConsentLinkJson = {
    v: VERSION,
    chainId: link.chainId,
    contract: link.contract,
    patient: consent.patient,
    provider: consent.provider,
    scopes: consent.scopes.toString(),
    expiry: consent.expiry,
    keyring: consent.keyring,
    revocations: consent.revocations,
    nonce: consent.nonce.toString(),
    deadline: consent.deadline.toString(),
    signature: consent.signature,
  };
  return `${origin}/consent#${toBase64Url(JSON.stringify(json))}`;
}

/**
 * Decodes the fragment of a consent link (with or without the leading `#`). Throws a ValidationError
 * naming every malformed field, e.g. when the link was cut off while copying.
 */
export function parseConsentFragment(fragment: string): ConsentLink {
  const encoded = fragment.replace(/^#/, '').trim();
  const fail = (path: string, message: string) =>
    new ValidationError([{ path, message }], 'This consent link is damaged');
  if (!encoded) throw fail('link', 'has no consent in it (nothing after “#”)');
  let json: Partial<ConsentLinkJson>;
  try {
    json = JSON.parse(fromBase64Url(encoded)) as Partial<ConsentLinkJson>;
  } catch {
    throw fail('link', 'cannot be decoded; it may have been cut off when it was copied');
  }
  const issues: { path: string; message: string }[] = [];
  const address = (key: 'contract' | 'patient' | 'provider') => {
    const value = json[key];
    if (typeof value !== 'string' || !isAddress(value, { strict: false }))
      issues.push({ path: key, message: 'is not an address' });
  };
  const integer = (key: 'scopes' | 'nonce' | 'deadline') => {
    if (typeof json[key] !== 'string' || !/^\d+$/.test(json[key] as string))
      issues.push({ path: key, message: 'is not a whole number' });
  };
  if (json.v !== VERSION)
    issues.push({ path: 'v', message: `is version ${String(json.v)}; this app reads version ${VERSION}` });
  if (typeof json.chainId !== 'number') issues.push({ path: 'chainId', message: 'is missing' });
  if (typeof json.expiry !== 'number') issues.push({ path: 'expiry', message: 'is missing' });
  if (!Number.isInteger(json.revocations) || (json.revocations as number) < 0)
    issues.push({ path: 'revocations', message: 'is not a whole number' });
  address('contract');
  address('patient');
  address('provider');
  integer('scopes');
  integer('nonce');
  integer('deadline');
  if (!isHex(json.keyring)) issues.push({ path: 'keyring', message: 'is not hex' });
  if (!isHex(json.signature) || json.signature.length < 132)
    issues.push({ path: 'signature', message: 'is not a signature' });
  if (issues.length > 0) throw new ValidationError(issues, 'This consent link is damaged');
  const valid = json as ConsentLinkJson;
  return {
    chainId: valid.chainId,
    contract: getAddress(valid.contract),
    consent: {
      patient: getAddress(valid.patient),
      provider: getAddress(valid.provider),
      scopes: BigInt(valid.scopes),
      expiry: valid.expiry,
      keyring: valid.keyring,
      revocations: valid.revocations,
      nonce: BigInt(valid.nonce),
      deadline: BigInt(valid.deadline),
      signature: valid.signature,
    },
  };
}

/**
 * Decodes a whole consent link as a person pastes it (`https://…/consent#…`) or just its fragment.
 *
 * @throws {@link ValidationError} as {@link parseConsentFragment} does
 */
export function parseConsentLink(linkOrFragment: string): ConsentLink {
  const text = linkOrFragment.trim();
  const hash = text.indexOf('#');
  return parseConsentFragment(hash === -1 ? text : text.slice(hash));
}

/**
 * Why `account` cannot submit this consent on this chain now, as a sentence saying what to do; undefined
 * when it can.
 *
 * @param link - the decoded link
 * @param here - the chain and contract in use, the submitting account, the patient's current consent
 *   nonce when known (a different nonce means the link was used, cancelled or replaced), and the time
 *   in Unix seconds (default now)
 */
export function consentLinkProblem(
  link: ConsentLink,
  here: { chainId: number; contract: Address; account: Address | undefined; nonce?: bigint; now?: number },
): string | undefined {
  const { consent } = link;
  const now = here.now ?? Date.now() / 1000;
  if (link.chainId !== here.chainId || link.contract.toLowerCase() !== here.contract.toLowerCase()) {
    return `This consent was signed for another MedLedger (chain ${link.chainId}, contract ${link.contract}); it cannot be used here. Ask the patient for a new link from this app.`;
  }
  if (here.account?.toLowerCase() !== consent.provider.toLowerCase()) {
    return `This consent is for provider ${consent.provider}, but your wallet is connected as ${here.account}. Switch to that account in your wallet (or ask the patient for a link made out to your address).`;
  }
  if (Number(consent.deadline) < now) {
    return `This link could be used until ${formatDate(Number(consent.deadline))} and has expired. Ask the patient for a new one.`;
  }
  if (consent.expiry <= now)
    return `The access it grants ended ${formatDate(consent.expiry)}. Ask the patient for a new link.`;
  if (here.nonce !== undefined && here.nonce !== consent.nonce) {
    return 'This link was already used, cancelled by the patient, or replaced by a newer link. Ask the patient for a new one.';
  }
  return undefined;
}

/**
 * The acting patient signs a consent for `terms` (no transaction: the keyring is published to IPFS)
 * and gets the link to hand the provider.
 *
 * @param vault - the patient's vault
 * @param terms - provider, scopes and access expiry (Unix seconds)
 * @param options - `deadline`: until when the link can be submitted (Unix seconds); `origin`: where
 *   the web app is served, e.g. `https://records.hospital.example`
 */
export async function createConsentLink(
  vault: Vault,
  terms: AccessTerms,
  options: { deadline: number; origin: string },
): Promise<{ link: string; consent: SignedConsent }> {
  const consent = await signConsent(vault, terms, options.deadline);
  const link = consentLink(options.origin.replace(/\/+$/, ''), {
    consent,
    chainId: vault.chain.deployment.chainId,
    contract: vault.chain.deployment.medLedger,
  });
  return { link, consent };
}

/**
 * The acting provider submits the consent in a link (paying the transaction), after checking it is
 * for this account, this chain and contract, still usable and not used yet.
 *
 * @param vault - the provider's vault
 * @param linkOrFragment - the link as pasted, or its fragment
 * @returns the submitted consent
 * @throws {@link ValidationError} for a damaged link; {@link AccessDeniedError} saying why it cannot be submitted
 */
export async function submitConsentLink(
  vault: Vault,
  linkOrFragment: string,
  options: SendOptions = {},
): Promise<SignedConsent> {
  const link = parseConsentLink(linkOrFragment);
  const nonce = await readMedLedger(vault.chain, 'nonces', [link.consent.patient]);
  const problem = consentLinkProblem(link, {
    chainId: vault.chain.deployment.chainId,
    contract: vault.chain.deployment.medLedger,
    account: actorOf(vault),
    nonce,
  });
  if (problem) throw new AccessDeniedError(problem);
  await submitConsent(vault, link.consent, options);
  return link.consent;
}
