/**
 * The subset of Kubo's RPC API (`/api/v0/…`) that `kubo-rpc-client` needs for MedLedger, with Kubo's
 * request conventions (POST only, `arg` parameters) and response shapes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CID } from 'multiformats/cid';
import { code as RAW_CODEC } from 'multiformats/codecs/raw';
import { addPin, assertHasBlock, parseIpfsPath, removePin, type NodeContext } from './context';
import { badRequest, booleanParam, KuboApiError, KuboErrorCode, requestUrl, sendJson, sendKuboError } from './http';
import { handleAdd } from './rpc-add';

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  context: NodeContext,
  search: URLSearchParams,
) => Promise<void>;

function requiredArgs(search: URLSearchParams, name: string): string[] {
  const args = search.getAll('arg');
  if (args.length === 0) throw badRequest(`argument "${name}" is required`);
  return args;
}

function nonNegativeInteger(search: URLSearchParams, name: string): number | undefined {
  const value = search.get(name);
  if (value === null || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw badRequest(`invalid value ${JSON.stringify(value)} for "${name}"`);
  return parsed;
}

function sendNdjson(res: ServerResponse, lines: readonly unknown[]): void {
  const body = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Chunked-Output': '1',
  });
  res.end(body);
}

/** Streams an async byte source, failing before any header is sent if the first piece fails. */
async function streamBytes(res: ServerResponse, source: AsyncIterable<Uint8Array>, headers: Record<string, string>) {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  res.writeHead(200, headers);
  await pipeline(
    Readable.from(
      (async function* () {
        if (first.done !== true) yield first.value;
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
      })(),
    ),
    res,
  );
}

const handleCat: Handler = async (_req, res, context, search) => {
  const [arg] = requiredArgs(search, 'ipfs-path');
  const { cid, path } = parseIpfsPath(arg ?? '');
  await assertHasBlock(context, cid);
  const offset = nonNegativeInteger(search, 'offset');
  const length = nonNegativeInteger(search, 'length');
  await streamBytes(res, context.fs.cat(cid, { path, offset, length, offline: true }), {
    'Content-Type': 'text/plain',
    'X-Stream-Output': '1',
  });
};

const handleId: Handler = async (_req, res, context) => {
  sendJson(res, 200, {
    ID: context.identity.peerId,
    PublicKey: context.identity.publicKey,
    // The node never listens for or dials peers, so it has no swarm addresses or protocols.
    Addresses: [],
    AgentVersion: `medledger-ipfs/${context.helia.info.name}-${context.helia.info.version}`,
    Protocols: [],
  });
};

const handleVersion: Handler = async (_req, res, context) => {
  sendJson(res, 200, {
    Version: context.helia.info.version,
    Commit: '',
    Repo: '',
    System: `${process.arch}/${process.platform}`,
    // Kubo reports its Go runtime here; this node's runtime is Node.js.
    Golang: `node-${process.version}`,
  });
};

const handlePinAdd: Handler = async (_req, res, context, search) => {
  const recursive = booleanParam(search, 'recursive', true);
  const pinned: string[] = [];
  for (const arg of requiredArgs(search, 'ipfs-path')) {
    const { cid } = parseIpfsPath(arg);
    await assertHasBlock(context, cid);
    await context.commitLock.run(() => addPin(context, cid, recursive));
    pinned.push(cid.toString());
  }
  sendJson(res, 200, { Pins: pinned });
};

async function isPinnedDirectly(context: NodeContext, cid: CID): Promise<boolean> {
  try {
    await context.helia.pins.get(cid);
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'NotFoundError') return false;
    throw error;
  }
}

const handlePinRm: Handler = async (_req, res, context, search) => {
  const removed: string[] = [];
  for (const arg of requiredArgs(search, 'ipfs-path')) {
    const { cid } = parseIpfsPath(arg);
    if (!(await isPinnedDirectly(context, cid))) {
      throw new KuboApiError(`${cid.toString()} is not pinned or pinned indirectly`, 500, KuboErrorCode.normal);
    }
    await context.commitLock.run(() => removePin(context, cid));
    removed.push(cid.toString());
  }
  sendJson(res, 200, { Pins: removed });
};

type PinType = 'recursive' | 'direct' | 'indirect';

/**
 * Lists pins. Indirect pins (blocks inside a pinned DAG) are reported only when asked about by CID:
 * enumerating them all would walk every pinned DAG.
 */
const handlePinLs: Handler = async (_req, res, context, search) => {
  const type = search.get('type') ?? 'all';
  if (!['all', 'recursive', 'direct', 'indirect'].includes(type)) {
    throw badRequest(`invalid type ${JSON.stringify(type)}, must be one of {direct, indirect, recursive, all}`);
  }
  const found: { cid: string; type: PinType }[] = [];
  const args = search.getAll('arg');
  if (args.length > 0) {
    for (const arg of args) {
      const { cid } = parseIpfsPath(arg);
      let pinType: PinType | undefined;
      if (await isPinnedDirectly(context, cid)) {
        pinType = (await context.helia.pins.get(cid)).depth === 0 ? 'direct' : 'recursive';
      } else if (await context.helia.pins.isPinned(cid)) {
        pinType = 'indirect';
      }
      if (pinType === undefined) throw new KuboApiError(`path '${arg}' is not pinned`, 500, KuboErrorCode.normal);
      found.push({ cid: cid.toString(), type: pinType });
    }
  } else {
    for await (const pin of context.helia.pins.ls()) {
      found.push({ cid: pin.cid.toString(), type: pin.depth === 0 ? 'direct' : 'recursive' });
    }
  }
  const selected = found.filter((pin) => type === 'all' || pin.type === type);
  if (booleanParam(search, 'stream', false)) {
    sendNdjson(
      res,
      selected.map((pin) => ({ Cid: pin.cid, Name: '', Type: pin.type })),
    );
  } else {
    sendJson(res, 200, { Keys: Object.fromEntries(selected.map((pin) => [pin.cid, { Type: pin.type, Name: '' }])) });
  }
};

const handleBlockStat: Handler = async (_req, res, context, search) => {
  const [arg] = requiredArgs(search, 'cid');
  const { cid } = parseIpfsPath(arg ?? '');
  await assertHasBlock(context, cid);
  let size = 0;
  for await (const piece of context.helia.blockstore.get(cid, { offline: true })) size += piece.length;
  sendJson(res, 200, { Key: cid.toString(), Size: size });
};

/**
 * Deletes every unpinned block: the step that makes an unpin (crypto-shredding) actually erase data.
 * Blocks of uploads still in flight are kept: they are on disk only, about to be pinned, and Kubo
 * too holds collections off while an add runs. The blockstore is keyed by multihash, so, like Kubo,
 * it reports each deleted block as a CIDv1 `raw`.
 */
const handleRepoGc: Handler = async (_req, res, context) => {
  const lines: unknown[] = [];
  await context.commitLock.run(async () => {
    const collectable = async function* () {
      for await (const { cid } of context.blockstore.getAll()) {
        try {
          if (context.uploadsInFlight.isHeld(cid) || (await context.helia.pins.isPinned(cid))) continue;
        } catch (error) {
          lines.push({ Error: error instanceof Error ? error.message : String(error) });
          continue;
        }
        yield cid;
      }
    };
    for await (const cid of context.blockstore.deleteMany(collectable())) {
      context.blockDeletions.count += 1;
      lines.push({ Key: { '/': CID.createV1(RAW_CODEC, cid.multihash).toString() } });
    }
  });
  sendNdjson(res, lines);
};

const ROUTES: ReadonlyMap<string, Handler> = new Map([
  ['/api/v0/add', (req, res, context) => handleAdd(req, res, context)],
  ['/api/v0/cat', handleCat],
  ['/api/v0/id', handleId],
  ['/api/v0/version', handleVersion],
  ['/api/v0/pin/add', handlePinAdd],
  ['/api/v0/pin/rm', handlePinRm],
  ['/api/v0/pin/ls', handlePinLs],
  ['/api/v0/block/stat', handleBlockStat],
  ['/api/v0/repo/gc', handleRepoGc],
]);

/** The RPC endpoints this node serves. */
export const RPC_ENDPOINTS: readonly string[] = [...ROUTES.keys()];

/**
 * Creates the request listener of the RPC API server.
 *
 * @param context - The node's shared state.
 */
export function createRpcApiHandler(context: NodeContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = requestUrl(req);
    const handler = ROUTES.get(url.pathname);
    const respond = async () => {
      if (handler === undefined)
        throw new KuboApiError(`404 page not found: ${url.pathname}`, 404, KuboErrorCode.client);
      // A web page can send simple cross-origin POSTs without CORS consent; refusing any request that
      // carries an Origin keeps browsers out of this admin API entirely (Kubo does the same).
      if (req.headers.origin !== undefined) {
        throw new KuboApiError(
          '403 - Forbidden: the RPC API does not accept browser requests',
          403,
          KuboErrorCode.forbidden,
        );
      }
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new KuboApiError(`405 - Method Not Allowed: use POST for ${url.pathname}`, 405, KuboErrorCode.client);
      }
      await handler(req, res, context, url.searchParams);
    };
    respond().catch((error: unknown) => {
      // The rest of an unread upload is not worth receiving once the request has failed.
      if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
      sendKuboError(res, error);
    });
  };
}
