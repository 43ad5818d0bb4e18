/**
 * UnixFS content addressing with Kubo's layout rules, so a CID computed here is the CID any Kubo node,
 * IPFS Cluster or pinning service computes for the same bytes and parameters.
 */
import { importer, type ImporterOptions } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';
import { sha256 } from 'multiformats/hashes/sha2';

import { sha256Digest } from '../crypto/aead';
import { ValidationError } from '../errors';

/** The UnixFS parameters that, together with the bytes, determine a file's CID. */
export interface UnixfsParams {
  /** 0 gives `Qm…` base58 CIDs (Kubo's default); 1 gives `bafy…`/`bafk…` base32 CIDs. */
  readonly cidVersion: 0 | 1;
  /** Store leaves as bare `raw` blocks instead of wrapping each in a dag-pb UnixFS node. */
  readonly rawLeaves: boolean;
  /** Fixed chunk size in bytes (Kubo's `--chunker=size-N`). */
  readonly chunkSize: number;
}

/** The parameters MedLedger stores with: CIDv1, sha2-256, 256 KiB chunks, raw leaves. */
export const MEDLEDGER_UNIXFS: UnixfsParams = { cidVersion: 1, rawLeaves: true, chunkSize: 262_144 };

/** Kubo's defaults for `ipfs add` without flags: CIDv0, 256 KiB chunks, dag-pb leaves. */
export const KUBO_DEFAULT_UNIXFS: UnixfsParams = { cidVersion: 0, rawLeaves: false, chunkSize: 262_144 };

/** Kubo's balanced DAG layout puts at most this many links in one node (go-unixfs `DefaultLinksPerBlock`). */
const KUBO_MAX_LINKS_PER_NODE = 174;

/** Kubo refuses chunks above 1 MiB so that blocks stay within bitswap's message limits. */
const MAX_CHUNK_SIZE = 1_048_576;

/**
 * Importer options that reproduce Kubo's `ipfs add` for one file with the given parameters. The node
 * and {@link computeCid} both build their DAGs from this, so they cannot drift apart.
 *
 * @param params - CID version, leaf encoding and chunk size.
 */
export function kuboImporterOptions(params: UnixfsParams): ImporterOptions {
  return {
    cidVersion: params.cidVersion,
    rawLeaves: params.rawLeaves,
    // Kubo wraps non-raw leaves as UnixFS `file` nodes (not `raw`), which changes every leaf hash.
    leafType: 'file',
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: params.chunkSize }),
    layout: balanced({ maxChildrenPerNode: KUBO_MAX_LINKS_PER_NODE }),
  };
}

/**
 * Parses Kubo's `chunker` option; only fixed-size chunking is supported (`size-N`, 1 ≤ N ≤ 1 MiB).
 *
 * @param chunker - The option value, e.g. `size-262144`.
 * @returns The chunk size in bytes, or `undefined` when the value is not a supported chunker.
 */
export function parseChunker(chunker: string): number | undefined {
  const match = /^size-(\d{1,7})$/.exec(chunker);
  if (match?.[1] === undefined) return undefined;
  const size = Number(match[1]);
  return size >= 1 && size <= MAX_CHUNK_SIZE ? size : undefined;
}

/** A blockstore that keeps nothing: computing a CID only needs the hashes, not the blocks. */
const discardingBlockstore = {
  put: async (cid: CID): Promise<CID> => cid,
};

/**
 * Computes the CID Kubo would assign to `bytes` added as one file, without storing anything.
 *
 * @param bytes - The file content, whole or as a stream of pieces (piece boundaries do not matter).
 * @param params - UnixFS parameters; defaults to {@link MEDLEDGER_UNIXFS}.
 * @returns The root CID in its canonical string form (base58btc for v0, base32 for v1).
 */
export async function computeCid(
  bytes: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  params: UnixfsParams = MEDLEDGER_UNIXFS,
): Promise<string> {
  // What the importer gives for content that fits one raw leaf (every record envelope), without its
  // machinery: a raw block, named by the SHA-256 of the bytes.
  if (bytes instanceof Uint8Array && params.cidVersion === 1 && params.rawLeaves && bytes.length <= params.chunkSize) {
    return CID.createV1(raw.code, Digest.create(sha256.code, await sha256Digest(bytes))).toString();
  }
  for await (const entry of importer([{ content: bytes }], discardingBlockstore, kuboImporterOptions(params))) {
    return entry.cid.toString();
  }
  throw new Error('The UnixFS importer produced no entry for a single file');
}

/**
 * Parses a CID string in any multibase, failing with a {@link ValidationError} that names the input.
 *
 * @param cid - A CID string such as `bafk…` or `Qm…`.
 * @param path - Where the value came from, for the error's issue path.
 */
export function parseCid(cid: string, path = 'cid'): CID {
  try {
    return CID.parse(cid);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError([{ path, message: `${JSON.stringify(cid)} is not a CID: ${reason}` }]);
  }
}
