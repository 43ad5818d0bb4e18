/**
 * SMART Health Link payloads (SMART Health Cards and Links IG, STU1, "Construct a SMART Health Link
 * Payload"): the minified JSON `{url, key, exp, flag, label, v}`, base64url-encoded behind `shlink:/`,
 * optionally after a viewer URL ending in `#`. MedLedger makes plain links (no `L`, no `U`): one
 * manifest, a fixed set of files, `P` when a passcode is required.
 */
import { ValidationError, type ValidationIssue } from '../errors';
import { base64urlToText, fromBase64url, textToBase64url, toBase64url } from './base64url';

export const SHLINK_PREFIX = 'shlink:/';

/** The protocol version MedLedger's links conform to. */
export const SHL_VERSION = 1;

/** The spec's bounds: a manifest URL of at most 128 characters, a label of at most 80. */
export const MAX_MANIFEST_URL_LENGTH = 128;
export const MAX_LABEL_LENGTH = 80;

/** Flags a payload may carry, in the alphabetical order the spec concatenates them in. */
const FLAGS = ['L', 'P', 'U'] as const;

/** A decoded SMART Health Link payload. */
export interface ShlPayload {
  /** The manifest URL (≤ 128 characters, ≥ 256 bits of entropy). */
  readonly url: string;
  /** The files' decryption key: 32 random bytes, base64url (43 characters). */
  readonly key: string;
  /** Expiry hint, Unix seconds. */
  readonly exp?: number;
  /** Single-character flags in alphabetical order: `L` long-term, `P` passcode, `U` direct file. */
  readonly flag?: string;
  /** A short description of what is shared (≤ 80 characters). */
  readonly label?: string;
  /** Protocol version; 1 when absent. */
  readonly v?: number;
}

/** 32 random bytes as base64url: 43 characters, the form of both link keys and manifest ids. */
export function random256(): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * A fresh link id: {@link random256}, drawn again while it starts with `-`, which a command line reads
 * as an option (`share revoke -Ab…` would fail). That keeps all but a 64th of one bit of its entropy.
 */
export function randomLinkId(): string {
  for (;;) {
    const id = random256();
    if (!id.startsWith('-')) return id;
  }
}

/** Whether `text` is 32 bytes in base64url (43 characters). */
export function isKey256(text: unknown): text is string {
  return typeof text === 'string' && /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(text);
}

/**
 * The manifest URL of link `id` served by the app at `origin`.
 *
 * @param origin - the app's origin, e.g. `https://records.example`
 * @param id - the link id (43 base64url characters)
 */
export function manifestUrl(origin: string, id: string): string {
  return `${new URL(origin).origin}/api/shl/${id}`;
}

/** Every way `payload` breaks the spec, with its field. */
export function payloadIssues(payload: unknown): ValidationIssue[] {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return [{ path: 'shlink', message: 'the payload is not a JSON object' }];
  }
  const { url, key, exp, flag, label, v } = payload as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    issues.push({ path: 'url', message: 'must be an http(s) manifest URL' });
  } else if (url.length > MAX_MANIFEST_URL_LENGTH) {
    issues.push({ path: 'url', message: `is ${url.length} characters; at most ${MAX_MANIFEST_URL_LENGTH}` });
  }
  if (!isKey256(key)) issues.push({ path: 'key', message: 'must be 32 bytes in base64url (43 characters)' });
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= 0)) {
    issues.push({ path: 'exp', message: 'must be a time in Unix seconds' });
  }
  if (flag !== undefined) {
    const letters = typeof flag === 'string' ? [...flag] : [];
    const ordered = letters.every((letter, index) => index === 0 || letters[index - 1]! < letter);
    if (typeof flag !== 'string' || !ordered) {
      issues.push({ path: 'flag', message: 'must be single-character flags in alphabetical order' });
    } else if (flag.includes('P') && flag.includes('U')) {
      issues.push({ path: 'flag', message: 'U cannot be combined with P' });
    }
  }
  if (label !== undefined && (typeof label !== 'string' || label.length > MAX_LABEL_LENGTH)) {
    issues.push({ path: 'label', message: `must be text of at most ${MAX_LABEL_LENGTH} characters` });
  }
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
    issues.push({ path: 'v', message: 'must be a protocol version (a whole number from 1)' });
  }
  return issues;
}

/**
 * The `shlink:/…` text of a payload, after `viewer` (a URL ending in `#`) when given.
 *
 * @param payload - the payload; its fields are checked against the spec first
 * @param viewer - an optional viewer URL prefix ending in `#`
 * @throws {@link ValidationError} naming every field that breaks the spec
 */
export function encodeShlink(payload: ShlPayload, viewer?: string): string {
  const issues = payloadIssues(payload);
  if (viewer !== undefined && !viewer.endsWith('#')) issues.push({ path: 'viewer', message: 'must end with #' });
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid SMART Health Link');
  // Known fields only, in the spec's order; `undefined` ones drop out of the minified JSON.
  const { url, key, exp, flag, label, v } = payload;
  return `${viewer ?? ''}${SHLINK_PREFIX}${textToBase64url(JSON.stringify({ url, key, exp, flag, label, v }))}`;
}

/**
 * Decodes a link: bare `shlink:/…`, or a viewer URL with `#shlink:/…`. Properties the spec does not
 * define are ignored, as receivers must.
 *
 * @param text - the link as pasted or scanned
 * @throws {@link ValidationError} when it is not a SMART Health Link or breaks the spec
 */
export function decodeShlink(text: string): ShlPayload {
  const trimmed = text.trim();
  const at = trimmed.indexOf(SHLINK_PREFIX);
  if (at < 0 || (at > 0 && trimmed[at - 1] !== '#')) {
    throw new ValidationError([{ path: 'shlink', message: 'is not a SMART Health Link (shlink:/…)' }]);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(base64urlToText(trimmed.slice(at + SHLINK_PREFIX.length), 'shlink'));
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError([{ path: 'shlink', message: 'the payload is not JSON' }]);
  }
  const issues = payloadIssues(payload);
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid SMART Health Link');
  const { url, key, exp, flag, label, v } = payload as ShlPayload;
  return { url, key, exp, flag, label, v };
}

/** The link key as the 32 raw bytes AES-256-GCM takes. */
export function keyBytes(key: string): Uint8Array<ArrayBuffer> {
  if (!isKey256(key)) throw new ValidationError([{ path: 'key', message: 'must be 32 bytes in base64url' }]);
  return fromBase64url(key, 'key');
}

/** Flags in alphabetical order, e.g. `flags({passcode: true})` → `'P'`; undefined when none. */
export function flagsOf(options: { passcode?: boolean; longTerm?: boolean }): string | undefined {
  const set = new Set<string>([...(options.longTerm ? ['L'] : []), ...(options.passcode ? ['P'] : [])]);
  const flag = FLAGS.filter((letter) => set.has(letter)).join('');
  return flag || undefined;
}
