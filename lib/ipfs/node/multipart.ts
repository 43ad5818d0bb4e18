/**
 * A streaming `multipart/form-data` reader (RFC 7578), enough for Kubo's `/api/v0/add` uploads: each
 * part's body is handed on piece by piece, so a large file never sits whole in memory.
 */

/** One part of a multipart body. */
export interface MultipartPart {
  /** Header fields, names lower-cased. */
  readonly headers: ReadonlyMap<string, string>;
  /** The `name` of `Content-Disposition` (Kubo clients send `file`, `file-1`, …). */
  readonly name: string | undefined;
  /** The `filename` of `Content-Disposition`, as sent (Kubo clients URI-encode it). */
  readonly filename: string | undefined;
  /** The part's content. Read it before asking for the next part; whatever is left unread is skipped. */
  readonly body: AsyncIterable<Uint8Array>;
}

/** The body is not well-formed multipart; the message says where it went wrong. */
export class MultipartError extends Error {
  override name = 'MultipartError';
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Extracts the boundary from a `Content-Type` header value.
 *
 * @param contentType - e.g. `multipart/form-data; boundary=----abc`.
 * @returns The boundary, or `undefined` when the type is not multipart/form-data with a boundary.
 */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Pulls chunks from the source on demand and keeps the not-yet-consumed bytes. */
class BufferedSource {
  buffer: Buffer = Buffer.alloc(0);
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next chunk of the source, not yet appended; `undefined` once the source is exhausted. */
  async next(): Promise<Buffer | undefined> {
    const next = await this.iterator.next();
    if (next.done === true) return undefined;
    return Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
  }

  /** Appends the next chunk; `false` once the source is exhausted. */
  async fill(): Promise<boolean> {
    const chunk = await this.next();
    if (chunk === undefined) return false;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return true;
  }

  /** Makes at least `count` bytes available; `false` if the source ends first. */
  async ensure(count: number): Promise<boolean> {
    while (this.buffer.length < count) {
      if (!(await this.fill())) return false;
    }
    return true;
  }

  consume(count: number): void {
    this.buffer = this.buffer.subarray(count);
  }
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header line ${JSON.stringify(line)}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function dispositionParam(disposition: string | undefined, param: string): string | undefined {
  if (disposition === undefined) return undefined;
  return new RegExp(`(?:^|;)\\s*${param}="([^"]*)"`, 'i').exec(disposition)?.[1];
}

/**
 * Reads a multipart body part by part.
 *
 * @param source - The raw request body.
 * @param boundary - The boundary from the `Content-Type` header (see {@link multipartBoundary}).
 * @throws {@link MultipartError} when the body is malformed or ends early.
 */
export async function* parseMultipart(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
): AsyncGenerator<MultipartPart, void, undefined> {
  const input = new BufferedSource(source);
  const firstDelimiter = Buffer.from(`--${boundary}`);
  // Every later delimiter is preceded by the CRLF that ends the previous part's body.
  const delimiter = Buffer.from(`\r\n--${boundary}`);

  // Skip any preamble up to the first delimiter.
  for (;;) {
    const at = input.buffer.indexOf(firstDelimiter);
    if (at >= 0) {
      input.consume(at + firstDelimiter.length);
      break;
    }
    input.consume(Math.max(0, input.buffer.length - firstDelimiter.length));
    if (!(await input.fill())) throw new MultipartError('no multipart boundary found in the body');
  }

  for (;;) {
    // After a delimiter, `--` closes the body and CRLF starts another part.
    if (!(await input.ensure(2))) throw new MultipartError('body ends right after a boundary');
    if (input.buffer[0] === 0x2d && input.buffer[1] === 0x2d) return;
    if (!input.buffer.subarray(0, 2).equals(CRLF)) throw new MultipartError('boundary is not followed by CRLF');
    input.consume(2);

    let headerEnd = input.buffer.indexOf(HEADER_END);
    while (headerEnd < 0) {
      if (input.buffer.length > MAX_HEADER_BYTES) throw new MultipartError('part headers exceed 16 KiB');
      if (!(await input.fill())) throw new MultipartError('body ends inside part headers');
      headerEnd = input.buffer.indexOf(HEADER_END);
    }
    const headers = parseHeaders(input.buffer.subarray(0, headerEnd).toString('utf8'));
    input.consume(headerEnd + HEADER_END.length);

    let bodyDone = false;
    /** The next piece of this part's body, or `undefined` once its closing delimiter is consumed. */
    const nextPiece = async (): Promise<Uint8Array | undefined> => {
      while (!bodyDone) {
        const at = input.buffer.indexOf(delimiter);
        if (at >= 0) {
          const piece = input.buffer.subarray(0, at);
          input.consume(at + delimiter.length);
          bodyDone = true;
          if (piece.length > 0) return piece;
          break;
        }
        // Hold back a tail that could be the start of a delimiter split across chunks.
        const safe = input.buffer.length - (delimiter.length - 1);
        if (safe > 0) {
          const piece = input.buffer.subarray(0, safe);
          input.consume(safe);
          return piece;
        }
        const tail = input.buffer;
        const chunk = await input.next();
        if (chunk === undefined) throw new MultipartError('body ends inside a part');
        if (tail.length === 0 || chunk.length < delimiter.length - 1) {
          input.buffer = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
          continue;
        }
        // Look for a delimiter that starts in the tail across the seam only, rather than copying the
        // whole chunk behind the tail: a large upload would otherwise be copied once more here.
        const straddling = Buffer.concat([tail, chunk.subarray(0, delimiter.length - 1)]).indexOf(delimiter);
        if (straddling >= 0 && straddling < tail.length) {
          input.buffer = chunk.subarray(straddling + delimiter.length - tail.length);
          bodyDone = true;
          if (straddling > 0) return tail.subarray(0, straddling);
          break;
        }
        // No delimiter starts in the tail, so all of it is body.
        input.buffer = chunk;
        return tail;
      }
      return undefined;
    };
    const disposition = headers.get('content-disposition');
    yield {
      headers,
      name: dispositionParam(disposition, 'name'),
      filename: dispositionParam(disposition, 'filename'),
      body: {
        async *[Symbol.asyncIterator]() {
          for (let piece = await nextPiece(); piece !== undefined; piece = await nextPiece()) yield piece;
        },
      },
    };
    while ((await nextPiece()) !== undefined);
  }
}
