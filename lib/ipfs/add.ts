/**
 * Storing ciphertext on IPFS with MedLedger's content-addressing parameters.
 */
import { CID } from 'multiformats/cid';
import { IntegrityError } from '../errors';
import { computeCid, MEDLEDGER_UNIXFS } from './cid';
import { toIpfsError, type KuboRPCClient } from './client';
import { unpin } from './pins';

/** How much of an upload has been handed to the connection so far. */
export interface UploadProgress {
  readonly loadedBytes: number;
  readonly totalBytes: number;
}

/** Options of {@link addBytes}. */
export interface AddBytesOptions {
  /** Called as the bytes are streamed to the node, once per chunk and once more at the end. */
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Progress is counted as the HTTP client pulls pieces off this generator, which works unchanged
 * against any node (the RPC API's own progress lines only arrive once the upload is complete).
 */
function* inPieces(bytes: Uint8Array, onProgress: AddBytesOptions['onProgress']): Generator<Uint8Array> {
  const pieceSize = MEDLEDGER_UNIXFS.chunkSize;
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    const piece = bytes.subarray(offset, offset + pieceSize);
    yield piece;
    onProgress?.({ loadedBytes: offset + piece.length, totalBytes: bytes.length });
  }
  if (bytes.length === 0) onProgress?.({ loadedBytes: 0, totalBytes: 0 });
}

/**
 * Adds `bytes` as one pinned file (CIDv1, sha2-256, 256 KiB chunks, raw leaves) and checks that the
 * node assigned the CID those parameters give; a node that ignores them would otherwise store the
 * data under an address no other node agrees on.
 *
 * @param client - RPC client of the IPFS node.
 * @param bytes - The content, typically an encrypted record envelope.
 * @param options - Progress callback and abort signal.
 * @returns The CIDv1 string (`bafk…` for one chunk, `bafy…` above 256 KiB).
 * @throws {@link IntegrityError} when the node returns a different CID (its pin is removed again).
 * @throws {@link ServiceUnavailableError} when the node cannot be reached or fails.
 */
export async function addBytes(
  client: KuboRPCClient,
  bytes: Uint8Array,
  options: AddBytesOptions = {},
): Promise<string> {
  const expected = await computeCid(bytes, MEDLEDGER_UNIXFS);
  let added: CID;
  try {
    const result = await client.add(inPieces(bytes, options.onProgress), {
      cidVersion: MEDLEDGER_UNIXFS.cidVersion,
      rawLeaves: MEDLEDGER_UNIXFS.rawLeaves,
      chunker: `size-${MEDLEDGER_UNIXFS.chunkSize}`,
      hashAlg: 'sha2-256',
      pin: true,
      signal: options.signal,
    });
    added = result.cid;
  } catch (error) {
    throw toIpfsError(client, `add ${bytes.length} bytes`, error);
  }
  if (!added.equals(CID.parse(expected))) {
    const mismatch = new IntegrityError(
      `IPFS node stored ${bytes.length} bytes as ${added.toString()}, but CIDv1/raw-leaves/256 KiB chunks give ${expected}: the node does not honour MedLedger's add parameters`,
    );
    // Leave nothing pinned under an address nobody else would compute; the mismatch stays the error
    // to report even if this clean-up fails as well.
    await unpin(client, added.toString()).catch(() => false);
    throw mismatch;
  }
  return expected;
}
