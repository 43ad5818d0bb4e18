import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { decryptFile, generateDataKey, newRecordUid, type FileProgress, type RecordContext } from '../crypto';
import { ValidationError } from '../errors';
import { documentReferenceFor, ENCRYPTED_ATTACHMENT_URL, encryptAttachment, sniffContentType } from './attachment';

const context: RecordContext = {
  patient: '0x00000000000000000000000000000000000000A1',
  recordUid: newRecordUid(),
  version: 1,
  category: 8,
  epoch: 0,
};

function pdf(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode('%PDF-1.7\n'));
  for (let i = 9; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

/** Reads the whole ciphertext, then asks for the Attachment, as a caller storing the file does. */
async function encryptWhole(...args: Parameters<typeof encryptAttachment>) {
  const encryption = encryptAttachment(...args);
  const pieces: Uint8Array[] = [];
  for await (const piece of encryption.ciphertext) pieces.push(piece);
  const ciphertext = Buffer.concat(pieces);
  return { encryption, ciphertext, attachment: await encryption.attachment() };
}

describe('encryptAttachment', () => {
  it('encrypts a file as a stream and describes its plaintext in the Attachment', async () => {
    const file = pdf(300_000);
    const dataKey = generateDataKey();
    const progress: FileProgress[] = [];
    const { encryption, ciphertext, attachment } = await encryptWhole(new Blob([file]), dataKey, context, {
      title: 'discharge.pdf',
      segmentLog2: 16,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(attachment.contentType, 'application/pdf');
    assert.equal(attachment.size, file.length);
    assert.equal(attachment.title, 'discharge.pdf');
    assert.equal(attachment.hash, createHash('sha1').update(file).digest('base64'));
    assert.equal(attachment.extension?.[0]?.url, ENCRYPTED_ATTACHMENT_URL);
    assert.deepEqual(progress.at(-1), { bytesDone: file.length, totalBytes: file.length });
    assert.equal(encryption.ciphertextBytes, ciphertext.length);
    assert.deepEqual(await decryptFile(ciphertext, dataKey, { expected: context }), file);
  });

  it('hashes bytes held in memory the same way as a streamed file', async () => {
    const file = pdf(300_000);
    const { ciphertext, attachment } = await encryptWhole(file, generateDataKey(), context, { segmentLog2: 16 });
    assert.equal(attachment.contentType, 'application/pdf');
    assert.equal(attachment.size, file.length);
    assert.equal(attachment.hash, createHash('sha1').update(file).digest('base64'));
    assert.ok(ciphertext.length > file.length);
  });

  it('describes a stream of unknown length once it has been read', async () => {
    const file = pdf(70_000);
    const stream = new Blob([file]).stream();
    const { encryption, attachment } = await encryptWhole(stream, generateDataKey(), context, { segmentLog2: 12 });
    assert.equal(encryption.ciphertextBytes, undefined);
    assert.equal(attachment.size, file.length);
    assert.equal(attachment.hash, createHash('sha1').update(file).digest('base64'));
  });

  it('has no Attachment to give before the ciphertext has been read to the end', async () => {
    const encryption = encryptAttachment(pdf(10), generateDataKey(), context);
    await assert.rejects(encryption.attachment(), /read the ciphertext to the end/);
  });

  it('refuses a content type that is not a MIME type', () => {
    assert.throws(
      () => encryptAttachment(pdf(10), generateDataKey(), context, { contentType: 'pdf' }),
      ValidationError,
    );
  });
});

describe('sniffContentType', () => {
  it('recognizes PDF, PNG, JPEG and DICOM', () => {
    const dicom = new Uint8Array(140);
    dicom.set(new TextEncoder().encode('DICM'), 128);
    assert.equal(sniffContentType(pdf(20)), 'application/pdf');
    assert.equal(sniffContentType(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)), 'image/png');
    assert.equal(sniffContentType(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)), 'image/jpeg');
    assert.equal(sniffContentType(dicom), 'application/dicom');
    assert.equal(sniffContentType(new Uint8Array(3)), undefined);
  });
});

describe('documentReferenceFor', () => {
  it('builds a valid DocumentReference pointing at the encrypted file', async () => {
    const { attachment } = await encryptWhole(pdf(1000), generateDataKey(), context);
    const doc = documentReferenceFor({
      attachment: { ...attachment, url: 'ipfs://bafkreidummycidforthetest' },
      subject: { reference: 'Patient/1' },
      description: 'Discharge letter',
    });
    assert.equal(doc.status, 'current');
    assert.equal(doc.content[0]?.attachment.url, 'ipfs://bafkreidummycidforthetest');
  });

  it('reports an attachment without required parts', () => {
    assert.throws(
      () => documentReferenceFor({ attachment: { size: -1 }, subject: { reference: 'Patient/1' } }),
      (error: unknown) =>
        error instanceof ValidationError && error.issues[0]?.path === 'DocumentReference.content[0].attachment.size',
    );
  });
});
