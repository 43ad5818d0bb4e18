/**
 * A path gateway on `/ipfs/<cid>[/path]`: file bytes by default (with single byte ranges), or the raw
 * root block for `?format=raw` / `Accept: application/vnd.ipld.raw` so a client can verify what it
 * got against the CID (the trustless-gateway response type).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CID } from 'multiformats/cid';
import { parseIpfsPath, type NodeContext } from './context';
import { KuboApiError, requestUrl } from './http';

const RAW_BLOCK = 'application/vnd.ipld.raw';
const CAR = 'application/vnd.ipld.car';
/** Content under a CID never changes, so it may be cached for as long as caches allow (one year). */
const IMMUTABLE = 'public, max-age=29030400, immutable';

/** Options of {@link createGatewayHandler}. */
export interface GatewayOptions {
  /** Browser origins allowed to read responses (CORS), e.g. `http://localhost:3000`; `*` allows any. */
  readonly corsOrigins: readonly string[];
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function applyCors(req: IncomingMessage, res: ServerResponse, corsOrigins: readonly string[]): void {
  res.setHeader('Vary', 'Origin, Accept');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  if (corsOrigins.includes('*') || corsOrigins.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, Etag, X-Ipfs-Path');
  }
}

function wantedFormat(req: IncomingMessage, search: URLSearchParams): 'file' | 'raw' | 'car' | undefined {
  const format = search.get('format');
  if (format === 'raw') return 'raw';
  if (format === 'car') return 'car';
  if (format !== null && format !== '') return undefined;
  const accept = req.headers.accept ?? '';
  if (accept.includes(RAW_BLOCK)) return 'raw';
  if (accept.includes(CAR)) return 'car';
  return 'file';
}

/** Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range against a file of `size` bytes. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return 'invalid';
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return start > end || start >= size ? 'invalid' : { start, end };
}

async function sendRawBlock(req: IncomingMessage, res: ServerResponse, context: NodeContext, cid: CID) {
  const pieces: Uint8Array[] = [];
  for await (const piece of context.helia.blockstore.get(cid, { offline: true })) pieces.push(piece);
  const block = Buffer.concat(pieces);
  res.writeHead(200, {
    'Content-Type': RAW_BLOCK,
    'Content-Length': block.length,
    'Cache-Control': IMMUTABLE,
    Etag: `"${cid.toString()}.raw"`,
    'X-Content-Type-Options': 'nosniff',
    'X-Ipfs-Path': `/ipfs/${cid.toString()}`,
  });
  res.end(req.method === 'HEAD' ? undefined : block);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, context: NodeContext, cid: CID, path: string) {
  const stats = await context.fs.stat(cid, { path, offline: true });
  if (stats.type === 'directory') {
    sendText(res, 501, 'not implemented: this gateway does not list directories\n');
    return;
  }
  const size = Number(stats.size);
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string | number> = {
    // Stored content is ciphertext or other opaque bytes: never let a browser sniff it into HTML.
    'Content-Type': 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': IMMUTABLE,
    Etag: `"${cid.toString()}"`,
    'X-Ipfs-Path': `/ipfs/${cid.toString()}${path === '' ? '' : `/${path}`}`,
    'Accept-Ranges': 'bytes',
  };
  if (range === 'invalid') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const offset = range?.start ?? 0;
  const length = range === undefined ? size : range.end - range.start + 1;
  if (range !== undefined) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  res.writeHead(range === undefined ? 200 : 206, { ...headers, 'Content-Length': length });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  await pipeline(Readable.from(context.fs.cat(cid, { path, offset, length, offline: true })), res);
}

/**
 * Creates the request listener of the gateway server.
 *
 * @param context - The node's shared state.
 * @param options - CORS origins.
 */
export function createGatewayHandler(
  context: NodeContext,
  options: GatewayOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    applyCors(req, res, options.corsOrigins);
    const url = requestUrl(req);
    const respond = async () => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
          'Access-Control-Allow-Headers': 'Range, Accept',
          'Access-Control-Max-Age': '86400',
        });
        res.end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD, OPTIONS');
        sendText(res, 405, 'method not allowed: the gateway is read-only\n');
        return;
      }
      if (!url.pathname.startsWith('/ipfs/')) {
        sendText(res, 404, 'not found: request /ipfs/<cid>\n');
        return;
      }
      let decodedPath: string;
      try {
        decodedPath = decodeURIComponent(url.pathname);
      } catch {
        sendText(res, 400, 'bad request: the path is not valid percent-encoding\n');
        return;
      }
      const { cid, path } = parseIpfsPath(decodedPath);
      if (!(await context.helia.blockstore.has(cid))) {
        sendText(res, 404, `not found: ${cid.toString()} is not stored on this node\n`);
        return;
      }
      const format = wantedFormat(req, url.searchParams);
      if (format === 'raw' && path === '') return sendRawBlock(req, res, context, cid);
      if (format === 'file') return sendFile(req, res, context, cid, path);
      sendText(res, 406, 'not acceptable: this gateway serves file bytes and raw blocks of root CIDs only\n');
    };
    respond().catch((error: unknown) => {
      const status = error instanceof KuboApiError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else sendText(res, status, `${message}\n`);
    });
  };
}
