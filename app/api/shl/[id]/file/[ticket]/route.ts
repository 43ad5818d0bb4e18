/**
 * `GET /api/shl/{id}/file/{ticket}`: a manifest's file too long to embed, by a single-use URL; see
 * lib/shl/server.ts.
 */
import { appShlServer } from '../../../../../../lib/shl/server';
import { shlStoreDir } from '../../../../../../lib/shl/store';

export const dynamic = 'force-dynamic';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string; ticket: string }> },
): Promise<Response> {
  const { id, ticket } = await params;
  return appShlServer(shlStoreDir()).file(request, id, ticket);
}

export function OPTIONS(): Response {
  return appShlServer(shlStoreDir()).preflight();
}
