/**
 * Reading content back from IPFS without trusting the node that serves it.
 */
import type { CID } from 'multiformats/cid';

import { sha256Digest } from '../crypto/aead';
import { IntegrityError, ValidationError, type ValidationIssue } from '../errors';
import type { BlobCache } from './blob-cache';
import { computeCid, KUBO_DEFAULT_UNIXFS, MEDLEDGER_UNIXFS, parseCid, type UnixfsParams } from './cid';
import { toIpfsError, type KuboRPCClient } from './client';

/**
 * Default bound of {@link fetchVerified}: record envelopes, keyrings, profiles and model cards are
 * small, and the web app stores nothing larger than its proxy's 25 MiB uploads, so everything it
 * writes stays readable under this bound.
 */
export const MAX_ENVELOPE_BYTES = 32 * 1_048_576;

/** The bound for attachments (`MLFS` files), which callers pass as `maxBytes` when they fetch one. */
export const MAX_ATTACHMENT_BYTES = 2 * 1_073_741_824;

/** Options of {@link fetchVerified}. */
export interface FetchVerifiedOptions {
  /**
   * Parameters the content was added with. Defaults to Kubo's defaults for a CIDv0 and to MedLedger's
   * ({@link MEDLEDGER_UNIXFS}) for a CIDv1.
   */
  readonly params?: UnixfsParams;
  /**
   * Most bytes the content may have; the read stops as soon as the node sends more, so a node (or an
   * author) cannot make the reader hold more than this. Default {@link MAX_ENVELOPE_BYTES}; pass
   * {@link MAX_ATTACHMENT_BYTES} for an attachment.
   */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  /**
   * Content kept from earlier reads (./blob-cache). A cached blob is verified exactly like the node's
   * answer; one that fails is dropped and fetched again. What the node sends is kept once verified.
   */
  readonly cache?: BlobCache;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

function concat(pieces: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const whole = new Uint8Array(length);
  let offset = 0;
  for (const piece of pieces) {
    whole.set(piece, offset);
    offset += piece.length;
  }
  return whole;
}

/**
 * Fetches the file behind `cid` and returns its bytes only after checking that (1) they re-hash to
 * `cid` with the parameters it was added with and (2) their SHA-256 equals the ciphertext hash
 * anchored on-chain. (1) catches a node that serves other bytes, (2) a CID swapped for another valid
 * one; either way nothing unverified reaches decryption.
 *
 * Omit `expectedSha256Hex` only when the CID itself is the anchor, i.e. it was read from the chain or
 * from an envelope that was already authenticated: then check (1) alone proves the bytes.
 *
 * With `options.cache`, a blob kept from an earlier read is served without asking the node, after the
 * same two checks.
 *
 * @param client - RPC client of the IPFS node.
 * @param cid - CID string of the file.
 * @param expectedSha256Hex - Hex SHA-256 of the ciphertext (64 characters, no `0x`), if anchored separately.
 * @param options - Add parameters, size bound, abort signal and cache.
 * @throws {@link IntegrityError} when either check fails, or the content exceeds `maxBytes`.
 * @throws {@link NotFoundError} when the node does not have the content.
 * @throws {@link ServiceUnavailableError} when the node cannot be reached or fails.
 * @throws {@link ValidationError} when `cid`, `expectedSha256Hex` or `maxBytes` is malformed.
 */
export async function fetchVerified(
  client: KuboRPCClient,
  cid: string,
  expectedSha256Hex?: string,
  options: FetchVerifiedOptions = {},
): Promise<Uint8Array> {
  const root = parseCid(cid);
  const expectedHash = expectedSha256Hex?.toLowerCase();
  const maxBytes = options.maxBytes ?? MAX_ENVELOPE_BYTES;
  const issues: ValidationIssue[] = [];
  if (expectedHash !== undefined && !SHA256_HEX.test(expectedHash)) {
    issues.push({
      path: 'expectedSha256Hex',
      message: `expected 64 hex characters, got ${JSON.stringify(expectedSha256Hex)}`,
    });
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    issues.push({ path: 'maxBytes', message: `expected a whole number of bytes, got ${maxBytes}` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const params = options.params ?? (root.version === 0 ? KUBO_DEFAULT_UNIXFS : MEDLEDGER_UNIXFS);
  const key = root.toString();
  const { cache } = options;

  if (cache) {
    const cached = await cache.get(key).catch(() => undefined);
    if (cached && cached.length <= maxBytes && !(await verificationFailure(cached, root, cid, params, expectedHash))) {
      return cached;
    }
    if (cached) await cache.delete(key).catch(() => undefined);
  }

  const pieces: Uint8Array[] = [];
  let length = 0;
  let exceeded = false;
  // Ends the response once the bound is passed: leaving the loop alone need not stop the node's stream.
  const done = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, done.signal]) : done.signal;
  try {
    for await (const piece of client.cat(root, { signal })) {
      exceeded = length + piece.length > maxBytes;
      if (exceeded) break;
      pieces.push(piece);
      length += piece.length;
    }
  } catch (error) {
    throw toIpfsError(client, `cat ${cid}`, error);
  } finally {
    done.abort();
  }
  if (exceeded) {
    throw new IntegrityError(
      `The IPFS node sent more than ${maxBytes} bytes (${mebibytes(maxBytes)}) for ${cid}, the most this read accepts, so it was stopped there; nothing of it was verified or decrypted`,
    );
  }
  const bytes = concat(pieces, length);
  const failure = await verificationFailure(bytes, root, cid, params, expectedHash);
  if (failure) throw failure;
  // Not awaited: keeping a copy must not delay the read, nor fail it.
  void cache?.put(key, bytes).catch(() => undefined);
  return bytes;
}

/**
 * Why `bytes` are not the content `cid` names, or not the anchored ciphertext: (1) they must re-hash to
 * `root` with the parameters it was added with, (2) their SHA-256 must equal `expectedHash` when given.
 */
async function verificationFailure(
  bytes: Uint8Array,
  root: CID,
  cid: string,
  params: UnixfsParams,
  expectedHash: string | undefined,
): Promise<IntegrityError | undefined> {
  const recomputed = await computeCid(bytes, params);
  if (!parseCid(recomputed).equals(root)) {
    return new IntegrityError(
      `The ${bytes.length} bytes served for ${cid} hash to ${recomputed}: the IPFS node returned content that is not what the CID names`,
    );
  }
  if (expectedHash === undefined) return undefined;
  const actualHash = toHex(await sha256Digest(bytes));
  if (actualHash !== expectedHash) {
    return new IntegrityError(
      `The content of ${cid} has SHA-256 ${actualHash}, but the anchored ciphertext hash is ${expectedHash}: the CID does not belong to this record`,
    );
  }
  return undefined;
}
