/**
 * Byte helpers shared by the envelope formats: a bounds-checked reader whose every failure is an
 * {@link IntegrityError} (envelopes come from IPFS, so a malformed one is corrupt or tampered data), a
 * writer for the same layouts, and zeroization of key material.
 */
import { IntegrityError } from '../errors';

/** Four ASCII bytes that open every MedLedger binary format, followed by a one-byte format version. */
export function magicBytes(tag: string): Uint8Array {
  return new TextEncoder().encode(tag);
}

/** Sequential reader over an envelope; reads past the end or trailing bytes throw IntegrityError. */
export class ByteReader {
  private offset = 0;

  /**
   * @param bytes - the whole envelope
   * @param what - name of the format, used in error messages
   */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  /** Current position, e.g. to slice the authenticated header. */
  get position(): number {
    return this.offset;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Reads exactly `length` bytes (a view, not a copy). */
  take(length: number): Uint8Array {
    if (length < 0 || length > this.remaining) {
      throw new IntegrityError(
        `${this.what} is truncated: needs ${length} bytes at offset ${this.offset}, has ${this.remaining}`,
      );
    }
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u8(): number {
    return this.take(1)[0] as number;
  }

  u32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }

  /** Checks the magic tag and format version; anything else is not this format. */
  expectHeader(magic: Uint8Array, version: number): void {
    if (this.remaining < magic.length + 1 || !equalBytes(this.take(magic.length), magic)) {
      throw new IntegrityError(`not a ${this.what}: bad magic bytes`);
    }
    const found = this.u8();
    if (found !== version)
      throw new IntegrityError(`${this.what} format version ${found} is not supported (expected ${version})`);
  }

  /** Asserts the whole input was consumed, so appended bytes cannot ride along unauthenticated. */
  end(): void {
    if (this.remaining !== 0) throw new IntegrityError(`${this.what} has ${this.remaining} unexpected trailing bytes`);
  }

  /** The bytes from `start` to the current position (a view). */
  since(start: number): Uint8Array {
    return this.bytes.subarray(start, this.offset);
  }
}

/** Appends fields of an envelope layout. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];

  bytes(value: Uint8Array): this {
    this.parts.push(value);
    return this;
  }

  u8(value: number): this {
    return this.bytes(Uint8Array.of(value & 0xff));
  }

  u32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return this.bytes(out);
  }

  finish(): Uint8Array<ArrayBuffer> {
    return concatBytes(...this.parts);
  }
}

/** Concatenates byte arrays into a fresh ArrayBuffer-backed array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time equality for equal-length inputs (lengths are not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Overwrites key material in memory once it is no longer needed. JavaScript cannot guarantee no copy
 * survives (the engine may have moved the buffer), so this narrows the window rather than closing it.
 * @param buffers - keys, shared secrets, passphrase-derived keys
 */
export function wipe(...buffers: readonly Uint8Array[]): void {
  for (const buffer of buffers) buffer.fill(0);
}

/** A copy that WebCrypto accepts as a `BufferSource` (it refuses views of shared memory). */
export function toBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
