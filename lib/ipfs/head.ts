/**
 * The first bytes of a file on IPFS, for looking at a header without downloading the whole file.
 */
import { parseCid } from './cid';
import { toIpfsError, type KuboRPCClient } from './client';

/**
 * Reads at most the first `length` bytes of the file behind `cid` (`cat` with `offset`/`length`; a
 * node that ignores `length` is cut off after `length` bytes).
 *
 * The bytes are NOT verified against the CID: a prefix cannot be re-hashed to its root without the
 * DAG's internal nodes. Use them only for decisions the node itself could make differently anyway,
 * such as which of its own pins to remove; anything read for its content goes through
 * {@link fetchVerified}.
 *
 * @param client - RPC client of the IPFS node.
 * @param cid - CID string of the file.
 * @param length - Most bytes wanted; fewer come back when the file is shorter.
 * @param options - Abort signal.
 * @throws {@link NotFoundError} when the node does not have the content.
 * @throws {@link ServiceUnavailableError} when the node cannot be reached or fails.
 * @throws {@link ValidationError} when `cid` is malformed.
 */
export async function fetchHead(
  client: KuboRPCClient,
  cid: string,
  length: number,
  options: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const root = parseCid(cid);
  const head = new Uint8Array(length);
  let filled = 0;
  // Ends the response once enough has arrived, in case the node streams on regardless of `length`.
  const done = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, done.signal]) : done.signal;
  try {
    for await (const piece of client.cat(root, { offset: 0, length, signal })) {
      const take = Math.min(piece.length, length - filled);
      head.set(piece.subarray(0, take), filled);
      filled += take;
      if (filled === length) break;
    }
  } catch (error) {
    throw toIpfsError(client, `cat the first ${length} bytes of ${cid}`, error);
  } finally {
    done.abort();
  }
  return head.subarray(0, filled);
}
