/**
 * `/api/v0/add`: imports uploaded files exactly as Kubo's `ipfs add` would, within an upload limit.
 *
 * Blocks are written as they are imported, while the rest of the upload is still arriving, and are
 * not kept in memory: an upload of any size costs the node the same few buffers. The file is pinned
 * once all of it has been read. An upload that breaks the limit, fails half-way or is aborted by its
 * client has the blocks it wrote deleted again (nothing pinned, nothing left on disk) before the
 * error is answered; only a crash in between can leave unpinned blocks behind, which `repo/gc`
 * collects (as with Kubo).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphWalkerFactory } from 'helia';
import type { Blockstore } from 'interface-blockstore';
import { importer } from 'ipfs-unixfs-importer';
import { createUnsafe } from 'multiformats/block';
import type { CID } from 'multiformats/cid';
import { code as RAW_CODEC } from 'multiformats/codecs/raw';
import { kuboImporterOptions, parseChunker, type UnixfsParams } from '../cid';
import { addPin, linkWalker, type NodeContext } from './context';
import { badRequest, booleanParam, KuboApiError, KuboErrorCode, requestUrl } from './http';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart';

/** The `add` options that change what gets stored or answered. */
interface AddRequest {
  readonly params: UnixfsParams;
  readonly pin: boolean;
  readonly onlyHash: boolean;
  readonly progress: boolean;
}

/** One imported file, as reported in Kubo's add output. */
interface AddedFile {
  readonly name: string;
  readonly cid: CID;
  /** Cumulative DAG size (all blocks), which is what Kubo reports as `Size`. */
  readonly dagSize: bigint;
  /** Running byte counts of the file as it was read, for `progress=true`. */
  readonly progress: readonly bigint[];
}

/**
 * Options Kubo has that would change the resulting CID or where the file goes. Silently ignoring one
 * would hand back a CID that no Kubo node agrees with, so they are refused instead: the flags when
 * switched on, the valued options whenever present.
 */
const UNSUPPORTED_FLAGS = [
  'trickle',
  'wrap-with-directory',
  'inline',
  'nocopy',
  'fscache',
  'preserve-mode',
  'preserve-mtime',
];
const UNSUPPORTED_VALUES = ['mode', 'mtime', 'mtime-nsecs', 'to-files'];

/**
 * Reads the add options from the query string, with Kubo's defaults.
 *
 * @throws {@link KuboApiError} (400) for invalid or unsupported options.
 */
export function parseAddRequest(search: URLSearchParams): AddRequest {
  const unsupported = [
    ...UNSUPPORTED_FLAGS.filter((name) => booleanParam(search, name, false)),
    ...UNSUPPORTED_VALUES.filter((name) => search.has(name)),
  ];
  if (unsupported.length > 0) {
    throw badRequest(`option "${unsupported.join('", "')}" is not supported by the MedLedger IPFS node`);
  }
  const hash = search.get('hash') ?? 'sha2-256';
  if (hash !== 'sha2-256') throw badRequest(`hash function "${hash}" is not supported; only sha2-256 is`);

  const version = search.get('cid-version') ?? '0';
  if (version !== '0' && version !== '1') throw badRequest(`invalid cid-version ${JSON.stringify(version)}`);
  const cidVersion = version === '1' ? 1 : 0;
  // Kubo switches raw leaves on by default for CIDv1.
  const rawLeaves = booleanParam(search, 'raw-leaves', cidVersion === 1);
  if (cidVersion === 0 && rawLeaves)
    throw badRequest('raw-leaves requires cid-version=1: CIDv0 cannot address raw blocks');

  const chunker = search.get('chunker') ?? 'size-262144';
  const chunkSize = parseChunker(chunker);
  if (chunkSize === undefined) {
    throw badRequest(`chunker "${chunker}" is not supported; use size-N with N between 1 and 1048576`);
  }
  return {
    params: { cidVersion, rawLeaves, chunkSize },
    pin: booleanParam(search, 'pin', true),
    onlyHash: booleanParam(search, 'only-hash', false),
    progress: booleanParam(search, 'progress', false),
  };
}

function uploadTooLarge(maxUploadBytes: number): KuboApiError {
  return new KuboApiError(
    `upload exceeds this node's limit of ${maxUploadBytes} bytes (${(maxUploadBytes / 1_048_576).toFixed(1)} MiB); nothing was stored`,
    413,
    KuboErrorCode.client,
  );
}

/** The request body, failing as soon as more than `maxBytes` have arrived. */
async function* limitedBody(req: IncomingMessage, maxBytes: number): AsyncGenerator<Uint8Array> {
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw uploadTooLarge(maxBytes);
    yield chunk;
  }
}

/** Writes a block the store does not hold yet; `true` if it was written. */
async function putIfMissing(blockstore: Blockstore, cid: CID, bytes: Uint8Array): Promise<boolean> {
  if (await blockstore.has(cid)) return false;
  await blockstore.put(cid, bytes);
  return true;
}

/** Block writes one upload keeps in flight while it is still being read. */
const WRITES_IN_FLIGHT = 16;

/**
 * An upload's blocks. Each is written to the blockstore as soon as the importer produces it, so the
 * disk works while the rest of the upload is still arriving, and then dropped from memory: only its
 * CID and the CIDs it links to are kept, for pinning. An imaging study of 2 GiB therefore costs the
 * node a few hundred kilobytes, not 2 GiB.
 *
 * Until the upload is committed (pinned) or abandoned, its blocks are held in
 * {@link NodeContext.uploadsInFlight}, so `repo/gc` and the clean-up of another, failed upload leave
 * them on disk.
 */
class StagedBlocks {
  /** Every block of the upload, in the order written, with the CIDs it links to. */
  readonly links = new Map<string, { cid: CID; links: readonly CID[] }>();
  /** Blocks this upload wrote that the store did not hold before: what {@link discard} removes. */
  private readonly created: CID[] = [];
  private readonly writing = new Set<Promise<void>>();
  private writeError: unknown;
  private released = false;
  /** The node's deletion count when the upload started; a commit re-checks its blocks if it moved. */
  readonly deletionsAtStart: number;

  /** @param context - The node to write to; `undefined` to only compute CIDs (`only-hash`). */
  constructor(private readonly context: NodeContext | undefined) {
    this.deletionsAtStart = context?.blockDeletions.count ?? 0;
  }

  async put(cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<CID> {
    // The importer always hands over whole blocks.
    if (!(bytes instanceof Uint8Array)) throw new Error('expected a whole block from the importer');
    const key = cid.toString();
    const context = this.context;
    if (context === undefined || this.links.has(key)) return cid;
    this.links.set(key, { cid, links: await linksOf(context, cid, bytes) });
    // Held before it is written, so that a collection running meanwhile never takes it.
    context.uploadsInFlight.hold(cid);
    const write = this.write(context.blockstore, cid, bytes).finally(() => this.writing.delete(write));
    this.writing.add(write);
    // Backpressure: read on only as fast as the disk takes the blocks.
    if (this.writing.size >= WRITES_IN_FLIGHT) await Promise.race(this.writing);
    return cid;
  }

  private async write(blockstore: Blockstore, cid: CID, bytes: Uint8Array): Promise<void> {
    try {
      if (await putIfMissing(blockstore, cid, bytes)) this.created.push(cid);
    } catch (error) {
      this.writeError ??= error;
    }
  }

  /** Waits for every write; throws the first that failed. */
  async settle(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing);
    if (this.writeError !== undefined) throw this.writeError;
  }

  /** Every block of the upload. */
  cids(): CID[] {
    return [...this.links.values()].map(({ cid }) => cid);
  }

  /**
   * Fails when a block of the upload is no longer on disk. A block the upload found already stored
   * (left by an earlier upload, unpinned) can be collected by a `repo/gc` that had listed it just
   * before the upload claimed it; the bytes are gone from memory, so the upload cannot be committed.
   * Checked only when some block was deleted while the upload was in flight.
   */
  async assertStored(): Promise<void> {
    const context = this.context;
    if (context === undefined || context.blockDeletions.count === this.deletionsAtStart) return;
    for (const cid of this.cids()) {
      if (!(await context.blockstore.has(cid))) {
        throw new KuboApiError(
          `block ${cid.toString()} of this upload was deleted (repo/gc) while the upload was in flight; nothing was stored, add the file again`,
          409,
          KuboErrorCode.normal,
        );
      }
    }
  }

  /** Lets `repo/gc` and failed uploads' clean-ups delete this upload's blocks again (once pinned, or gone). */
  release(): void {
    const context = this.context;
    if (context === undefined || this.released) return;
    this.released = true;
    for (const { cid } of this.links.values()) context.uploadsInFlight.release(cid);
  }

  /**
   * Deletes the blocks this upload created, except those a pin now holds or another upload still in
   * flight holds (it found them stored and did not write them itself). Runs under the commit lock.
   */
  async discard(): Promise<void> {
    const context = this.context;
    if (context === undefined) return;
    await this.settle().catch(() => undefined);
    this.release();
    await context.commitLock.run(async () => {
      for (const cid of this.created) {
        if (context.uploadsInFlight.isHeld(cid) || (await context.helia.pins.isPinned(cid))) continue;
        await context.blockstore.delete(cid);
        context.blockDeletions.count += 1;
      }
    });
  }

  /** Walks a DAG of this upload over the links recorded as its blocks were written: no disk reads. */
  walker(): GraphWalkerFactory {
    return linkWalker((cid) => this.links.get(cid.toString())?.links);
  }
}

/** The CIDs a block links to: none for a `raw` leaf, the decoded links of a dag-pb node. */
async function linksOf(context: NodeContext, cid: CID, bytes: Uint8Array): Promise<CID[]> {
  if (cid.code === RAW_CODEC) return [];
  const block = createUnsafe({ cid, bytes, codec: await context.helia.getCodec(cid.code) });
  return [...block.links()].map(([, child]) => child);
}

/** Kubo clients URI-encode file names; a name that is not valid encoding is kept as sent. */
function decodeFilename(filename: string): string {
  try {
    return decodeURIComponent(filename);
  } catch {
    return filename;
  }
}

async function importUpload(req: IncomingMessage, request: AddRequest, context: NodeContext, staged: StagedBlocks) {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (boundary === undefined) throw badRequest('file argument "path" is required (send multipart/form-data)');

  const added: AddedFile[] = [];
  for await (const part of parseMultipart(limitedBody(req, context.maxUploadBytes), boundary)) {
    const type = part.headers.get('content-type') ?? 'application/octet-stream';
    if (type === 'application/x-directory' || type === 'application/symlink') {
      throw badRequest('directories and symlinks are not supported by the MedLedger IPFS node; add files one by one');
    }
    const progress: bigint[] = [];
    const options = {
      ...kuboImporterOptions(request.params),
      onProgress: (event: { type: string; detail: unknown }) => {
        if (event.type === 'unixfs:importer:progress:file:read') {
          progress.push((event.detail as { bytesRead: bigint }).bytesRead);
        }
      },
    };
    for await (const entry of importer([{ content: part.body }], staged, options)) {
      // Kubo names an unnamed upload after its CID.
      const name =
        part.filename === undefined || part.filename === '' ? entry.cid.toString() : decodeFilename(part.filename);
      added.push({ name, cid: entry.cid, dagSize: entry.size, progress });
    }
  }
  if (added.length === 0) throw badRequest('file argument "path" is required');
  return added;
}

/** An imported upload waiting for its blocks to be written and pinned. */
interface PendingCommit {
  readonly added: readonly AddedFile[];
  readonly staged: StagedBlocks;
  readonly pin: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/** Per node: uploads that finished importing while a commit held the lock, committed together next. */
const waitingCommits = new WeakMap<NodeContext, PendingCommit[]>();

/**
 * Writes an upload's blocks and pins it, under the commit lock. Uploads that arrive while a commit
 * holds the lock are committed together: a small record costs a dozen file operations one after the
 * other, so committing them one at a time left the disk idle and capped parallel uploads at the
 * speed of one.
 */
function commit(added: readonly AddedFile[], staged: StagedBlocks, pin: boolean, context: NodeContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const pending: PendingCommit = { added, staged, pin, resolve, reject };
    const waiting = waitingCommits.get(context);
    if (waiting !== undefined) {
      waiting.push(pending);
      return;
    }
    waitingCommits.set(context, [pending]);
    void context.commitLock.run(async () => {
      const batch = waitingCommits.get(context) ?? [];
      waitingCommits.delete(context);
      await commitBatch(batch, context);
    });
  });
}

/**
 * Pins the uploads of a batch, whose blocks are already written. Helia updates each block's pin
 * record read-modify-write, so only uploads that share no block are pinned concurrently; the others
 * wait for a later wave.
 */
async function commitBatch(batch: readonly PendingCommit[], context: NodeContext): Promise<void> {
  const waves: { blocks: Set<string>; commits: PendingCommit[] }[] = [];
  for (const pending of batch) {
    if (!pending.pin) {
      pending.resolve();
      continue;
    }
    // Keyed by multihash, as Helia keys its block pin records.
    const keys = pending.staged.cids().map((cid) => Buffer.from(cid.multihash.bytes).toString('hex'));
    let wave = waves.find((candidate) => keys.every((key) => !candidate.blocks.has(key)));
    if (wave === undefined) {
      wave = { blocks: new Set(), commits: [] };
      waves.push(wave);
    }
    for (const key of keys) wave.blocks.add(key);
    wave.commits.push(pending);
  }
  for (const wave of waves) {
    await Promise.all(
      wave.commits.map(async (pending) => {
        try {
          // A pin never lands without its blocks.
          await pending.staged.assertStored();
          const blocks = pending.staged.cids();
          for (const file of pending.added) await addPin(context, file.cid, true, pending.staged.walker(), blocks);
          pending.resolve();
        } catch (error) {
          pending.reject(error);
        }
      }),
    );
  }
}

function outputLines(added: readonly AddedFile[], progress: boolean): string {
  const lines: unknown[] = [];
  for (const file of added) {
    if (progress) for (const bytes of file.progress) lines.push({ Name: file.name, Bytes: Number(bytes) });
    lines.push({ Name: file.name, Hash: file.cid.toString(), Size: file.dagSize.toString() });
  }
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}

/**
 * Handles `POST /api/v0/add`: multipart files in, one ndjson line per file out
 * (`{"Name","Hash","Size"}`, preceded by `{"Name","Bytes"}` lines when `progress=true`).
 *
 * @throws {@link KuboApiError} 400 for bad options or bodies, 413 when the upload is over the limit.
 */
export async function handleAdd(req: IncomingMessage, res: ServerResponse, context: NodeContext): Promise<void> {
  const request = parseAddRequest(requestUrl(req).searchParams);
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  if (declaredLength > context.maxUploadBytes) throw uploadTooLarge(context.maxUploadBytes);

  const staged = new StagedBlocks(request.onlyHash ? undefined : context);
  let added: AddedFile[];
  try {
    added = await importUpload(req, request, context, staged);
    await staged.settle();
    if (!request.onlyHash) await commit(added, staged, request.pin, context);
    staged.release();
  } catch (error) {
    // The blocks a failed upload wrote are deleted before the error is answered.
    await staged.discard().catch(() => undefined);
    if (error instanceof MultipartError) throw badRequest(`malformed multipart body: ${error.message}`);
    throw error;
  }

  const body = outputLines(added, request.progress);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Chunked-Output': '1',
  });
  res.end(body);
}
