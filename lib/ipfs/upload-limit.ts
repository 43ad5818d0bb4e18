/**
 * The largest upload MedLedger takes, one setting shared by the embedded node (`/api/v0/add`), the
 * web app's `/api/ipfs` proxy and the web app's file picker: `MEDLEDGER_MAX_UPLOAD_BYTES`.
 */

/** Default upload limit: 2 GiB of request body, enough for a CT or MRI study. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1_073_741_824;

/** The environment variable that sets the limit, in bytes. */
export const MAX_UPLOAD_BYTES_VARIABLE = 'MEDLEDGER_MAX_UPLOAD_BYTES';

/**
 * Reads the upload limit from `MEDLEDGER_MAX_UPLOAD_BYTES` (a positive whole number of bytes), or
 * the default when it is unset or empty.
 *
 * @param env - The environment to read (`process.env` on a server).
 * @throws Error naming the variable when its value is not a positive whole number of bytes.
 */
export function readMaxUploadBytes(env: Readonly<Record<string, string | undefined>>): number {
  const value = env[MAX_UPLOAD_BYTES_VARIABLE]?.trim();
  if (value === undefined || value === '') return DEFAULT_MAX_UPLOAD_BYTES;
  const bytes = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new Error(
      `${MAX_UPLOAD_BYTES_VARIABLE}=${JSON.stringify(value)} is not an upload limit: give a positive whole number of bytes (default ${DEFAULT_MAX_UPLOAD_BYTES}, 2 GiB).`,
    );
  }
  return bytes;
}

/**
 * A byte count as people read it: `2 GiB`, `20.0 MiB`, `512 bytes`.
 *
 * @param bytes - A non-negative number of bytes.
 */
export function describeBytes(bytes: number): string {
  if (bytes >= 1_073_741_824) {
    const gib = bytes / 1_073_741_824;
    return `${Number.isInteger(gib) ? gib : gib.toFixed(2)} GiB`;
  }
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * The sentence every part of the upload path answers with past the limit.
 *
 * @param maxUploadBytes - The limit that was exceeded.
 */
export function uploadTooLargeMessage(maxUploadBytes: number): string {
  return `The upload is larger than this MedLedger's limit of ${describeBytes(maxUploadBytes)} (${maxUploadBytes} bytes, ${MAX_UPLOAD_BYTES_VARIABLE}); nothing was stored.`;
}
