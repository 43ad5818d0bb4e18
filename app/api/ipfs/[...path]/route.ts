/**
 * `/api/ipfs/*`: the browser's way to IPFS; see `components/ipfs-proxy.server.ts` for what it forwards
 * and to whom.
 */
import type { NextRequest } from 'next/server';

import { ipfsProxy } from '../../../../components/ipfs-proxy.server';

export const dynamic = 'force-dynamic';

async function handle(request: NextRequest, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  return ipfsProxy(request, (await params).path);
}

export { handle as POST, handle as GET };
