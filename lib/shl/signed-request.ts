/**
 * How a patient proves to the app's SMART Health Link server that they own a link: an EIP-191
 * `personal_sign` over a message naming the action, the link, the owner, the time and a digest of the
 * request's parameters. The server checks the signature with viem's `verifyMessage` (externally owned
 * accounts only: smart-account wallets, whose signatures need an on-chain ERC-1271 call, are not
 * supported), refuses times more than {@link MAX_REQUEST_AGE_MS} old or ahead, and refuses a signature
 * it has accepted before.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, type Hex, bytesToHex, getAddress, isAddress, isHex, verifyMessage } from 'viem';

import type { ChainContext } from '../chain';
import { AccessDeniedError, ValidationError, type ValidationIssue } from '../errors';

/** What an owner can ask of the server. */
export type OwnerAction = 'create' | 'list' | 'revoke';

/** The `link` of a request about every link of the owner (`list`). */
export const ALL_LINKS = '*';

/** How old (or how far ahead of the server's clock) a signed request may be. */
export const MAX_REQUEST_AGE_MS = 5 * 60_000;

/** A signed owner request as sent to `POST /api/shl`. */
export interface OwnerRequest<P extends object = object> {
  readonly action: OwnerAction;
  /** The link id, or {@link ALL_LINKS}. */
  readonly link: string;
  readonly owner: Address;
  /** ISO 8601, when it was signed. */
  readonly time: string;
  /** What the action needs (for `create`: the encrypted file, expiry, label …); bound by the digest. */
  readonly params: P;
  readonly signature: Hex;
}

/** JSON with object keys sorted, so the digest does not depend on the order a client wrote them in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the parameters' canonical JSON, hex. */
export function paramsDigest(params: object): Hex {
  return bytesToHex(sha256(new TextEncoder().encode(canonicalJson(params))));
}

/**
 * The text the owner signs: readable in a wallet's signing prompt, and naming everything the server
 * acts on.
 */
export function ownerMessage(request: Omit<OwnerRequest, 'signature'>): string {
  return [
    `MedLedger: ${request.action} SMART Health Link`,
    `Link: ${request.link}`,
    `Owner: ${getAddress(request.owner)}`,
    `Time: ${request.time}`,
    `Request: ${paramsDigest(request.params)}`,
  ].join('\n');
}

/**
 * Signs an owner request with the context's wallet (a local key, or the browser wallet's
 * `personal_sign`).
 *
 * @param chain - a context that can sign
 * @param action - what to do
 * @param link - the link id, or {@link ALL_LINKS}
 * @param params - the action's parameters
 */
export async function signOwnerRequest<P extends object>(
  chain: ChainContext,
  action: OwnerAction,
  link: string,
  params: P,
  now = Date.now(),
): Promise<OwnerRequest<P>> {
  if (!chain.walletClient || !chain.account) throw new AccessDeniedError('Connect a wallet that can sign first.');
  const unsigned = { action, link, owner: getAddress(chain.account), time: new Date(now).toISOString(), params };
  const signature = await chain.walletClient.signMessage({
    account: chain.walletClient.account,
    message: ownerMessage(unsigned),
  });
  return { ...unsigned, signature };
}

/** An owner request's shape checked, before its signature is. */
export function parseOwnerRequest(body: unknown): OwnerRequest<Record<string, unknown>> {
  const issues: ValidationIssue[] = [];
  const { action, link, owner, time, params, signature } = (body ?? {}) as Record<string, unknown>;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    issues.push({ path: 'action', message: 'must be create, list or revoke' });
  }
  if (typeof link !== 'string' || !(link === ALL_LINKS || /^[A-Za-z0-9_-]{43}$/.test(link))) {
    issues.push({ path: 'link', message: 'must be a link id (43 base64url characters) or *' });
  }
  if (typeof owner !== 'string' || !isAddress(owner)) issues.push({ path: 'owner', message: 'must be an address' });
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) {
    issues.push({ path: 'time', message: 'must be an ISO 8601 time' });
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    issues.push({ path: 'params', message: 'must be an object' });
  }
  if (typeof signature !== 'string' || !isHex(signature)) issues.push({ path: 'signature', message: 'must be hex' });
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid request');
  return body as OwnerRequest<Record<string, unknown>>;
}

/**
 * Checks an owner request's time and signature (replays are the caller's: it remembers signatures).
 *
 * @param request - the parsed request
 * @param now - the server's clock, ms
 * @throws {@link AccessDeniedError} when the time is stale or ahead, or the owner did not sign it
 */
export async function verifyOwnerRequest(request: OwnerRequest, now = Date.now()): Promise<void> {
  const age = now - Date.parse(request.time);
  if (age > MAX_REQUEST_AGE_MS || age < -MAX_REQUEST_AGE_MS) {
    throw new AccessDeniedError(
      `The request was signed at ${request.time}, more than 5 minutes from the server's time; sign it again.`,
    );
  }
  const { signature, ...unsigned } = request;
  // A malformed signature throws rather than answering false: both are refusals.
  const valid = await verifyMessage({
    address: getAddress(request.owner),
    message: ownerMessage(unsigned),
    signature,
  }).catch(() => false);
  if (!valid) throw new AccessDeniedError(`The request is not signed by ${request.owner}.`);
}
