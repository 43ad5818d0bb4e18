/**
 * The consent link a patient hands a provider: `${origin}/consent#<base64url JSON>` carrying an EIP-712
 * signed consent (lib/records `signConsent`). The terms travel in the fragment, so they never reach a
 * server log; nothing in them is secret (the keyring is encrypted to the provider), and the signature
 * only works once, for that provider, on that chain and contract.
 */
import { type Address, type Hex, getAddress, isAddress, isHex } from 'viem';

import { ValidationError } from '../../lib/errors';
import type { SignedConsent } from '../../lib/records/consent';

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
