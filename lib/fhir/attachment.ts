/**
 * Files (PDF, images, DICOM) as records: the file is encrypted in segments under the data key of a
 * DocumentReference record version (see lib/crypto/file) and the DocumentReference describes it. Its
 * `attachment.hash` (SHA-1 of the plaintext, as FHIR R4 defines it) and size exist only inside the
 * encrypted DocumentReference; only the ciphertext's hash may go on-chain.
 */
import type { Attachment, CodeableConcept, DocumentReference, Reference } from '@medplum/fhirtypes';

import {
  byteChunks,
  DEFAULT_SEGMENT_LOG2,
  encryptedFileSize,
  encryptFileStream,
  sourceSize,
  type ByteSource,
  type EncryptFileOptions,
  type RecordContext,
} from '../crypto';
import { createIncrementalHash, digest } from '../crypto/digest';
import { ValidationError } from '../errors';
import { validateResource } from './validate';

/** Extension on an Attachment whose `url` points at a MedLedger-encrypted file (`MLFS` format). */
export const ENCRYPTED_ATTACHMENT_URL = 'https://medledger.dev/fhir/StructureDefinition/encrypted-attachment';

const MIME = /^[a-z]+\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

/**
 * Recognizes common medical file types from their first bytes (PDF, PNG, JPEG, DICOM Part 10).
 * @param head - the first bytes of the file (at least 132 for DICOM)
 */
export function sniffContentType(head: Uint8Array): string | undefined {
  const startsWith = (offset: number, ascii: string) =>
    head.length >= offset + ascii.length && [...ascii].every((char, i) => head[offset + i] === char.charCodeAt(0));
  if (startsWith(0, '%PDF-')) return 'application/pdf';
  if (startsWith(0, '\x89PNG\r\n\x1a\n')) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (startsWith(128, 'DICM')) return 'application/dicom';
  return undefined;
}

/** Options of {@link encryptAttachment}. */
export interface EncryptAttachmentOptions extends EncryptFileOptions {
  /** MIME type; sniffed from the content when omitted (falls back to application/octet-stream). */
  readonly contentType?: string;
  readonly title?: string;
}

/**
 * A file being encrypted for a DocumentReference record: the ciphertext as it is produced, and the
 * Attachment describing the plaintext once all of it has gone through.
 */
export interface AttachmentEncryption {
  /** The `MLFS` ciphertext, header first, then segment by segment. Read it once, to the end. */
  readonly ciphertext: AsyncIterable<Uint8Array>;
  /** Size of the ciphertext in bytes when the plaintext size is known in advance, for progress. */
  readonly ciphertextBytes: number | undefined;
  /**
   * The Attachment (without `url`: set it to where the ciphertext was stored).
   * @throws Error when called before {@link ciphertext} has been read to the end
   */
  attachment(): Promise<Attachment>;
}

/**
 * Encrypts a file for a DocumentReference record as a stream, hashing the plaintext as it goes by,
 * so a large file can be encrypted while it is being uploaded and is never held whole.
 * @param source - the file (File/Blob in the browser, `fs.openAsBlob` or a stream in Node, bytes)
 * @param dataKey - the data key the DocumentReference record version will be sealed with
 * @param context - that record's context
 * @param options - content type, title, attachment index, segment size, progress
 */
export function encryptAttachment(
  source: ByteSource,
  dataKey: Uint8Array,
  context: RecordContext,
  options: EncryptAttachmentOptions = {},
): AttachmentEncryption {
  if (options.contentType !== undefined && !MIME.test(options.contentType)) {
    throw new ValidationError([{ path: 'contentType', message: `"${options.contentType}" is not a MIME type` }]);
  }
  // Bytes already in memory are hashed in one call (natively: node:crypto in Node, WebCrypto on a
  // worker thread in browsers, 3x faster than hashing in JavaScript); any other source is hashed as
  // it streams by, never held whole. The one-shot digest starts once the last of the ciphertext has
  // been handed on, so it runs while the IPFS node finishes storing the upload instead of holding up
  // the encryption at the start.
  const inMemory = source instanceof Uint8Array;
  let oneShotSha1: Promise<Uint8Array> | undefined;
  const startOneShotSha1 = () => {
    if (oneShotSha1 === undefined && source instanceof Uint8Array) {
      oneShotSha1 = digest('SHA-1', source);
      // Reported through attachment(), not left unhandled, if nobody asks for it.
      oneShotSha1.catch(() => undefined);
    }
    return oneShotSha1;
  };
  const hasher = createIncrementalHash('SHA-1');
  let head: Uint8Array | undefined = inMemory ? source.subarray(0, 132) : undefined;
  const hashed = async function* (): AsyncGenerator<Uint8Array> {
    for await (const chunk of byteChunks(source)) {
      head ??= chunk.slice(0, 132);
      hasher.update(chunk);
      yield chunk;
    }
  };
  const totalBytes = sourceSize(source) ?? options.totalBytes;
  const segmentLog2 = options.segmentLog2 ?? DEFAULT_SEGMENT_LOG2;
  let plaintextSize: number | undefined;
  const ciphertext = async function* (): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    const stream = encryptFileStream(inMemory ? source : hashed(), dataKey, context, {
      ...options,
      totalBytes,
      onProgress: (progress) => {
        bytes = progress.bytesDone;
        options.onProgress?.(progress);
      },
    });
    yield* stream;
    plaintextSize = bytes;
    // After the current turn, so the end of the upload is written out first.
    if (inMemory) setTimeout(startOneShotSha1, 0);
  };
  return {
    ciphertext: ciphertext(),
    ciphertextBytes: totalBytes === undefined ? undefined : encryptedFileSize(totalBytes, segmentLog2),
    async attachment() {
      if (plaintextSize === undefined)
        throw new Error('read the ciphertext to the end before asking for its Attachment');
      const oneShot = startOneShotSha1();
      const plaintextSha1 = oneShot ? await oneShot : hasher.digest();
      return {
        contentType: options.contentType ?? sniffContentType(head ?? new Uint8Array(0)) ?? 'application/octet-stream',
        size: plaintextSize,
        hash: btoa(String.fromCharCode(...plaintextSha1)),
        ...(options.title === undefined ? {} : { title: options.title }),
        creation: new Date().toISOString(),
        extension: [
          {
            url: ENCRYPTED_ATTACHMENT_URL,
            extension: [
              { url: 'format', valueCode: 'MLFS/1' },
              { url: 'index', valueUnsignedInt: options.attachmentIndex ?? 0 },
            ],
          },
        ],
      };
    },
  };
}

/**
 * The DocumentReference of an uploaded encrypted file, validated.
 * @param params - the attachment (with `url` set, e.g. `ipfs://<cid>`), the patient reference, and
 *   optionally the document type, a description and the date (default now)
 */
export function documentReferenceFor(params: {
  attachment: Attachment;
  subject: Reference;
  type?: CodeableConcept;
  description?: string;
  date?: string;
}): DocumentReference {
  return validateResource<DocumentReference>({
    resourceType: 'DocumentReference',
    status: 'current',
    ...(params.type ? { type: params.type } : {}),
    subject: params.subject,
    date: params.date ?? new Date().toISOString(),
    ...(params.description ? { description: params.description } : {}),
    content: [{ attachment: params.attachment }],
  });
}
