/**
 * Helpers for tests that need a real embedded node or Kubo's reference CIDs (Node.js only).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIpfsClient, type KuboRPCClient } from '../client';
import { startIpfsNode, type IpfsNodeOptions, type RunningIpfsNode } from './start';

/**
 * File sizes at every boundary of Kubo's balanced layout: empty, one byte, exactly one 256 KiB chunk,
 * one byte into a second chunk, a root with its maximum of 174 leaf links, and one chunk more, which
 * forces a second level of internal nodes.
 */
export const LAYOUT_BOUNDARY_SIZES: readonly number[] = [0, 1, 262_144, 262_145, 174 * 262_144, 174 * 262_144 + 1];

/** A node on ephemeral ports over a fresh temporary data dir. */
export interface TemporaryNode {
  readonly node: RunningIpfsNode;
  readonly client: KuboRPCClient;
  readonly dataDir: string;
  /** Stops the node and deletes its data dir. */
  dispose(): Promise<void>;
}

/**
 * Starts a node for a test on ports chosen by the OS, in a new temporary directory (or `dataDir`).
 *
 * @param options - Any {@link IpfsNodeOptions} to override.
 */
export async function startTemporaryNode(options: Partial<IpfsNodeOptions> = {}): Promise<TemporaryNode> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'medledger-ipfs-')));
  const node = await startIpfsNode({ apiPort: 0, gatewayPort: 0, shutdownGraceMs: 500, ...options, dataDir });
  return {
    node,
    client: createIpfsClient(node.apiUrl),
    dataDir,
    dispose: async () => {
      await node.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Deterministic pseudo-random bytes (xorshift32), so tests and reports name the same CIDs every run.
 *
 * @param size - Number of bytes.
 * @param seed - Any non-zero 32-bit seed.
 */
export function deterministicBytes(size: number, seed = 0x9e3779b9): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let state = seed >>> 0 || 1;
  for (let index = 0; index < words.length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    words[index] = state;
  }
  return new Uint8Array(words.buffer, 0, size);
}

/** The CIDs `ipfs_cid` prints: Kubo's default CIDv0 and the same DAG root written as CIDv1. */
export interface ReferenceCids {
  readonly CIDv0: string;
  readonly CIDv1: string;
}

/**
 * Computes Kubo's default CID of `bytes` with the independent Rust tool `ipfs_cid` (Debian package
 * `ipfs-cid`), which takes a file path and prints `{"CIDv0": …, "CIDv1": …}`.
 *
 * @throws when the tool is not installed, saying how to install it.
 */
export async function referenceCids(bytes: Uint8Array): Promise<ReferenceCids> {
  const dir = await mkdtemp(join(tmpdir(), 'medledger-ipfs-cid-'));
  const file = join(dir, 'content.bin');
  try {
    await writeFile(file, bytes);
    let output: string;
    try {
      output = execFileSync('ipfs_cid', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(
          'The CID compatibility test needs the `ipfs_cid` tool: install the Debian package `ipfs-cid` (sudo apt-get install -y ipfs-cid).',
          { cause: error },
        );
      }
      throw error;
    }
    return JSON.parse(output) as ReferenceCids;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
