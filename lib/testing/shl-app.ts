/**
 * The app's SMART Health Link routes (`app/api/shl/…`) served over real HTTP by the handlers those
 * routes call, for tests that need the manifest URL without starting Next.js. Node only.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';

import { type ShlServer, type ShlServerOptions, shlServer } from '../shl/server';

export interface ShlApp {
  /** `http://127.0.0.1:PORT`, the origin links point at. */
  readonly url: string;
  readonly server: ShlServer;
  stop(): Promise<void>;
}

async function toRequest(incoming: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(new URL(incoming.url ?? '/', origin), {
    method: incoming.method,
    headers,
    ...(body && incoming.method !== 'GET' ? { body } : {}),
  });
}

/** Routes a request the way the Next.js app's file routes do. */
async function route(server: ShlServer, request: Request): Promise<Response> {
  const parts = new URL(request.url).pathname.split('/').filter(Boolean);
  if (parts[0] !== 'api' || parts[1] !== 'shl') return new Response('not found', { status: 404 });
  if (request.method === 'OPTIONS') return server.preflight();
  if (parts.length === 2 && request.method === 'POST') return server.owner(request);
  if (parts.length === 3 && request.method === 'POST') return server.manifest(request, parts[2]!);
  if (parts.length === 5 && parts[3] === 'file' && request.method === 'GET') {
    return server.file(request, parts[2]!, parts[4]!);
  }
  return new Response('method not allowed', { status: 405 });
}

/** Starts the routes on a free loopback port. */
export async function startShlApp(options: ShlServerOptions): Promise<ShlApp> {
  const server = shlServer(options);
  let origin = '';
  const http = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    void (async () => {
      const response = await route(server, await toRequest(incoming, origin));
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      outgoing.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      outgoing.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    server,
    stop: () => new Promise((resolve) => http.close(() => resolve())),
  };
}
