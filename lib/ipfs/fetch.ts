/**
 * Reading content back from IPFS without trusting the node that serves it.
 */
import { sha256Digest } from '../crypto/aead';
import { IntegrityError, ValidationError } from '../errors';
import { computeCid, KUBO_DEFAULT_UNIXFS, MEDLEDGER_UNIXFS, parseCid, type UnixfsParams } from './cid';
import { toIpfsError, type KuboRPCClient } from './client';

/** Options of {@link fetchVerified}. */
export interface FetchVerifiedOptions {
  /**
   * Parameters the content was added with. Defaults to Kubo's defaults for a CIDv0 and to MedLedger's
   * ({@link MEDLEDGER_UNIXFS}) for a CIDv1.
   */
  readonly params?: UnixfsParams;
  readonly signal?: AbortSignal;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
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
 * @param client - RPC client of the IPFS node.
 * @param cid - CID string of the file.
 * @param expectedSha256Hex - Hex SHA-256 of the ciphertext (64 characters, no `0x`), if anchored separately.
 * @param options - Add parameters and abort signal.
 * @throws {@link IntegrityError} when either check fails.
 * @throws {@link NotFoundError} when the node does not have the content.
 * @throws {@link ServiceUnavailableError} when the node cannot be reached or fails.
 * @throws {@link ValidationError} when `cid` or `expectedSha256Hex` is malformed.
 */
export async function fetchVerified(
  client: KuboRPCClient,
  cid: string,
  expectedSha256Hex?: string,
  options: FetchVerifiedOptions = {},
): Promise<Uint8Array> {
  const root = parseCid(cid);
  const expectedHash = expectedSha256Hex?.toLowerCase();
  if (expectedHash !== undefined && !SHA256_HEX.test(expectedHash)) {
    throw new ValidationError([
      { path: 'expectedSha256Hex', message: `expected 64 hex characters, got ${JSON.stringify(expectedSha256Hex)}` },
    ]);
  }
  const params = options.params ?? (root.version === 0 ? KUBO_DEFAULT_UNIXFS : MEDLEDGER_UNIXFS);

  const pieces: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const piece of client.cat(root, { signal: options.signal })) {
      pieces.push(piece);
      length += piece.length;
    }
  } catch (error) {
    throw toIpfsError(client, `cat ${cid}`, error);
  }
  const bytes = concat(pieces, length);

  const recomputed = await computeCid(bytes, params);
  if (!parseCid(recomputed).equals(root)) {
    throw new IntegrityError(
      `The ${length} bytes served for ${cid} hash to ${recomputed}: the IPFS node returned content that is not what the CID names`,
    );
  }
  if (expectedHash === undefined) return bytes;
  const actualHash = toHex(await sha256Digest(bytes));
  if (actualHash !== expectedHash) {
    throw new IntegrityError(
      `The content of ${cid} has SHA-256 ${actualHash}, but the anchored ciphertext hash is ${expectedHash}: the CID does not belong to this record`,
    );
  }
  return bytes;
}
