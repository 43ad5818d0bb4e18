/**
 * State shared by the RPC API and the gateway of one embedded node, and helpers both use.
 */
import type { UnixFS } from '@helia/unixfs';
import type { GraphWalkerFactory, Helia } from 'helia';
import type { Blockstore } from 'interface-blockstore';
import { CID } from 'multiformats/cid';
import { badRequest, KuboApiError, KuboErrorCode } from './http';
import type { NodeIdentity } from './identity';

/** Runs async tasks one at a time, in arrival order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Everything a request handler needs. */
export interface NodeContext {
  readonly helia: Helia;
  /**
   * The persistent blockstore under Helia. Uploads write to it directly: Helia's wrapper checks and
   * announces block by block, one after the other, which only matters to a networked node.
   */
  readonly blockstore: Blockstore;
  readonly fs: UnixFS;
  readonly identity: NodeIdentity;
  /** Largest request body `/api/v0/add` accepts, in bytes. */
  readonly maxUploadBytes: number;
  /**
   * Held while an upload's blocks are written and pinned, and during garbage collection, so a
   * collection can never delete blocks that are about to be pinned.
   */
  readonly commitLock: Mutex;
  /**
   * How many blocks have been deleted (by `repo/gc`, or when a failed upload is cleaned up). An
   * upload that sees it change while it was in flight checks that its blocks are all still there
   * before pinning them.
   */
  readonly blockDeletions: { count: number };
}

/** A content path: a root CID and an optional path inside it. */
export interface IpfsPath {
  readonly cid: CID;
  /** Path below the root without leading slash, `''` for the root itself. */
  readonly path: string;
}

/**
 * Parses `<cid>`, `<cid>/a/b`, `/ipfs/<cid>` or `/ipfs/<cid>/a/b` as Kubo does for its `arg` values.
 *
 * @throws {@link KuboApiError} (400) for anything else.
 */
export function parseIpfsPath(value: string): IpfsPath {
  const segments = value
    .replace(/^\/ipfs\//, '')
    .split('/')
    .filter((segment) => segment !== '');
  const [root, ...rest] = segments;
  try {
    if (root === undefined) throw new Error('empty path');
    return { cid: CID.parse(root), path: rest.join('/') };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest(`invalid path ${JSON.stringify(value)}: ${reason}`);
  }
}

/**
 * Fails the way an offline Kubo node does when a root block is not in the local store.
 *
 * @throws {@link KuboApiError} (500) naming the missing CID.
 */
export async function assertHasBlock(context: NodeContext, cid: CID): Promise<void> {
  if (!(await context.helia.blockstore.has(cid))) {
    throw new KuboApiError(
      `block was not found locally (offline): ipld: could not find ${cid.toString()}`,
      500,
      KuboErrorCode.normal,
    );
  }
}

/**
 * Pins `cid` (recursively, or only its root block), succeeding if it is already pinned as Kubo does.
 *
 * @param walker - How to walk the DAG; Helia's default reads every block back from the blockstore.
 * @throws when a block of the DAG is missing from the local store.
 */
export async function addPin(
  context: NodeContext,
  cid: CID,
  recursive: boolean,
  walker?: GraphWalkerFactory,
): Promise<void> {
  try {
    for await (const _pinned of context.helia.pins.add(cid, { depth: recursive ? Infinity : 0, walker }));
  } catch (error) {
    if (error instanceof Error && error.name === 'AlreadyPinnedError') return;
    throw error;
  }
}
