/**
 * The origins the web app is served under (`MEDLEDGER_PUBLIC_ORIGIN`), and whether a request's `Host`
 * and `Origin` headers name one of them. A page on an attacker's host name that resolves to this
 * server (DNS rebinding) is same-origin to itself, so only the host name tells it apart from the app.
 */
import { RuntimeConfigError, type RuntimeEnv } from './runtime-config.server';

/** The local app's host names; any port, since `npm start` and the tests pick their own. */
const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A `Host` header as browsers send it: a DNS name or an IP literal, with an optional port, nothing else. */
const HOST_HEADER = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** Where the app is served: configured origins, or the local app only (loopback names, any port). */
export interface PublicOrigins {
  /** Serialised origins such as `https://records.hospital.example`; `undefined` for the local app only. */
  readonly origins: readonly string[] | undefined;
}

/**
 * Parses `MEDLEDGER_PUBLIC_ORIGIN`: one or more comma-separated origins (scheme, host name, optional
 * port). Unset or blank means the local app only: `127.0.0.1`, `localhost` and `[::1]` on any port.
 *
 * @param value - the setting's text
 * @throws {@link RuntimeConfigError} naming every entry that is not an http(s) origin
 */
export function parsePublicOrigins(value: string | undefined): PublicOrigins {
  if (value === undefined || value.trim() === '') return { origins: undefined };
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const origins: string[] = [];
  const malformed: string[] = [];
  for (const entry of entries) {
    const origin = originOf(entry);
    if (origin === undefined) malformed.push(JSON.stringify(entry));
    else origins.push(origin);
  }
  if (malformed.length > 0 || origins.length === 0) {
    throw new RuntimeConfigError(
      `MEDLEDGER_PUBLIC_ORIGIN=${JSON.stringify(value)}: ${malformed.length > 0 ? `${malformed.join(', ')} ${malformed.length === 1 ? 'is not an origin' : 'are not origins'}` : 'names no origin'}. ` +
        'Give the scheme and host name the app is served under, e.g. https://records.hospital.example, comma-separated for several.',
    );
  }
  return { origins };
}

/**
 * The public origins from the server's environment; see {@link parsePublicOrigins}.
 *
 * @param env - the environment to read
 */
export function readPublicOrigins(env: RuntimeEnv = process.env): PublicOrigins {
  return parsePublicOrigins(env.MEDLEDGER_PUBLIC_ORIGIN);
}

/** `entry` as a serialised http(s) origin, or `undefined` when it holds more or less than an origin. */
function originOf(entry: string): string | undefined {
  const url = urlOf(entry);
  if (url === undefined) return undefined;
  const bare = url.username === '' && url.password === '' && url.pathname === '/' && !url.search && !url.hash;
  const http = url.protocol === 'http:' || url.protocol === 'https:';
  // `new URL` would also accept `https:records.example` or `https://records.example/?`; ask for the plain form.
  const plain = /^https?:\/\/[^/?#]+\/?$/i.test(entry);
  return bare && http && plain ? url.origin : undefined;
}

/**
 * Whether a request's `Host` header names a host the app is served under.
 *
 * @param allowed - the public origins
 * @param host - the `Host` header, `null` when absent
 */
export function isAllowedHost(allowed: PublicOrigins, host: string | null): boolean {
  if (host === null || !HOST_HEADER.test(host)) return false;
  if (allowed.origins === undefined) {
    const hostname = urlOf(`http://${host}`)?.hostname;
    return hostname !== undefined && LOOPBACK_NAMES.has(hostname);
  }
  return allowed.origins.some((origin) => {
    const { protocol, host: expected } = new URL(origin);
    // Parsed under the origin's scheme, so `records.example:443` matches `https://records.example`.
    return urlOf(`${protocol}//${host}`)?.host === expected;
  });
}

function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether a request's `Origin` header names an origin the app is served under.
 *
 * @param allowed - the public origins
 * @param origin - the `Origin` header (present: a request without one has nothing to check)
 */
export function isAllowedOrigin(allowed: PublicOrigins, origin: string): boolean {
  const url = urlOf(origin);
  if (url === undefined || url.origin !== origin) return false;
  if (allowed.origins !== undefined) return allowed.origins.includes(origin);
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_NAMES.has(url.hostname);
}

/**
 * The origins as a sentence, for refusals: what a person must add to the setting.
 *
 * @param allowed - the public origins
 */
export function describePublicOrigins(allowed: PublicOrigins): string {
  return allowed.origins === undefined
    ? 'MEDLEDGER_PUBLIC_ORIGIN is unset, so only the local app is served (127.0.0.1, localhost, [::1] on any port)'
    : `MEDLEDGER_PUBLIC_ORIGIN allows ${allowed.origins.join(', ')}`;
}
