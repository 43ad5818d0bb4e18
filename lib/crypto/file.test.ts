import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';
import type { Address } from 'viem';

import { IntegrityError } from '../errors';
import { concatBytes } from './bytes';
import { newRecordUid, type RecordContext } from './context';
import {
  checkFileHeader,
  decryptFile,
  decryptFileStream,
  encryptedFileSize,
  encryptFile,
  encryptFileStream,
  FILE_HEADER_LENGTH,
  type FileProgress,
} from './file';
import { generateDataKey } from './record';

const patient: Address = '0x00000000000000000000000000000000000000A1';
const context: RecordContext = { patient, recordUid: newRecordUid(), version: 1, category: 8, epoch: 0 };
const dataKey = generateDataKey();
const small = { segmentLog2: 12 };
const segment = 4096;

function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

async function* inPieces(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] as number);
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return concatBytes(...parts);
}

describe('encryptFile / decryptFile', () => {
  it('round-trips sizes around segment boundaries', async () => {
    for (const length of [0, 1, segment - 1, segment, segment + 1, 3 * segment, 5 * segment + 17]) {
      const plaintext = pattern(length);
      const encrypted = await encryptFile(plaintext, dataKey, context, small);
      assert.equal(encrypted.plaintextSize, length);
      assert.deepEqual(
        await decryptFile(encrypted.ciphertext, dataKey, { expected: context }),
        plaintext,
        `length ${length}`,
      );
    }
  });

  it('reads byte arrays, Blobs, ReadableStreams and chunked iterables alike', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3 * segment + 100 }),
        fc.array(fc.integer({ min: 1, max: 3 * segment }), { minLength: 1, maxLength: 5 }),
        async (plaintext, sizes) => {
          const sources = [
            plaintext,
            new Blob([new Uint8Array(plaintext)]),
            new Blob([new Uint8Array(plaintext)]).stream(),
            inPieces(plaintext, sizes),
          ];
          for (const source of sources) {
            const ciphertext = await collect(encryptFileStream(source, dataKey, context, small));
            const decrypted = await collect(decryptFileStream(inPieces(ciphertext, sizes), dataKey));
            assert.deepEqual(decrypted, new Uint8Array(plaintext));
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('predicts the size of the ciphertext from the size of the file', async () => {
    for (const size of [0, 1, segment - 1, segment, segment + 1, 3 * segment]) {
      const { ciphertext } = await encryptFile(pattern(size), dataKey, context, small);
      assert.equal(encryptedFileSize(size, small.segmentLog2), ciphertext.length, `${size} bytes`);
    }
  });

  it('reports progress up to the total', async () => {
    const seen: FileProgress[] = [];
    await encryptFile(pattern(10 * segment + 5), dataKey, context, { ...small, onProgress: (p) => seen.push(p) });
    assert.equal(seen.length, 11);
    assert.ok(seen.every((p, i) => i === 0 || p.bytesDone > (seen[i - 1] as FileProgress).bytesDone));
    assert.deepEqual(seen.at(-1), { bytesDone: 10 * segment + 5, totalBytes: 10 * segment + 5 });
  });

  it('detects truncation at a segment boundary, dropped, swapped and appended segments', async () => {
    const { ciphertext } = await encryptFile(pattern(3 * segment), dataKey, context, small);
    const header = 96;
    const sealed = segment + 16;
    const seg = (i: number) => ciphertext.subarray(header + i * sealed, header + (i + 1) * sealed);
    const head = ciphertext.subarray(0, header);
    const variants = {
      truncated: ciphertext.subarray(0, header + 2 * sealed),
      headerOnly: head,
      dropped: concatBytes(head, seg(0), seg(2)),
      swapped: concatBytes(head, seg(1), seg(0), seg(2)),
      appended: concatBytes(ciphertext, seg(2)),
    };
    for (const [name, bytes] of Object.entries(variants)) {
      await assert.rejects(decryptFile(bytes, dataKey), IntegrityError, name);
    }
  });

  it('refuses a wrong key, another record, or another attachment index', async () => {
    const { ciphertext } = await encryptFile(pattern(100), dataKey, context, small);
    await assert.rejects(decryptFile(ciphertext, generateDataKey()), IntegrityError);
    await assert.rejects(decryptFile(ciphertext, dataKey, { expected: { recordUid: newRecordUid() } }), IntegrityError);
    await assert.rejects(decryptFile(ciphertext, dataKey, { attachmentIndex: 1 }), IntegrityError);
  });

  it('detects every tampered byte', async () => {
    const { ciphertext } = await encryptFile(pattern(2 * segment + 10), dataKey, context, small);
    const positions = fc.sample(fc.nat({ max: ciphertext.length - 1 }), 300);
    for (const index of [...positions, 0, 4, 95, 96, ciphertext.length - 1]) {
      const tampered = ciphertext.slice();
      tampered[index] = (tampered[index] as number) ^ 0x20;
      await assert.rejects(decryptFile(tampered, dataKey), IntegrityError, `byte ${index}`);
    }
  });

  it('turns arbitrary bytes into IntegrityError only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        await assert.rejects(decryptFile(bytes, dataKey), IntegrityError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('checkFileHeader', () => {
  it('proves from the header alone which record version and attachment a file belongs to', async () => {
    const { ciphertext } = await encryptFile(pattern(3 * segment), dataKey, context, { ...small, attachmentIndex: 2 });
    checkFileHeader(ciphertext.subarray(0, FILE_HEADER_LENGTH), dataKey, context, 2);
    checkFileHeader(ciphertext, dataKey, context, 2);
  });

  it('says what differs: format, patient, record, version, index or key', async () => {
    const { ciphertext } = await encryptFile(pattern(100), dataKey, context, small);
    const header = ciphertext.subarray(0, FILE_HEADER_LENGTH);
    const refusals: [string, () => void, RegExp][] = [
      ['truncated', () => checkFileHeader(header.subarray(0, 40), dataKey, context, 0), /truncated/],
      [
        'another format',
        () => checkFileHeader(concatBytes(Uint8Array.of(0), header.subarray(1)), dataKey, context, 0),
        /bad magic/,
      ],
      [
        'another patient',
        () =>
          checkFileHeader(header, dataKey, { ...context, patient: '0x00000000000000000000000000000000000000b2' }, 0),
        /patient differ/,
      ],
      [
        'another record',
        () => checkFileHeader(header, dataKey, { ...context, recordUid: newRecordUid() }, 0),
        /recordUid differ/,
      ],
      ['another version', () => checkFileHeader(header, dataKey, { ...context, version: 2 }, 0), /version differ/],
      ['another index', () => checkFileHeader(header, dataKey, context, 1), /attachment 0, expected 1/],
      ['another key', () => checkFileHeader(header, generateDataKey(), context, 0), /key does not match/],
    ];
    for (const [name, check, reason] of refusals)
      assert.throws(check, (error: unknown) => error instanceof IntegrityError && reason.test(error.message), name);
  });
});
