/**
 * The browser's only way to IPFS (`/api/ipfs/*`): a proxy to the node's RPC API that forwards just
 * what the record pipeline needs, `add` (which pins) and `cat`, with an upload size limit, to pages
 * served under the app's own host names. Everything else, unpinning included, stays on the node's
 * admin API, which the browser never reaches.
 */
import {
  type PublicOrigins,
  describePublicOrigins,
  isAllowedHost,
  isAllowedOrigin,
  readPublicOrigins,
} from './public-origin.server';
import type { RuntimeEnv } from './runtime-config.server';

/** Largest upload accepted (ciphertext, so a little above the largest plaintext file the UI takes). */
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

const FORWARDED: ReadonlySet<string> = new Set(['add', 'cat']);

/**
 * Operations of the RPC API a visitor might expect here, and why they are not forwarded. Every CID is
 * public (on-chain events), so whatever the proxy offers, it offers any visitor for any patient.
 */
const WITHHELD: Readonly<Record<string, string>> = {
  'pin/rm':
    'Unpinning is not available through this app: every record’s CID is public, so anyone who opens the app could unpin any patient’s records and the next garbage collection would delete them. A blob left by a failed write is unreadable ciphertext no record points to; erasure runs against the node itself (`npm run cli -- erase`).',
  'pin/ls':
    'Listing pins is not available through this app: it would list every blob this node keeps to anyone who opens the app.',
  'pin/add':
    'Pinning by CID is not available through this app: `add` pins what it stores, and pinning any CID would make the node fetch and keep content for anyone who asks.',
};

function nodeUrl(env: RuntimeEnv): string {
  return (env.MEDLEDGER_IPFS_API_URL ?? 'http://127.0.0.1:5001').replace(/\/$/, '');
}

/** An error body in the Kubo RPC shape, which kubo-rpc-client turns into its HTTPError. */
function kuboError(status: number, message: string): Response {
  return Response.json({ Message: message, Code: 0, Type: 'error' }, { status });
}

async function readLimited(request: Request): Promise<Uint8Array | Response> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  const tooLarge = () =>
    kuboError(413, `The upload is larger than the ${MAX_UPLOAD_BYTES / 1024 / 1024} MB limit; nothing was stored.`);
  if (declared > MAX_UPLOAD_BYTES) return tooLarge();
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_UPLOAD_BYTES) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/**
 * Why `request` does not come from one of the app's own pages, or `undefined` when it does: its
 * `Host` (and `Origin`, when sent) must name a public origin, which a DNS-rebinding page cannot fake,
 * and a browser's `Sec-Fetch-Site` must not mark it as sent by another site.
 */
function foreignPageReason(request: Request, allowed: PublicOrigins): string | undefined {
  const host = request.headers.get('host');
  if (!isAllowedHost(allowed, host)) {
    return `${host ?? 'A request without a Host header'} is not a host name this app answers (${describePublicOrigins(allowed)}).`;
  }
  const origin = request.headers.get('origin');
  if (origin !== null && !isAllowedOrigin(allowed, origin)) {
    return `${origin} is not an origin this app answers (${describePublicOrigins(allowed)}).`;
  }
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    return 'The IPFS proxy answers this app’s own pages only, not requests another site’s page sends.';
  }
  return undefined;
}

/**
 * Answers `POST /api/ipfs/<path>` by forwarding `add` and `cat` to the node at
 * `MEDLEDGER_IPFS_API_URL`, with Kubo-shaped errors for everything it refuses.
 *
 * @param request - the incoming request
 * @param path - the operation's path segments after `/api/ipfs/`, e.g. `['cat']`
 * @param env - the server's environment (`MEDLEDGER_IPFS_API_URL`, `MEDLEDGER_PUBLIC_ORIGIN`)
 */
export async function ipfsProxy(
  request: Request,
  path: readonly string[],
  env: RuntimeEnv = process.env,
): Promise<Response> {
  let allowed: PublicOrigins;
  try {
    allowed = readPublicOrigins(env);
  } catch (error) {
    return kuboError(500, error instanceof Error ? error.message : String(error));
  }
  const refusal = foreignPageReason(request, allowed);
  if (refusal !== undefined) return kuboError(403, refusal);
  const operation = path.join('/');
  const withheld = WITHHELD[operation];
  if (withheld !== undefined) return kuboError(403, withheld);
  if (!FORWARDED.has(operation)) return kuboError(404, `${operation} is not available through this app.`);
  if (request.method !== 'POST') return kuboError(405, 'The IPFS RPC API takes POST requests only.');
  const search = new URL(request.url).search;
  const headers = new Headers();
  const contentType = request.headers.get('content-type');
  if (contentType) headers.set('content-type', contentType);
  let body: Uint8Array | undefined;
  if (operation === 'add') {
    const read = await readLimited(request);
    if (read instanceof Response) return read;
    body = read;
  }
  let upstream: Response;
  try {
    upstream = await fetch(`${nodeUrl(env)}/api/v0/${operation}${search}`, {
      method: 'POST',
      headers,
      body: body as BodyInit | undefined,
      signal: request.signal,
    });
  } catch {
    return kuboError(502, 'The IPFS node is not reachable; is it running (npm start)?');
  }
  const responseHeaders = new Headers();
  for (const name of ['content-type', 'x-stream-output', 'x-chunked-output', 'trailer']) {
    const value = upstream.headers.get(name);
    if (value) responseHeaders.set(name, value);
  }
  responseHeaders.set('cache-control', 'no-store');
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}
