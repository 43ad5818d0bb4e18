import { encryptedFileSize } from '../../lib/crypto';

/**
 * Room left in an upload for the multipart framing around the ciphertext (boundaries, the part's
 * headers and its URI-encoded file name), which the IPFS client adds and the limit counts.
 */
const MULTIPART_ALLOWANCE = 4_096;

/**
 * The largest document (plaintext) whose encrypted upload fits in `maxUploadBytes`, so the file
 * picker refuses a file before encrypting it rather than the server after it has been sent.
 *
 * @param maxUploadBytes - The upload limit the server enforces (`MEDLEDGER_MAX_UPLOAD_BYTES`).
 * @returns A size in bytes, 0 when not even an empty file's ciphertext fits.
 */
export function largestDocumentBytes(maxUploadBytes: number): number {
  const room = maxUploadBytes - MULTIPART_ALLOWANCE;
  // The ciphertext adds a header and 16 bytes per 1 MiB segment; start just above and step down.
  let bytes = Math.max(0, Math.floor(room * (1_048_576 / 1_048_592)));
  while (bytes > 0 && encryptedFileSize(bytes) > room) bytes -= 1;
  return encryptedFileSize(bytes) > room ? 0 : bytes;
}
