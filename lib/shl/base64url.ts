/**
 * Base64url without padding (RFC 4648 §5), the alphabet of SMART Health Link payloads, keys and JWE
 * parts. Written over `btoa`/`atob` so the same code runs in the browser and in Node.
 */
import { ValidationError } from '../errors';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Bytes as base64url text without padding.
 *
 * @param bytes - what to encode
 */
export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Base64url text (padding not allowed) as bytes.
 *
 * @param text - the encoded text
 * @param what - what the text is, named in the error
 * @throws {@link ValidationError} when the text is not base64url
 */
export function fromBase64url(text: string, what = 'base64url'): Uint8Array<ArrayBuffer> {
  if (!BASE64URL.test(text) || text.length % 4 === 1) {
    throw new ValidationError([{ path: what, message: 'is not base64url text' }]);
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** UTF-8 text as base64url. */
export function textToBase64url(text: string): string {
  return toBase64url(new TextEncoder().encode(text));
}

/** Base64url as UTF-8 text (invalid UTF-8 fails). */
export function base64urlToText(text: string, what = 'base64url'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(text, what));
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError([{ path: what, message: 'is not UTF-8 text' }]);
  }
}
