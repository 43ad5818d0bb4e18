/**
 * The browser's only way to IPFS: a proxy to the node's RPC API that forwards just what the record
 * pipeline uses (`add`, `cat`, `pin/add|rm|ls`), with an upload size limit, so the browser never
 * reaches the node's admin API.
 */
import type { NextRequest } from 'next/server';

export const dynamic = 'force-dynamic';

/** Largest upload accepted (ciphertext, so a little above the largest plaintext file the UI takes). */
const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
const ALLOWED = new Set(['add', 'cat', 'pin/add', 'pin/rm', 'pin/ls']);

function nodeUrl(): string {
  return (process.env.MEDLEDGER_IPFS_API_URL ?? 'http://127.0.0.1:5001').replace(/\/$/, '');
}

/** An error body in the Kubo RPC shape, which kubo-rpc-client turns into its HTTPError. */
function kuboError(status: number, message: string): Response {
  return Response.json({ Message: message, Code: 0, Type: 'error' }, { status });
}

async function readLimited(request: NextRequest): Promise<Uint8Array | Response> {
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
 * Only this app's own pages may use the proxy: a browser marks cross-site requests (another website
 * trying to upload or unpin through a visitor's browser) with `Sec-Fetch-Site` and `Origin`.
 */
function isSameOrigin(request: NextRequest): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.get('origin');
  return !origin || origin === new URL(request.url).origin || origin === `http://${request.headers.get('host')}`;
}

async function proxy(request: NextRequest, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  if (!isSameOrigin(request)) return kuboError(403, 'The IPFS proxy answers this app’s own pages only.');
  const operation = (await params).path.join('/');
  if (!ALLOWED.has(operation)) return kuboError(404, `${operation} is not available through this app.`);
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
    upstream = await fetch(`${nodeUrl()}/api/v0/${operation}${search}`, {
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

export { proxy as POST, proxy as GET };
