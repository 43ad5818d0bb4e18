/**
 * Streaming encryption of large attachments (PDF, imaging, DICOM) in independently authenticated
 * segments, so neither side holds the whole file to encrypt or verify it.
 *
 * Format `MLFS` v1:
 *   magic "MLFS" | version 1 | context (45) | attachment index u8 | log2 segment size u8 |
 *   nonce base (12) | key commitment (32) | segments
 * Each segment is AES-256-GCM(plaintext segment) ‖ tag; every segment but the last holds exactly
 * `segment size` plaintext bytes. Segment i uses nonce = base XOR i and associated data
 * header ‖ i ‖ final flag, so reordering, dropping, truncating at a segment boundary or appending
 * segments all fail authentication (the STREAM construction).
 *
 * The file key is HKDF(data key of the record version, context ‖ index): an attachment belongs to its
 * DocumentReference record, and whoever can open that record can open its attachments.
 */
import { IntegrityError, ValidationError } from '../errors';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  deriveKey,
  importAesKey,
  IV_LENGTH,
  KEY_LENGTH,
  randomBytes,
  TAG_LENGTH,
} from './aead';
import { ByteReader, ByteWriter, concatBytes, equalBytes, magicBytes, wipe } from './bytes';
import { CONTEXT_LENGTH, checkContext, encodeContext, readContext, type RecordContext } from './context';

const MAGIC = magicBytes('MLFS');
const VERSION = 1;
const FILE_KEY_SALT = magicBytes('MedLedger attachment v1');
const COMMIT_SALT = magicBytes('MedLedger attachment commitment v1');
/** Segments in flight at once: WebCrypto runs them on worker threads, so a few overlap usefully. */
const PARALLEL_SEGMENTS = 4;

/** Byte length of an `MLFS` header: the prefix of an encrypted file {@link checkFileHeader} needs. */
export const FILE_HEADER_LENGTH = 4 + 1 + CONTEXT_LENGTH + 1 + 1 + IV_LENGTH + KEY_LENGTH;

/** Default segment size: 1 MiB (fastest on WebCrypto; 16 bytes of overhead per MiB). */
export const DEFAULT_SEGMENT_LOG2 = 20;
const MIN_SEGMENT_LOG2 = 12;
const MAX_SEGMENT_LOG2 = 24;

/** Anything a file can be read from, in the browser or in Node (`fs.openAsBlob`, streams). */
export type ByteSource = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Progress of a long encryption or decryption. `totalBytes` is known for byte arrays and Blobs. */
export interface FileProgress {
  readonly bytesDone: number;
  readonly totalBytes: number | undefined;
}

/** Options of {@link encryptFileStream}. */
export interface EncryptFileOptions {
  /** Which attachment of the record this is (0 for the first); part of the key derivation. */
  readonly attachmentIndex?: number;
  /** log2 of the segment size, 12..24 (default 20 = 1 MiB). */
  readonly segmentLog2?: number;
  /** Size of the plaintext when the source cannot tell (streams), for progress reports. */
  readonly totalBytes?: number;
  readonly onProgress?: (progress: FileProgress) => void;
}

/** Options of {@link decryptFileStream}. */
export interface DecryptFileOptions {
  /** The record the attachment must belong to (from its opened DocumentReference envelope). */
  readonly expected?: Partial<RecordContext>;
  readonly attachmentIndex?: number;
  readonly onProgress?: (progress: FileProgress) => void;
}

/**
 * The size of a source when it can tell without being read: byte arrays and Blobs.
 * @param source - the bytes, Blob, stream or iterable
 */
export function sourceSize(source: ByteSource): number | undefined {
  if (source instanceof Uint8Array) return source.length;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source.size;
  return undefined;
}

/**
 * The bytes of any {@link ByteSource} as chunks (Blobs are read in slices, never whole).
 * @param source - bytes, Blob, ReadableStream or async iterable
 * @param blobSliceSize - bytes per Blob slice
 */
export async function* byteChunks(source: ByteSource, blobSliceSize = 1 << 20): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
  } else if (typeof Blob !== 'undefined' && source instanceof Blob) {
    for (let offset = 0; offset < source.size; offset += blobSliceSize) {
      yield new Uint8Array(await source.slice(offset, offset + blobSliceSize).arrayBuffer());
    }
  } else if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    // getReader rather than async iteration: not every browser makes ReadableStream iterable.
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* source as AsyncIterable<Uint8Array>;
  }
}

/** Reads exact amounts from a chunked source; shorter reads happen only at the end. */
class ExactReader {
  private buffered: Uint8Array[] = [];
  private bufferedLength = 0;
  private done = false;
  private readonly chunks: AsyncIterator<Uint8Array>;

  constructor(source: ByteSource, sliceSize: number) {
    this.chunks = byteChunks(source, sliceSize)[Symbol.asyncIterator]();
  }

  async read(length: number): Promise<Uint8Array> {
    while (this.bufferedLength < length && !this.done) {
      const next = await this.chunks.next();
      if (next.done) {
        this.done = true;
      } else if (next.value.length > 0) {
        this.buffered.push(next.value);
        this.bufferedLength += next.value.length;
      }
    }
    const first = this.buffered[0];
    if (first && first.length >= length) {
      // Common case (byte arrays, Blob slices): hand out a view without copying.
      const out = first.subarray(0, length);
      if (first.length === length) this.buffered.shift();
      else this.buffered[0] = first.subarray(length);
      this.bufferedLength -= out.length;
      return out;
    }
    const all = concatBytes(...this.buffered);
    const out = all.subarray(0, Math.min(length, all.length));
    const rest = all.subarray(out.length);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.bufferedLength = rest.length;
    return out;
  }
}

function fileKeyFor(dataKey: Uint8Array, context: Uint8Array, attachmentIndex: number): Uint8Array {
  return deriveKey(dataKey, FILE_KEY_SALT, concatBytes(context, Uint8Array.of(attachmentIndex)));
}

function nonceFor(base: Uint8Array, index: number): Uint8Array {
  const nonce = new Uint8Array(base);
  const view = new DataView(nonce.buffer);
  view.setUint32(IV_LENGTH - 4, view.getUint32(IV_LENGTH - 4) ^ index);
  return nonce;
}

function segmentAad(header: Uint8Array, index: number, final: boolean): Uint8Array {
  return new ByteWriter()
    .bytes(header)
    .u32(index)
    .u8(final ? 1 : 0)
    .finish();
}

function checkIndex(attachmentIndex: number): void {
  if (!Number.isInteger(attachmentIndex) || attachmentIndex < 0 || attachmentIndex > 255) {
    throw new ValidationError([{ path: 'attachmentIndex', message: 'must be an integer 0..255' }]);
  }
}

/**
 * Encrypts a file segment by segment, yielding the header and then each sealed segment.
 * @param source - the plaintext
 * @param dataKey - the data key of the record version the file belongs to
 * @param context - that record's context
 * @param options - attachment index, segment size, progress callback
 */
export async function* encryptFileStream(
  source: ByteSource,
  dataKey: Uint8Array,
  context: RecordContext,
  options: EncryptFileOptions = {},
): AsyncGenerator<Uint8Array> {
  const attachmentIndex = options.attachmentIndex ?? 0;
  const segmentLog2 = options.segmentLog2 ?? DEFAULT_SEGMENT_LOG2;
  checkIndex(attachmentIndex);
  if (!Number.isInteger(segmentLog2) || segmentLog2 < MIN_SEGMENT_LOG2 || segmentLog2 > MAX_SEGMENT_LOG2) {
    throw new ValidationError([{ path: 'segmentLog2', message: `must be ${MIN_SEGMENT_LOG2}..${MAX_SEGMENT_LOG2}` }]);
  }
  if (dataKey.length !== KEY_LENGTH) throw new ValidationError([{ path: 'dataKey', message: 'must be 32 bytes' }]);
  const encodedContext = encodeContext(context);
  const segmentSize = 2 ** segmentLog2;
  const totalBytes = sourceSize(source) ?? options.totalBytes;

  const rawKey = fileKeyFor(dataKey, encodedContext, attachmentIndex);
  const key = await importAesKey(rawKey);
  const nonceBase = randomBytes(IV_LENGTH);
  const header = new ByteWriter()
    .bytes(MAGIC)
    .u8(VERSION)
    .bytes(encodedContext)
    .u8(attachmentIndex)
    .u8(segmentLog2)
    .bytes(nonceBase)
    .bytes(deriveKey(rawKey, COMMIT_SALT, encodedContext))
    .finish();
  wipe(rawKey);
  yield header;

  const reader = new ExactReader(source, segmentSize);
  const pending: Promise<Uint8Array>[] = [];
  let index = 0;
  let bytesDone = 0;
  const seal = (segment: Uint8Array, final: boolean) => {
    if (index === 0xffffffff) throw new ValidationError([{ path: 'source', message: 'file has too many segments' }]);
    const sealed = aesGcmEncrypt(key, nonceFor(nonceBase, index), segment, segmentAad(header, index, final));
    index++;
    return sealed;
  };
  const emit = async () => {
    const sealed = await (pending.shift() as Promise<Uint8Array>);
    bytesDone += sealed.length - TAG_LENGTH;
    options.onProgress?.({ bytesDone, totalBytes });
    return sealed;
  };
  // One segment is held back until the next read shows whether it is the last.
  let held = await reader.read(segmentSize);
  for (;;) {
    const next = held.length === segmentSize ? await reader.read(segmentSize) : new Uint8Array(0);
    const final = next.length === 0;
    pending.push(seal(held, final));
    if (final) break;
    held = next;
    if (pending.length >= PARALLEL_SEGMENTS) yield await emit();
  }
  while (pending.length > 0) yield await emit();
}

/**
 * Size of the encrypted form of a file, for progress before it exists.
 * @param plaintextBytes - size of the file
 * @param segmentLog2 - log2 of the segment size it is encrypted with
 */
export function encryptedFileSize(plaintextBytes: number, segmentLog2 = DEFAULT_SEGMENT_LOG2): number {
  const segments = Math.max(1, Math.ceil(plaintextBytes / 2 ** segmentLog2));
  return FILE_HEADER_LENGTH + plaintextBytes + segments * TAG_LENGTH;
}

/** Result of {@link encryptFile}. */
export interface EncryptedFile {
  readonly ciphertext: Uint8Array;
  readonly plaintextSize: number;
}

/**
 * Encrypts a whole file into memory.
 * @param source - the plaintext
 * @param dataKey - the data key of the record version the file belongs to
 * @param context - that record's context
 * @param options - attachment index, segment size, progress callback
 */
export async function encryptFile(
  source: ByteSource,
  dataKey: Uint8Array,
  context: RecordContext,
  options: EncryptFileOptions = {},
): Promise<EncryptedFile> {
  const parts: Uint8Array[] = [];
  for await (const part of encryptFileStream(source, dataKey, context, options)) parts.push(part);
  const ciphertext = concatBytes(...parts);
  const segmentCount = parts.length - 1;
  return { ciphertext, plaintextSize: ciphertext.length - FILE_HEADER_LENGTH - segmentCount * TAG_LENGTH };
}

/** What an authenticated `MLFS` header gives the decryption of its segments. */
interface OpenedFileHeader {
  readonly segmentLog2: number;
  readonly nonceBase: Uint8Array;
  /** The file key, proven by the header's commitment; the caller wipes it. */
  readonly rawKey: Uint8Array;
}

/**
 * Parses an `MLFS` header and proves it belongs where the caller says: format and version, the record
 * context (where `expected` names it), the attachment index, and the key commitment, which only the
 * holder of that record version's data key can have produced.
 */
function openFileHeader(
  header: Uint8Array,
  dataKey: Uint8Array,
  expected: Partial<RecordContext> | undefined,
  attachmentIndex: number,
): OpenedFileHeader {
  checkIndex(attachmentIndex);
  if (dataKey.length !== KEY_LENGTH) throw new ValidationError([{ path: 'dataKey', message: 'must be 32 bytes' }]);
  const parser = new ByteReader(header, 'encrypted file');
  parser.expectHeader(MAGIC, VERSION);
  const contextStart = parser.position;
  const context = readContext(parser);
  const encodedContext = parser.since(contextStart);
  const foundIndex = parser.u8();
  const segmentLog2 = parser.u8();
  const nonceBase = parser.take(IV_LENGTH);
  const committed = parser.take(KEY_LENGTH);
  parser.end();
  if (segmentLog2 < MIN_SEGMENT_LOG2 || segmentLog2 > MAX_SEGMENT_LOG2) {
    throw new IntegrityError(`encrypted file: segment size 2^${segmentLog2} is out of range`);
  }
  checkContext(context, expected, 'encrypted file');
  if (foundIndex !== attachmentIndex) {
    throw new IntegrityError(`encrypted file is attachment ${foundIndex}, expected ${attachmentIndex}`);
  }
  const rawKey = fileKeyFor(dataKey, encodedContext, attachmentIndex);
  if (!equalBytes(deriveKey(rawKey, COMMIT_SALT, encodedContext), committed)) {
    wipe(rawKey);
    throw new IntegrityError('encrypted file: the key does not match (wrong record key, or the header was altered)');
  }
  return { segmentLog2, nonceBase, rawKey };
}

/**
 * Proves, from its header alone, that an encrypted file is attachment `attachmentIndex` of the record
 * version `expected` sealed under `dataKey`, without decrypting anything: the checks
 * {@link decryptFileStream} makes before its first segment. Whoever lacks that data key cannot produce
 * such a header, so a file that passes was made for this record.
 * @param header - the first {@link FILE_HEADER_LENGTH} bytes of the encrypted file (more are ignored)
 * @param dataKey - the data key of the record version the file should belong to
 * @param expected - that record version's context
 * @param attachmentIndex - the file's position in the record's `content`
 * @throws IntegrityError saying what differs (not an encrypted file, another record, another index, another key)
 */
export function checkFileHeader(
  header: Uint8Array,
  dataKey: Uint8Array,
  expected: RecordContext,
  attachmentIndex: number,
): void {
  wipe(openFileHeader(header.subarray(0, FILE_HEADER_LENGTH), dataKey, expected, attachmentIndex).rawKey);
}

/**
 * Decrypts a file stream, yielding verified plaintext segments. Every segment is authenticated before
 * it is yielded, but a truncated or altered stream is only known to be bad when the error arrives:
 * treat the output as complete only when iteration ends without an IntegrityError.
 * @param source - the ciphertext
 * @param dataKey - the data key of the record version the file belongs to
 * @param options - expected record context, attachment index, progress callback
 */
export async function* decryptFileStream(
  source: ByteSource,
  dataKey: Uint8Array,
  options: DecryptFileOptions = {},
): AsyncGenerator<Uint8Array> {
  const reader = new ExactReader(source, 1 << 20);
  const header = await reader.read(FILE_HEADER_LENGTH);
  const { segmentLog2, nonceBase, rawKey } = openFileHeader(
    header,
    dataKey,
    options.expected,
    options.attachmentIndex ?? 0,
  );
  const key = await importAesKey(rawKey);
  wipe(rawKey);

  const sealedSize = 2 ** segmentLog2 + TAG_LENGTH;
  let index = 0;
  let bytesDone = 0;
  let current = await reader.read(sealedSize);
  if (current.length === 0) throw new IntegrityError('encrypted file has no segments (truncated)');
  for (;;) {
    const next = current.length === sealedSize ? await reader.read(sealedSize) : new Uint8Array(0);
    const final = next.length === 0;
    const aad = segmentAad(header, index, final);
    const plaintext = await aesGcmDecrypt(
      key,
      nonceFor(nonceBase, index),
      current,
      aad,
      `encrypted file segment ${index}`,
    );
    bytesDone += plaintext.length;
    options.onProgress?.({ bytesDone, totalBytes: undefined });
    yield plaintext;
    if (final) return;
    index++;
    current = next;
  }
}

/**
 * Decrypts a whole encrypted file into memory.
 * @param source - the ciphertext
 * @param dataKey - the data key of the record version the file belongs to
 * @param options - expected record context, attachment index, progress callback
 */
export async function decryptFile(
  source: ByteSource,
  dataKey: Uint8Array,
  options: DecryptFileOptions = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of decryptFileStream(source, dataKey, options)) parts.push(part);
  return concatBytes(...parts);
}
