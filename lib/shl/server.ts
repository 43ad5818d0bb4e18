/**
 * The app server's side of SMART Health Links, as Web `Request` → `Response` handlers the Next.js
 * routes under `app/api/shl` call (and tests call in-process). Node only.
 *
 * - `owner`: `POST /api/shl` with a signed {@link OwnerRequest}: create, list or revoke the owner's links.
 * - `manifest`: `POST /api/shl/{id}`, the manifest URL of the spec: `{recipient, passcode?,
 *   embeddedLengthMax?}` → `{files}`; 401 `{remainingAttempts}` for a wrong passcode, the link disabled
 *   when none are left; 404 once it is revoked, expired or disabled.
 * - `file`: `GET /api/shl/{id}/file/{ticket}`, a file too long to embed, by a single-use URL that
 *   lives 10 minutes (the spec allows one hour at most).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';

import { AccessDeniedError, ValidationError, type ValidationIssue, describeError } from '../errors';
import { fromBase64url, toBase64url } from './base64url';
import { FHIR_JSON, type Manifest, type ManifestFile, parseManifestRequest } from './manifest';
import { MAX_LABEL_LENGTH } from './payload';
import {
  ALL_LINKS,
  MAX_REQUEST_AGE_MS,
  type OwnerRequest,
  parseOwnerRequest,
  verifyOwnerRequest,
} from './signed-request';
import { MAX_LOGGED_ACCESSES, type StoredLink, ShlStore } from './store';
import {
  type CreateLinkParams,
  type LinkAccess,
  type LinkStatus,
  type LinkSummary,
  MAX_FILE_LENGTH,
  MAX_LIFETIME_SECONDS,
} from './types';

/** Wrong passcodes a link survives: a lifetime total, as the spec requires. */
export const PASSCODE_ATTEMPTS = 10;
/** How long a `location` URL works (the spec's ceiling is one hour). */
export const TICKET_LIFETIME_MS = 10 * 60_000;

interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly maxmem: number;
}

const SCRYPT: ScryptCost = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_BYTES = 32;

function scrypt(secret: string, salt: Uint8Array, options: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(secret.normalize('NFC'), salt, HASH_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** A passcode as `scrypt$N$r$p$salt$hash`, with a fresh 16-byte salt. */
export async function hashPasscode(passcode: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(passcode, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, toBase64url(salt), toBase64url(hash)].join('$');
}

/** Whether `passcode` is the one `stored` was made from (compared in constant time). */
export async function checkPasscode(passcode: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = fromBase64url(hash);
  const actual = await scrypt(passcode, fromBase64url(salt), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** What a link is now. */
export function linkStatus(link: StoredLink, nowSeconds: number): LinkStatus {
  if (link.revoked) return 'revoked';
  if (link.exp <= nowSeconds) return 'expired';
  if (link.passcodeHash !== undefined && link.remainingAttempts === 0) return 'disabled';
  return 'active';
}

function summary(link: StoredLink, nowSeconds: number): LinkSummary {
  return {
    id: link.id,
    label: link.label,
    categories: link.categories,
    createdAt: link.createdAt,
    exp: link.exp,
    passcode: link.passcodeHash !== undefined,
    ...(link.remainingAttempts !== undefined ? { remainingAttempts: link.remainingAttempts } : {}),
    status: linkStatus(link, nowSeconds),
    accesses: link.accesses,
  };
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

function failure(error: unknown, headers: Record<string, string> = {}): Response {
  if (error instanceof ValidationError) {
    return json(400, { error: error.message, issues: error.issues }, headers);
  }
  if (error instanceof AccessDeniedError) return json(403, { error: error.message }, headers);
  return json(500, { error: describeError(error) }, headers);
}

async function bodyOf(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw new ValidationError([{ path: '$', message: `the body is over ${limit} bytes` }]);
  const text = await request.text();
  if (text.length > limit) throw new ValidationError([{ path: '$', message: `the body is over ${limit} bytes` }]);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: '$', message: 'the body is not JSON' }], 'Invalid request');
  }
}

/** The create parameters checked: every problem named at once. */
function parseCreateParams(params: Record<string, unknown>, nowSeconds: number): CreateLinkParams {
  const { exp, label, passcode, categories, jwe } = params;
  const issues: ValidationIssue[] = [];
  if (typeof exp !== 'number' || !Number.isInteger(exp) || exp <= nowSeconds) {
    issues.push({ path: 'exp', message: 'must be a future time in Unix seconds' });
  } else if (exp > nowSeconds + MAX_LIFETIME_SECONDS) {
    issues.push({ path: 'exp', message: 'a link lives at most 365 days' });
  }
  if (label !== undefined && (typeof label !== 'string' || label.length > MAX_LABEL_LENGTH)) {
    issues.push({ path: 'label', message: `at most ${MAX_LABEL_LENGTH} characters` });
  }
  if (passcode !== undefined && (typeof passcode !== 'string' || passcode.length < 4 || passcode.length > 200)) {
    issues.push({ path: 'passcode', message: 'from 4 to 200 characters' });
  }
  if (
    !Array.isArray(categories) ||
    categories.length === 0 ||
    categories.length > 32 ||
    !categories.every((name) => typeof name === 'string' && /^[A-Za-z]{1,40}$/.test(name))
  ) {
    issues.push({ path: 'categories', message: 'name the shared categories' });
  }
  if (typeof jwe !== 'string' || jwe.length > MAX_FILE_LENGTH || !isShlJwe(jwe)) {
    issues.push({ path: 'jwe', message: 'must be a compact JWE with alg "dir" and enc "A256GCM"' });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid link');
  return params as unknown as CreateLinkParams;
}

function isShlJwe(jwe: string): boolean {
  const parts = jwe.split('.');
  if (parts.length !== 5 || parts[1] !== '' || !parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part))) return false;
  try {
    const header = JSON.parse(new TextDecoder().decode(fromBase64url(parts[0]!))) as Record<string, unknown>;
    return header.alg === 'dir' && header.enc === 'A256GCM';
  } catch {
    return false;
  }
}

function logged(link: StoredLink, access: LinkAccess): StoredLink['accesses'] {
  return [...link.accesses, access].slice(-MAX_LOGGED_ACCESSES);
}

export interface ShlServerOptions {
  /** Where links are kept. */
  readonly dir: string;
  /** The clock, Unix ms (tests move it). */
  readonly now?: () => number;
}

export interface ShlServer {
  owner(request: Request): Promise<Response>;
  manifest(request: Request, id: string): Promise<Response>;
  file(request: Request, id: string, ticket: string): Promise<Response>;
  /** The CORS preflight answer for the manifest and file URLs, which any viewer's page may call. */
  preflight(): Response;
}

/** The handlers over a store in `options.dir`. */
export function shlServer(options: ShlServerOptions): ShlServer {
  const store = new ShlStore(options.dir);
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);

  async function create(request: OwnerRequest<Record<string, unknown>>): Promise<Response> {
    if (request.link === ALL_LINKS) throw new ValidationError([{ path: 'link', message: 'name the new link id' }]);
    const params = parseCreateParams(request.params, nowSeconds());
    const link: StoredLink = {
      id: request.link,
      owner: request.owner,
      ...(params.label ? { label: params.label } : {}),
      categories: params.categories,
      createdAt: nowSeconds(),
      exp: params.exp,
      ...(params.passcode !== undefined
        ? { passcodeHash: await hashPasscode(params.passcode), remainingAttempts: PASSCODE_ATTEMPTS }
        : {}),
      revoked: false,
      jwe: params.jwe,
      lastUpdated: nowSeconds(),
      accesses: [],
      tickets: [],
    };
    if (!(await store.create(link))) return json(409, { error: 'A link with this id exists; make a new one.' });
    return json(201, { link: summary(link, nowSeconds()) });
  }

  async function revoke(request: OwnerRequest<Record<string, unknown>>): Promise<Response> {
    const done = await store.update(request.link, (link) => {
      if (!link || link.owner.toLowerCase() !== request.owner.toLowerCase()) return { result: false };
      // The ciphertext goes with the link: nothing is left to hand out, even to someone with the key.
      const { jwe: _dropped, ...rest } = link;
      return { link: { ...rest, revoked: true, tickets: [] }, result: true };
    });
    if (!done) return json(404, { error: `${request.owner} has no link ${request.link}.` });
    return json(200, { revoked: request.link });
  }

  return {
    async owner(request) {
      try {
        const signed = parseOwnerRequest(await bodyOf(request, MAX_FILE_LENGTH + 64 * 1024));
        await verifyOwnerRequest(signed, now());
        const fresh = await store.rememberSignature(
          signed.signature,
          Date.parse(signed.time) + 2 * MAX_REQUEST_AGE_MS,
          now(),
        );
        if (!fresh) throw new AccessDeniedError('This signed request was already used; sign a new one.');
        if (signed.action === 'create') return await create(signed);
        if (signed.action === 'revoke') return await revoke(signed);
        if (signed.link !== ALL_LINKS) throw new ValidationError([{ path: 'link', message: 'list takes *' }]);
        const links = await store.listByOwner(signed.owner);
        return json(200, { links: links.map((link) => summary(link, nowSeconds())) });
      } catch (error) {
        return failure(error);
      }
    },

    async manifest(request, id) {
      let body;
      try {
        body = parseManifestRequest(await bodyOf(request, 64 * 1024));
      } catch (error) {
        return failure(error, CORS);
      }
      const origin = new URL(request.url).origin;
      const answer = await store.update(id, async (link): Promise<{ link?: StoredLink; result: Response }> => {
        const time = new Date(now()).toISOString();
        const gone = json(404, { error: 'This SMART Health Link is not active.' }, CORS);
        if (!link) return { result: gone };
        const status = linkStatus(link, nowSeconds());
        if (status !== 'active' || link.jwe === undefined) {
          // An expired link's file is deleted the first time anyone asks for it after it expired.
          const { jwe: _dropped, ...rest } = link;
          return { link: link.jwe === undefined ? undefined : { ...rest, tickets: [] }, result: gone };
        }
        if (link.passcodeHash !== undefined) {
          const left = link.remainingAttempts ?? 0;
          if (body.passcode === undefined) {
            return {
              link: { ...link, accesses: logged(link, { time, recipient: body.recipient, outcome: 'no-passcode' }) },
              result: json(401, { remainingAttempts: left, error: 'This link needs a passcode.' }, CORS),
            };
          }
          if (!(await checkPasscode(body.passcode, link.passcodeHash))) {
            const remainingAttempts = Math.max(0, left - 1);
            const { jwe, ...rest } = link;
            return {
              link: {
                ...rest,
                // Disabled at zero: the file is deleted with the last attempt.
                ...(remainingAttempts > 0 ? { jwe } : { tickets: [] }),
                remainingAttempts,
                accesses: logged(link, { time, recipient: body.recipient, outcome: 'wrong-passcode' }),
              },
              result: json(401, { remainingAttempts, error: 'Wrong passcode.' }, CORS),
            };
          }
        }
        const tickets = link.tickets.filter((ticket) => ticket.expiresAt > now());
        const meta = {
          lastUpdated: new Date(link.lastUpdated * 1000).toISOString(),
          status: 'finalized',
          fhirVersion: '4.0.1',
        } as const;
        let file: ManifestFile;
        if (body.embeddedLengthMax === undefined || link.jwe.length <= body.embeddedLengthMax) {
          file = { contentType: FHIR_JSON, embedded: link.jwe, ...meta };
        } else {
          const ticket = toBase64url(randomBytes(32));
          tickets.push({ ticket, expiresAt: now() + TICKET_LIFETIME_MS });
          file = { contentType: FHIR_JSON, location: `${origin}/api/shl/${id}/file/${ticket}`, ...meta };
        }
        const manifest: Manifest = { files: [file] };
        return {
          link: { ...link, tickets, accesses: logged(link, { time, recipient: body.recipient, outcome: 'served' }) },
          result: json(200, manifest, CORS),
        };
      });
      return answer;
    },

    async file(_request, id, ticket) {
      return store.update(id, (link): { link?: StoredLink; result: Response } => {
        const gone = json(404, { error: 'This file link is used up, expired or was never handed out.' }, CORS);
        if (!link || linkStatus(link, nowSeconds()) !== 'active' || link.jwe === undefined) return { result: gone };
        const match = link.tickets.find((entry) => entry.ticket === ticket && entry.expiresAt > now());
        if (!match) return { result: gone };
        return {
          // Single use: the ticket is consumed as it is served.
          link: { ...link, tickets: link.tickets.filter((entry) => entry !== match && entry.expiresAt > now()) },
          result: new Response(link.jwe, {
            status: 200,
            headers: { 'content-type': 'application/jose', 'cache-control': 'no-store', ...CORS },
          }),
        };
      });
    },

    preflight() {
      return new Response(null, { status: 204, headers: CORS });
    },
  };
}

let appServer: ShlServer | undefined;

/** The app's one server over `MEDLEDGER_SHL_DIR` (one process, so one queue per link). */
export function appShlServer(dir: string): ShlServer {
  appServer ??= shlServer({ dir });
  return appServer;
}
