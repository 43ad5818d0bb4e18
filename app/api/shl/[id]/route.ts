/**
 * `POST /api/shl/{id}`: the manifest URL of a SMART Health Link, open to any receiver (CORS) as the
 * spec requires; see lib/shl/server.ts.
 */
import { appShlServer } from '../../../../lib/shl/server';
import { shlStoreDir } from '../../../../lib/shl/store';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return appShlServer(shlStoreDir()).manifest(request, (await params).id);
}

export function OPTIONS(): Response {
  return appShlServer(shlStoreDir()).preflight();
}
