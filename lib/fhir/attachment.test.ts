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

describe('encryptAttachment', () => {
  it('encrypts a file and describes its plaintext in the Attachment', async () => {
    const file = pdf(300_000);
    const dataKey = generateDataKey();
    const progress: FileProgress[] = [];
    const { encrypted, attachment } = await encryptAttachment(new Blob([file]), dataKey, context, {
      title: 'discharge.pdf',
      segmentLog2: 16,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(attachment.contentType, 'application/pdf');
    assert.equal(attachment.size, file.length);
    assert.equal(attachment.hash, createHash('sha1').update(file).digest('base64'));
    assert.equal(attachment.extension?.[0]?.url, ENCRYPTED_ATTACHMENT_URL);
    assert.deepEqual(progress.at(-1), { bytesDone: file.length, totalBytes: file.length });
    assert.deepEqual(await decryptFile(encrypted.ciphertext, dataKey, { expected: context }), file);
    const ciphertextHash = createHash('sha256').update(encrypted.ciphertext).digest();
    assert.deepEqual(Buffer.from(encrypted.ciphertextSha256), ciphertextHash);
  });

  it('hashes bytes held in memory the same way as a streamed file', async () => {
    const file = pdf(300_000);
    const { encrypted, attachment } = await encryptAttachment(file, generateDataKey(), context, { segmentLog2: 16 });
    assert.equal(attachment.contentType, 'application/pdf');
    assert.equal(attachment.size, file.length);
    assert.equal(attachment.hash, createHash('sha1').update(file).digest('base64'));
    assert.equal(encrypted.plaintextSize, file.length);
  });

  it('refuses a content type that is not a MIME type', async () => {
    await assert.rejects(
      encryptAttachment(pdf(10), generateDataKey(), context, { contentType: 'pdf' }),
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
    const { attachment } = await encryptAttachment(pdf(1000), generateDataKey(), context);
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
