/**
 * Which `Host` headers the FHIR server answers. It serves decrypted records without access tokens,
 * so a web page on an attacker's host name that resolves to this machine (DNS rebinding) must not be
 * able to read it: only the names the server is bound under, on its port, are answered.
 */
import { networkInterfaces } from 'node:os';

/** How a loopback-bound server is addressed. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** A `Host` header: a DNS name or an IP literal, and an optional port. */
const HOST_HEADER = /^((?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?)|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i;

/** Whether `host` (a bind address or name) is this machine's loopback. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/** An address as a Host header names it (IPv6 in brackets). */
function hostName(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address.toLowerCase();
}

/**
 * The host names a server bound to `bindHost` answers: the loopback names when it is bound to
 * loopback; every address of this machine when bound to all (`0.0.0.0`, `::`); else the bound name.
 *
 * @param bindHost - the address or name given to `listen`
 * @param interfaces - this machine's addresses (for tests)
 */
export function allowedHostNames(
  bindHost: string,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): Set<string> {
  if (isLoopback(bindHost)) return new Set(LOOPBACK_NAMES);
  if (bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '[::]') {
    const addresses = Object.values(interfaces).flatMap((list) => (list ?? []).map((entry) => hostName(entry.address)));
    return new Set([...LOOPBACK_NAMES, ...addresses]);
  }
  return new Set([hostName(bindHost)]);
}

/**
 * Whether a request's `Host` header names an allowed host on the server's port.
 *
 * @param header - the `Host` header (undefined when absent)
 * @param names - from {@link allowedHostNames}
 * @param port - the port the server listens on
 */
export function isAllowedHost(header: string | undefined, names: ReadonlySet<string>, port: number): boolean {
  const match = header === undefined ? null : HOST_HEADER.exec(header);
  if (!match) return false;
  const name = match[1]!.toLowerCase().replace(/\.$/, '');
  const givenPort = match[2] === undefined ? 80 : Number(match[2]);
  return names.has(name) && givenPort === port;
}
