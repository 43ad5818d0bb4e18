/**
 * State shared by the RPC API and the gateway of one embedded node, and helpers both use.
 */
import type { UnixFS } from '@helia/unixfs';
import type { GraphNode, GraphWalkerFactory, Helia, WalkOptions } from 'helia';
import type { Blockstore } from 'interface-blockstore';
import { createUnsafe } from 'multiformats/block';
import { CID } from 'multiformats/cid';
import { badRequest, KuboApiError, KuboErrorCode } from './http';
import type { NodeIdentity } from './identity';
import { pinRecordKeys, type NodeDatastore } from './stores';

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
  /** Helia's datastore (pin records, the identity); pins write to it in one batch each. */
  readonly datastore: NodeDatastore;
  readonly fs: UnixFS;
  readonly identity: NodeIdentity;
  /** Largest request body `/api/v0/add` accepts, in bytes. */
  readonly maxUploadBytes: number;
  /**
   * Held while an upload's blocks are written and pinned, while a pin is added or removed, and during
   * garbage collection: a collection can never delete blocks that are about to be pinned, and pin
   * records, which Helia updates read-modify-write, have one writer at a time.
   */
  readonly commitLock: Mutex;
  /**
   * How many blocks have been deleted (by `repo/gc`, or when a failed upload is cleaned up). An
   * upload that sees it change while it was in flight checks that its blocks are all still there
   * before pinning them.
   */
  readonly blockDeletions: { count: number };
  /**
   * Blocks of uploads still in flight, written but not pinned yet: `repo/gc` and the clean-up of a
   * failed upload leave them alone, since an upload no longer holds its blocks in memory to write
   * them again.
   */
  readonly uploadsInFlight: BlockHolds;
}

/** Counts, per block (by multihash, as the blockstore keys them), the uploads in flight that hold it. */
export class BlockHolds {
  private readonly holds = new Map<string, number>();

  private static keyOf(cid: CID): string {
    return Buffer.from(cid.multihash.bytes).toString('hex');
  }

  hold(cid: CID): void {
    const key = BlockHolds.keyOf(cid);
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
  }

  release(cid: CID): void {
    const key = BlockHolds.keyOf(cid);
    const count = (this.holds.get(key) ?? 0) - 1;
    if (count > 0) this.holds.set(key, count);
    else this.holds.delete(key);
  }

  isHeld(cid: CID): boolean {
    return this.holds.has(BlockHolds.keyOf(cid));
  }
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

function notFoundLocally(cid: CID): KuboApiError {
  return new KuboApiError(
    `block was not found locally (offline): ipld: could not find ${cid.toString()}`,
    500,
    KuboErrorCode.normal,
  );
}

/**
 * Fails the way an offline Kubo node does when a root block is not in the local store.
 *
 * @throws {@link KuboApiError} (500) naming the missing CID.
 */
export async function assertHasBlock(context: NodeContext, cid: CID): Promise<void> {
  if (!(await context.helia.blockstore.has(cid))) throw notFoundLocally(cid);
}

/**
 * A depth-first walker for Helia's pins over a DAG whose links are known without reading its blocks
 * (an upload records them as it writes the blocks). Helia's pins read only the CID of each node
 * walked, so the nodes handed over carry their CID and links but not their bytes, which are on
 * disk already; this is what keeps pinning a 2 GiB upload from reading 2 GiB back.
 *
 * @param linksOf - The CIDs a block links to, or `undefined` when the block is not part of the DAG.
 */
export function linkWalker(linksOf: (cid: CID) => readonly CID[] | undefined): GraphWalkerFactory {
  return () => ({
    async *walk<T>(root: CID, options: WalkOptions<T> = {}): AsyncGenerator<GraphNode<T>> {
      const maxDepth = options.depth ?? Infinity;
      const stack = [{ cid: root, depth: 0, path: [root] }];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        const { cid, depth, path } = next;
        options.signal?.throwIfAborted();
        const links = linksOf(cid);
        if (links === undefined) throw notFoundLocally(cid);
        const block = createUnsafe<T, number, number, 0 | 1>({
          cid: cid as CID<T, number, number, 0 | 1>,
          bytes: NOT_HELD,
          value: links as T,
        });
        if (depth < maxDepth) {
          for (const child of [...links].reverse()) stack.push({ cid: child, depth: depth + 1, path: [...path, child] });
        }
        yield { block, depth, path };
      }
    },
  });
}

/** The bytes of a block {@link linkWalker} hands over: they are on disk, not in memory. */
const NOT_HELD = new Uint8Array(0);

/**
 * A depth-first DAG walker for Helia's pins that reads one block at a time from `load`. Helia's own
 * walker reads ahead in a queue, and a block missing from an offline store fails there as an
 * unhandled rejection while the pin goes on without it; here a missing block is the walk's error.
 *
 * @param load - The bytes of a block, or `undefined` when the store does not have it.
 * @param onMissing - `fail`: throw Kubo's "not found locally" error (pinning must not skip a block);
 *   `skip`: leave the block and everything below it out (unpinning must work even then).
 */
export function dagWalker(
  load: (cid: CID) => Promise<Uint8Array | undefined>,
  onMissing: 'fail' | 'skip',
): GraphWalkerFactory {
  return ({ getCodec }) => ({
    async *walk<T>(root: CID, options: WalkOptions<T> = {}): AsyncGenerator<GraphNode<T>> {
      const maxDepth = options.depth ?? Infinity;
      const stack = [{ cid: root, depth: 0, path: [root] }];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        const { cid, depth, path } = next;
        options.signal?.throwIfAborted();
        const bytes = await load(cid);
        if (bytes === undefined) {
          if (onMissing === 'skip') continue;
          throw notFoundLocally(cid);
        }
        const block = createUnsafe<T, number, number, 0 | 1>({
          cid: cid as CID<T, number, number, 0 | 1>,
          bytes,
          codec: await getCodec(cid.code),
        });
        if (depth < maxDepth) {
          // Pushed in reverse so that children pop, and are pinned, in link order.
          const children = [...block.links()].map(([, child]) => child).reverse();
          for (const child of children) stack.push({ cid: child, depth: depth + 1, path: [...path, child] });
        }
        yield { block, depth, path };
      }
    },
  });
}

/** A {@link dagWalker} over the node's blockstore: one read per block, a missing one read as absent. */
function storedDagWalker(context: NodeContext, onMissing: 'fail' | 'skip'): GraphWalkerFactory {
  return dagWalker(async (cid) => {
    const pieces: Uint8Array[] = [];
    try {
      for await (const piece of context.blockstore.get(cid)) pieces.push(piece);
    } catch (error) {
      if (error instanceof Error && error.name === 'NotFoundError') return undefined;
      throw error;
    }
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  }, onMissing);
}

/**
 * Pins `cid` (recursively, or only its root block), succeeding if it is already pinned as Kubo does.
 * The pin's records are written in one atomic batch: a pin that fails half-way (a block missing from
 * the store, say) leaves no trace. Callers hold the commit lock.
 *
 * @param walker - How to walk the DAG; by default every block is read back from the blockstore.
 * @param blocks - The DAG's blocks when the caller knows them, so their records are read in one go.
 * @throws when a block of the DAG is missing from the local store.
 */
export async function addPin(
  context: NodeContext,
  cid: CID,
  recursive: boolean,
  walker?: GraphWalkerFactory,
  blocks: readonly CID[] = [],
): Promise<void> {
  try {
    await context.datastore.inBatch(pinRecordKeys([cid], blocks), async () => {
      const options = { depth: recursive ? Infinity : 0, walker: walker ?? storedDagWalker(context, 'fail') };
      for await (const _pinned of context.helia.pins.add(cid, options));
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'AlreadyPinnedError') return;
    throw error;
  }
}

/**
 * Removes the pin of `cid`, all its records in one atomic batch, even if blocks of its DAG have gone
 * missing (their records, and those below them, stay). Callers hold the commit lock.
 */
export async function removePin(context: NodeContext, cid: CID): Promise<void> {
  await context.datastore.inBatch([], async () => {
    for await (const _unpinned of context.helia.pins.rm(cid, { walker: storedDagWalker(context, 'skip') }));
  });
}
