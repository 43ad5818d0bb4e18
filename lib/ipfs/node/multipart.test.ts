import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart';

const BOUNDARY = '----medledger-test-boundary';

function encode(
  parts: readonly { name: string; filename: string; content: Uint8Array }[],
  boundary = BOUNDARY,
): Buffer {
  const pieces: Buffer[] = [Buffer.from('preamble to ignore\r\n')];
  for (const part of parts) {
    pieces.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from(part.content),
      Buffer.from('\r\n'),
    );
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

async function* inChunks(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let index = 0; offset < bytes.length; index += 1) {
    const size = sizes[index % sizes.length] ?? 1;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function readAll(source: AsyncIterable<Uint8Array>) {
  const parts: { name: string | undefined; filename: string | undefined; content: Buffer }[] = [];
  for await (const part of parseMultipart(source, BOUNDARY)) {
    const pieces: Uint8Array[] = [];
    for await (const piece of part.body) pieces.push(piece);
    parts.push({ name: part.name, filename: part.filename, content: Buffer.concat(pieces) });
  }
  return parts;
}

describe('parseMultipart', () => {
  it('returns every part with its name, filename and exact bytes, however the body is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        async (contents, chunkSizes) => {
          const parts = contents.map((content, index) => ({
            name: `file-${index}`,
            filename: `f${index}.bin`,
            content,
          }));
          const parsed = await readAll(inChunks(encode(parts), chunkSizes));
          assert.deepEqual(
            parsed,
            parts.map((part) => ({ ...part, content: Buffer.from(part.content) })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds the boundary wherever chunks split it, with body bytes that nearly match it', async () => {
    const delimiter = `\r\n--${BOUNDARY}`;
    // Contents built from pieces of the delimiter, so near-misses sit right before real boundaries.
    const content = fc
      .array(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc.nat(delimiter.length - 1).map((end) => Buffer.from(delimiter.slice(0, end))),
        ),
        {
          maxLength: 6,
        },
      )
      .map((pieces) => new Uint8Array(Buffer.concat(pieces)))
      // A body holding the whole delimiter is not valid multipart: the sender picks a boundary it lacks.
      .filter((bytes) => !Buffer.from(bytes).includes(delimiter));
    await fc.assert(
      fc.asyncProperty(
        fc.array(content, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 3 * delimiter.length }), { minLength: 1, maxLength: 6 }),
        async (contents, chunkSizes) => {
          const parts = contents.map((bytes, index) => ({ name: `file-${index}`, filename: '', content: bytes }));
          const parsed = await readAll(inChunks(encode(parts), chunkSizes));
          assert.deepEqual(
            parsed.map((part) => part.content),
            parts.map((part) => Buffer.from(part.content)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps bytes that look like a boundary but are not one', async () => {
    const content = Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}x and \r\n-- and --${BOUNDARY}`);
    const [part] = await readAll(inChunks(encode([{ name: 'file', filename: '', content }]), [7]));
    assert.deepEqual(part?.content, content);
  });

  it('skips the rest of a part the reader did not finish', async () => {
    const body = encode([
      { name: 'file', filename: 'a', content: Buffer.alloc(1000, 1) },
      { name: 'file-1', filename: 'b', content: Buffer.from('second') },
    ]);
    const names: (string | undefined)[] = [];
    for await (const part of parseMultipart(inChunks(body, [100]), BOUNDARY)) names.push(part.filename);
    assert.deepEqual(names, ['a', 'b']);
  });

  it('fails on a body that ends inside a part', async () => {
    const body = encode([{ name: 'file', filename: '', content: Buffer.from('cut short') }]);
    await assert.rejects(readAll(inChunks(body.subarray(0, body.length - 20), [16])), MultipartError);
  });

  it('fails on a body without the boundary', async () => {
    await assert.rejects(readAll(inChunks(Buffer.from('just some bytes'), [4])), /no multipart boundary/);
  });
});

describe('multipartBoundary', () => {
  it('reads plain and quoted boundaries', () => {
    assert.equal(multipartBoundary('multipart/form-data; boundary=abc123'), 'abc123');
    assert.equal(multipartBoundary('multipart/form-data; boundary="a b"'), 'a b');
  });

  it('rejects other content types and a missing boundary', () => {
    assert.equal(multipartBoundary('application/json'), undefined);
    assert.equal(multipartBoundary('multipart/form-data'), undefined);
    assert.equal(multipartBoundary(undefined), undefined);
  });
});
