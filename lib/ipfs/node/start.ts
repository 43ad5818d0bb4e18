/**
 * Starts MedLedger's embedded IPFS node: Helia over a persistent blockstore, with no libp2p and no
 * block brokers or routers, so it never dials out and nothing leaves the machine. It is reached
 * only through its Kubo-compatible RPC API and its gateway.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { unixfs } from '@helia/unixfs';
import { createHeliaLight } from 'helia';
import { BlockHolds, Mutex, type NodeContext } from './context';
import { createGatewayHandler } from './gateway';
import { loadOrCreateIdentity } from './identity';
import { createRpcApiHandler } from './rpc-api';
import { openStores } from './stores';
import { readMaxUploadBytes } from '../upload-limit';

/** Options of {@link startIpfsNode}. */
export interface IpfsNodeOptions {
  /** Directory holding the blockstore (`blocks/`) and the LevelDB datastore (`datastore/`: pins, identity). */
  readonly dataDir: string;
  /** RPC API port; 0 picks a free one. Default 5001 (Kubo's). */
  readonly apiPort?: number;
  /** Gateway port; 0 picks a free one. Default 8080 (Kubo's). */
  readonly gatewayPort?: number;
  /** Interface to bind both servers to. Default `127.0.0.1`: reachable from this machine only. */
  readonly host?: string;
  /** Largest `/api/v0/add` request body in bytes. Default `MEDLEDGER_MAX_UPLOAD_BYTES`, else 2 GiB. */
  readonly maxUploadBytes?: number;
  /** Browser origins allowed to read gateway responses. Default: none. The RPC API never allows any. */
  readonly gatewayCorsOrigins?: readonly string[];
  /** How long {@link RunningIpfsNode.stop} lets in-flight requests finish before cutting them. Default 5 s. */
  readonly shutdownGraceMs?: number;
}

/** A started node. */
export interface RunningIpfsNode {
  /** Base URL for `kubo-rpc-client`, e.g. `http://127.0.0.1:5001`. */
  readonly apiUrl: string;
  /** Base URL of the gateway, e.g. `http://127.0.0.1:8080` (content at `/ipfs/<cid>`). */
  readonly gatewayUrl: string;
  /** The node's peer ID, stable across restarts on the same data dir. */
  readonly peerId: string;
  /** Stops accepting requests, lets running ones finish, then closes the stores. Safe to call twice. */
  stop(): Promise<void>;
}

function listen(handler: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise(server);
    });
  });
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Closes a server, giving open requests `graceMs` before their connections are cut. */
async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  server.closeIdleConnections();
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(deadline);
}

/**
 * Starts the embedded node and its two HTTP servers.
 *
 * @param options - Data dir, ports, bind address, upload limit, gateway CORS origins.
 * @returns The node's URLs and a `stop` function.
 */
export async function startIpfsNode(options: IpfsNodeOptions): Promise<RunningIpfsNode> {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  await mkdir(dataDir, { recursive: true });
  const stores = await openStores(dataDir);
  const { blockstore, datastore } = stores;
  // createHeliaLight: no libp2p, no routers, no block brokers — a missing block is an error, never a
  // network fetch.
  const helia = createHeliaLight({ blockstore, datastore });

  const servers: Server[] = [];
  const closeStores = async () => {
    await helia.stop();
    await stores.close();
  };
  try {
    await helia.start();
    const context: NodeContext = {
      helia,
      blockstore,
      datastore,
      fs: unixfs(helia),
      identity: await loadOrCreateIdentity(datastore),
      maxUploadBytes: options.maxUploadBytes ?? readMaxUploadBytes(process.env),
      commitLock: new Mutex(),
      blockDeletions: { count: 0 },
      uploadsInFlight: new BlockHolds(),
    };
    servers.push(await listen(createRpcApiHandler(context), options.apiPort ?? 5001, host));
    const gatewayHandler = createGatewayHandler(context, { corsOrigins: options.gatewayCorsOrigins ?? [] });
    servers.push(await listen(gatewayHandler, options.gatewayPort ?? 8080, host));

    const [apiServer, gatewayServer] = servers as [Server, Server];
    let stopping: Promise<void> | undefined;
    return {
      apiUrl: urlOf(apiServer),
      gatewayUrl: urlOf(gatewayServer),
      peerId: context.identity.peerId,
      stop: () => {
        stopping ??= (async () => {
          await Promise.all(servers.map((server) => closeServer(server, options.shutdownGraceMs ?? 5_000)));
          // Uploads still committing hold the lock; wait for them before the stores close.
          await context.commitLock.run(closeStores);
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => closeServer(server, 0)));
    await closeStores();
    throw error;
  }
}
