/**
 * `POST /api/shl`: a patient's signed request to create, list or revoke their SMART Health Links; see
 * lib/shl/server.ts.
 */
import { appShlServer } from '../../../lib/shl/server';
import { shlStoreDir } from '../../../lib/shl/store';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return appShlServer(shlStoreDir()).owner(request);
}
