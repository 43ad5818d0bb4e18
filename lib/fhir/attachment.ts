/**
 * Files (PDF, images, DICOM) as records: the file is encrypted in segments under the data key of a
 * DocumentReference record version (see lib/crypto/file) and the DocumentReference describes it. Its
 * `attachment.hash` (SHA-1 of the plaintext, as FHIR R4 defines it) and size exist only inside the
 * encrypted DocumentReference; only the ciphertext's hash may go on-chain.
 */
import type { Attachment, CodeableConcept, DocumentReference, Reference } from '@medplum/fhirtypes';
import { sha1 } from '@noble/hashes/legacy.js';

import {
  byteChunks,
  encryptFile,
  type ByteSource,
  type EncryptedFile,
  type EncryptFileOptions,
  type RecordContext,
} from '../crypto';
import { toBufferSource } from '../crypto/bytes';
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

/** An encrypted file and the Attachment describing its plaintext (without `url`: set it to the CID). */
export interface EncryptedAttachment {
  readonly encrypted: EncryptedFile;
  readonly attachment: Attachment;
}

/**
 * Encrypts a file for a DocumentReference record, hashing the plaintext as it streams by.
 * @param source - the file (File/Blob in the browser, `fs.openAsBlob` or a stream in Node, bytes)
 * @param dataKey - the data key the DocumentReference record version will be sealed with
 * @param context - that record's context
 * @param options - content type, title, attachment index, segment size, progress
 */
export async function encryptAttachment(
  source: ByteSource,
  dataKey: Uint8Array,
  context: RecordContext,
  options: EncryptAttachmentOptions = {},
): Promise<EncryptedAttachment> {
  if (options.contentType !== undefined && !MIME.test(options.contentType)) {
    throw new ValidationError([{ path: 'contentType', message: `"${options.contentType}" is not a MIME type` }]);
  }
  // Bytes already in memory are hashed natively on a worker thread while they are encrypted (3x faster
  // than hashing in JavaScript, and in parallel); any other source is hashed as it streams by, never
  // held whole.
  const inMemory = source instanceof Uint8Array;
  const nativeSha1 = inMemory ? globalThis.crypto.subtle.digest('SHA-1', toBufferSource(source)) : undefined;
  const hasher = sha1.create();
  let head: Uint8Array | undefined = inMemory ? source.subarray(0, 132) : undefined;
  const hashed = async function* (): AsyncGenerator<Uint8Array> {
    for await (const chunk of byteChunks(source)) {
      head ??= chunk.slice(0, 132);
      hasher.update(chunk);
      yield chunk;
    }
  };
  const totalBytes =
    source instanceof Uint8Array ? source.length : source instanceof Blob ? source.size : options.totalBytes;
  const encrypted = await encryptFile(inMemory ? source : hashed(), dataKey, context, { ...options, totalBytes });
  const plaintextSha1 = nativeSha1 ? new Uint8Array(await nativeSha1) : hasher.digest();
  const attachmentIndex = options.attachmentIndex ?? 0;
  const attachment: Attachment = {
    contentType: options.contentType ?? sniffContentType(head ?? new Uint8Array(0)) ?? 'application/octet-stream',
    size: encrypted.plaintextSize,
    hash: btoa(String.fromCharCode(...plaintextSha1)),
    ...(options.title === undefined ? {} : { title: options.title }),
    creation: new Date().toISOString(),
    extension: [
      {
        url: ENCRYPTED_ATTACHMENT_URL,
        extension: [
          { url: 'format', valueCode: 'MLFS/1' },
          { url: 'index', valueUnsignedInt: attachmentIndex },
        ],
      },
    ],
  };
  return { encrypted, attachment };
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
