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
  /** The size of the whole upload, when it is known in advance. */
  readonly totalBytes: number | undefined;
}

/** Options of {@link addBytes} and {@link addStream}. */
export interface AddBytesOptions {
  /** Called as the bytes are streamed to the node, once per piece (and once for empty content). */
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly signal?: AbortSignal;
}

/** Options of {@link addStream}. */
export interface AddStreamOptions extends AddBytesOptions {
  /** Size of the whole stream, if known, for progress. */
  readonly totalBytes?: number;
}

/**
 * Pieces handed from one reader to another, in order; the reader waits while the queue is empty, and
 * the writer while it holds {@link PieceQueue.limitBytes} or more, so a CID computation that falls
 * behind the upload (a busy machine) slows the upload down instead of piling the file up in memory.
 */
class PieceQueue implements AsyncIterable<Uint8Array> {
  private readonly pieces: Uint8Array[] = [];
  private queuedBytes = 0;
  private ended = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(private readonly limitBytes = 8 * 1_048_576) {}

  /** Queues `piece`, first waiting until the reader has caught up to below the limit. */
  async push(piece: Uint8Array): Promise<void> {
    while (this.queuedBytes >= this.limitBytes && !this.ended) {
      await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    }
    // Ended: the reader is gone (done, or failed), so nothing more is kept for it.
    if (this.ended) return;
    this.pieces.push(piece);
    this.queuedBytes += piece.length;
    this.wakeReader = wake(this.wakeReader);
  }

  end(): void {
    this.ended = true;
    this.wakeReader = wake(this.wakeReader);
    this.wakeWriter = wake(this.wakeWriter);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const piece = this.pieces.shift();
      if (piece !== undefined) {
        this.queuedBytes -= piece.length;
        this.wakeWriter = wake(this.wakeWriter);
        yield piece;
      } else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }
}

/** Calls a waiting side's resolver, if any; returns what the slot holds afterwards (nothing). */
function wake(resolve: (() => void) | undefined): undefined {
  resolve?.();
  return undefined;
}

/**
 * Adds a stream of bytes as one pinned file (CIDv1, sha2-256, 256 KiB chunks, raw leaves) while
 * computing, from the same pieces as they go by, the CID those parameters give; the node's answer
 * must match it, since a node that ignored the parameters would store the data under an address no
 * other node agrees on. Nothing is held whole: a large file can be encrypted straight into the upload.
 *
 * @param client - RPC client of the IPFS node.
 * @param source - The content, piece by piece; read once, to the end.
 * @param options - Total size and progress callback, abort signal.
 * @returns The CIDv1 string (`bafk…` for one chunk, `bafy…` above 256 KiB).
 * @throws {@link IntegrityError} when the node returns a different CID (its pin is removed again).
 * @throws {@link ServiceUnavailableError} when the node cannot be reached or fails.
 * @throws whatever `source` throws, after the upload has been abandoned.
 */
export async function addStream(
  client: KuboRPCClient,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AddStreamOptions = {},
): Promise<string> {
  const queue = new PieceQueue();
  const expectedCid = computeCid(queue, MEDLEDGER_UNIXFS);
  // Settled below in every case; this keeps an abandoned computation from being reported unhandled,
  // and a failed one from holding the upload back (its error is the one awaited below).
  expectedCid.catch(() => queue.end());
  let loadedBytes = 0;
  let sourceError: { error: unknown } | undefined;
  const pieces = async function* (): AsyncGenerator<Uint8Array> {
    try {
      for await (const piece of source) {
        if (piece.length === 0) continue;
        await queue.push(piece);
        yield piece;
        loadedBytes += piece.length;
        options.onProgress?.({ loadedBytes, totalBytes: options.totalBytes });
      }
    } catch (error) {
      // The HTTP client reports a failing body as its own abort; remember what really went wrong.
      sourceError = { error };
      throw error;
    }
    if (loadedBytes === 0) options.onProgress?.({ loadedBytes: 0, totalBytes: options.totalBytes });
  };
  let added: CID;
  try {
    const result = IN_BROWSER
      ? await client.add(await piecewiseBlob(pieces()), {
          cidVersion: MEDLEDGER_UNIXFS.cidVersion,
          rawLeaves: MEDLEDGER_UNIXFS.rawLeaves,
          chunker: `size-${MEDLEDGER_UNIXFS.chunkSize}`,
          hashAlg: 'sha2-256',
          pin: true,
          signal: options.signal,
        })
      : { cid: await addStreaming(client, pieces(), options.signal) };
    added = result.cid;
  } catch (error) {
    if (sourceError !== undefined) throw sourceError.error;
    throw toIpfsError(client, `add ${loadedBytes} bytes`, error);
  } finally {
    queue.end();
  }
  if (sourceError !== undefined) {
    // The node stored what it got before the source failed; it is not what the caller meant to add.
    await unpin(client, added.toString()).catch(() => false);
    throw sourceError.error;
  }
  const expected = await expectedCid;
  if (!added.equals(CID.parse(expected))) {
    const mismatch = new IntegrityError(
      `IPFS node stored ${loadedBytes} bytes as ${added.toString()}, but CIDv1/raw-leaves/256 KiB chunks give ${expected}: the node does not honour MedLedger's add parameters`,
    );
    // Leave nothing pinned under an address nobody else would compute; the mismatch stays the error
    // to report even if this clean-up fails as well.
    await unpin(client, added.toString()).catch(() => false);
    throw mismatch;
  }
  return expected;
}

/**
 * Browsers: kubo-rpc-client's browser build collects an iterable upload into an array of its pieces
 * before it sends any, which would hold a whole imaging study in the page's memory. Wrapped one by
 * one into Blobs, the pieces move out of the page into the browser's blob store (which spills large
 * blobs to disk) as they are encrypted; the upload then sends them from there.
 */
const IN_BROWSER = typeof window !== 'undefined' && typeof document !== 'undefined';

async function piecewiseBlob(pieces: AsyncIterable<Uint8Array>): Promise<Blob> {
  const parts: Blob[] = [];
  for await (const piece of pieces) parts.push(new Blob([piece as Uint8Array<ArrayBuffer>]));
  return new Blob(parts, { type: 'application/octet-stream' });
}

/** A refusal by the node, shaped as kubo-rpc-client's own so {@link toIpfsError} reads it the same way. */
class HTTPError extends Error {
  override name = 'HTTPError';

  constructor(
    message: string,
    readonly response: Response,
  ) {
    super(message);
  }
}

/**
 * Node.js: `add` as one multipart POST whose body is pulled piece by piece as the connection takes
 * it, with MedLedger's parameters. Not kubo-rpc-client's `add`: its fetch may follow redirects, for
 * which undici keeps a copy of the whole request body until the answer comes — an imaging study's
 * size in memory. With redirects refused, nothing is kept once sent.
 */
async function addStreaming(
  client: KuboRPCClient,
  pieces: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<CID> {
  const { protocol, host, port, pathname } = client.getEndpointConfig();
  const search = new URLSearchParams({
    'stream-channels': 'true',
    'cid-version': String(MEDLEDGER_UNIXFS.cidVersion),
    'raw-leaves': String(MEDLEDGER_UNIXFS.rawLeaves),
    chunker: `size-${MEDLEDGER_UNIXFS.chunkSize}`,
    hash: 'sha2-256',
    pin: 'true',
    progress: 'false',
  });
  const url = `${protocol}//${host}${port === '' ? '' : `:${port}`}${pathname}/add?${search.toString()}`;
  const boundary = `medledger-${globalThis.crypto.randomUUID()}`;
  const encoder = new TextEncoder();
  const parts = (async function* () {
    yield encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    yield* pieces;
    yield encoder.encode(`\r\n--${boundary}--\r\n`);
  })();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await parts.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await parts.return(undefined);
      },
    },
    // Pull a piece only when the connection asks for one.
    { highWaterMark: 0 },
  );
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
    redirect: 'error',
    signal,
  } as RequestInit);
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { Message?: string }).Message ?? text;
    } catch {
      // Not a Kubo error body; its text is the message.
    }
    throw new HTTPError(message, response);
  }
  const last = text.trim().split('\n').at(-1) ?? '';
  try {
    return CID.parse((JSON.parse(last) as { Hash: string }).Hash);
  } catch (error) {
    throw new Error(`the IPFS node answered add with ${JSON.stringify(last.slice(0, 200))}, not a CID`, {
      cause: error,
    });
  }
}

/** `bytes` in upload-sized pieces, so progress is reported as they are sent. */
function* inPieces(bytes: Uint8Array): Generator<Uint8Array> {
  const pieceSize = MEDLEDGER_UNIXFS.chunkSize;
  for (let offset = 0; offset < bytes.length; offset += pieceSize) yield bytes.subarray(offset, offset + pieceSize);
}

/**
 * Adds `bytes` as one pinned file; see {@link addStream}.
 *
 * @param client - RPC client of the IPFS node.
 * @param bytes - The content, typically an encrypted record envelope.
 * @param options - Progress callback and abort signal.
 * @returns The CIDv1 string (`bafk…` for one chunk, `bafy…` above 256 KiB).
 * @throws {@link IntegrityError} when the node returns a different CID (its pin is removed again).
 * @throws {@link ServiceUnavailableError} when the node cannot be reached or fails.
 */
export function addBytes(client: KuboRPCClient, bytes: Uint8Array, options: AddBytesOptions = {}): Promise<string> {
  return addStream(client, inPieces(bytes), { ...options, totalBytes: bytes.length });
}
