/**
 * `/api/indexer/*`: the browser's way to the indexer (`MEDLEDGER_INDEXER_URL`), same-origin, read-only:
 * `GET /indexed` and `GET /logs` only. Everything it answers is public chain data, and the browser
 * verifies it against the chain (lib/chain/chains.ts, lib/chain/records.ts).
 */
import type { NextRequest } from 'next/server';

import { indexerUrlOf } from '../../../../components/runtime-config.server';

export const dynamic = 'force-dynamic';

const FORWARDED: ReadonlySet<string> = new Set(['indexed', 'logs']);

export async function GET(
  request: NextRequest,
  { params }: { params: Promise<{ path: string[] }> },
): Promise<Response> {
  const indexer = indexerUrlOf();
  const route = (await params).path.join('/');
  if (!indexer) return Response.json({ error: 'This server runs without an indexer.' }, { status: 404 });
  if (!FORWARDED.has(route))
    return Response.json({ error: `The indexer proxy forwards only /indexed and /logs.` }, { status: 404 });
  try {
    const answer = await fetch(`${indexer}/${route}${request.nextUrl.search}`, { signal: AbortSignal.timeout(30_000) });
    return new Response(answer.body, {
      status: answer.status,
      headers: {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
        'cache-control': 'no-store',
      },
    });
  } catch {
    return Response.json({ error: 'The indexer does not answer.' }, { status: 502 });
  }
}
