/**
 * The browser's only way to IPFS (`/api/ipfs/*`): a proxy to the node's RPC API that forwards just
 * what the record pipeline needs, `add` (which pins) and `cat`, with an upload size limit
 * (`MEDLEDGER_MAX_UPLOAD_BYTES`, the node's too; uploads stream through, never held whole), to pages
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
import { readMaxUploadBytes, uploadTooLargeMessage } from '../lib/ipfs/upload-limit';
import type { RuntimeEnv } from './runtime-config.server';

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

/**
 * The request body on its way to the node, counted: past `maxBytes` the stream fails, which aborts
 * the upstream request, and the node deletes whatever it had written of the upload. Nothing is
 * buffered here beyond the piece in hand, so an imaging study passes through in constant memory.
 */
function countedBody(body: ReadableStream<Uint8Array>, maxBytes: number, onExceeded: () => void) {
  let received = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(piece, controller) {
        received += piece.byteLength;
        if (received > maxBytes) {
          onExceeded();
          controller.error(new Error(uploadTooLargeMessage(maxBytes)));
          return;
        }
        controller.enqueue(piece);
      },
    }),
  );
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
 * @param env - the server's environment (`MEDLEDGER_IPFS_API_URL`, `MEDLEDGER_PUBLIC_ORIGIN`,
 *   `MEDLEDGER_MAX_UPLOAD_BYTES`)
 */
export async function ipfsProxy(
  request: Request,
  path: readonly string[],
  env: RuntimeEnv = process.env,
): Promise<Response> {
  let allowed: PublicOrigins;
  let maxUploadBytes: number;
  try {
    allowed = readPublicOrigins(env);
    maxUploadBytes = readMaxUploadBytes(env);
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
  let body: ReadableStream<Uint8Array> | undefined;
  let exceeded = false;
  if (operation === 'add') {
    if (Number(request.headers.get('content-length') ?? '0') > maxUploadBytes) {
      return kuboError(413, uploadTooLargeMessage(maxUploadBytes));
    }
    if (request.body) body = countedBody(request.body, maxUploadBytes, () => (exceeded = true));
  }
  let upstream: Response;
  try {
    upstream = await fetch(`${nodeUrl(env)}/api/v0/${operation}${search}`, {
      method: 'POST',
      headers,
      body,
      // Sent as it arrives (a stream body needs half duplex), not read whole first; and with
      // redirects refused, since to follow one undici keeps a copy of the whole body meanwhile.
      duplex: 'half',
      redirect: 'error',
      signal: request.signal,
    } as RequestInit);
  } catch {
    if (exceeded) return kuboError(413, uploadTooLargeMessage(maxUploadBytes));
    if (request.signal.aborted) return kuboError(499, 'The upload was cancelled; nothing was stored.');
    return kuboError(502, 'The IPFS node is not reachable; is it running (npm start)?');
  }
  if (exceeded) return kuboError(413, uploadTooLargeMessage(maxUploadBytes));
  const responseHeaders = new Headers();
  for (const name of ['content-type', 'x-stream-output', 'x-chunked-output', 'trailer']) {
    const value = upstream.headers.get(name);
    if (value) responseHeaders.set(name, value);
  }
  responseHeaders.set('cache-control', 'no-store');
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}
