/**
 * Pinning keeps content from being garbage-collected; unpinning is the IPFS half of crypto-shredding.
 */
import { parseCid } from './cid';
import { toIpfsError, type KuboRPCClient } from './client';

/**
 * Pins `cid` and everything it links to on the node.
 *
 * @param client - RPC client of the IPFS node.
 * @param cid - CID string to pin; the node must already hold its blocks.
 */
export async function pin(client: KuboRPCClient, cid: string): Promise<void> {
  try {
    await client.pin.add(parseCid(cid), { recursive: true });
  } catch (error) {
    throw toIpfsError(client, `pin ${cid}`, error);
  }
}

/**
 * Removes the recursive pin on `cid` so the node's garbage collector may delete its blocks.
 * Idempotent, because erasure must be safe to retry after a partial failure.
 *
 * @param client - RPC client of the IPFS node.
 * @param cid - CID string to unpin.
 * @returns `true` if a pin was removed, `false` if `cid` was not pinned.
 */
export async function unpin(client: KuboRPCClient, cid: string): Promise<boolean> {
  try {
    await client.pin.rm(parseCid(cid), { recursive: true });
    return true;
  } catch (error) {
    // Kubo's wording for removing a pin that does not exist.
    if (error instanceof Error && /not pinned/i.test(error.message)) return false;
    throw toIpfsError(client, `unpin ${cid}`, error);
  }
}

/**
 * Runs the node's garbage collector (`repo/gc`): every block no pin holds is deleted, which is what
 * turns an unpin into erasure on this node. It collects the whole node, not only one's own blocks.
 *
 * @param client - RPC client of the IPFS node (its RPC API: the web app's proxy does not pass this on).
 * @returns How many blocks were deleted.
 * @throws {@link ServiceUnavailableError} when the node cannot be reached or a deletion failed.
 */
export async function collectGarbage(client: KuboRPCClient): Promise<number> {
  let deleted = 0;
  try {
    for await (const result of client.repo.gc()) {
      if (result.err) throw result.err;
      deleted++;
    }
  } catch (error) {
    throw toIpfsError(client, 'collect garbage', error);
  }
  return deleted;
}
