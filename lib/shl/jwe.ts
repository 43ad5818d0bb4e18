/**
 * JWE compact serialization (RFC 7516) with `alg: dir` and `enc: A256GCM`, the only form SMART Health
 * Link files take, over WebCrypto so it runs in the browser and in Node alike. With `zip: DEF` the
 * plaintext is raw DEFLATE-compressed first (RFC 1951, no zlib header), as the spec allows.
 */
import { IntegrityError, ValidationError } from '../errors';
import { base64urlToText, fromBase64url, textToBase64url, toBase64url } from './base64url';
import { keyBytes } from './payload';

/** The protected header of a SMART Health Link file. */
export interface ShlJweHeader {
  readonly alg: 'dir';
  readonly enc: 'A256GCM';
  /** The content type of the plaintext, e.g. `application/fhir+json`. */
  readonly cty: string;
  readonly zip?: 'DEF';
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

async function aesKey(key: string, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', keyBytes(key), 'AES-GCM', false, [usage]);
}

async function transform(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const output = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(output).arrayBuffer());
}

/**
 * Encrypts `plaintext` under the link key as a compact JWE. Each call draws a fresh 96-bit IV, so the
 * files of one link never share a nonce.
 *
 * @param plaintext - the file's bytes
 * @param key - the link key (43 base64url characters)
 * @param options - `cty`, the plaintext's content type; `zip` to DEFLATE it first
 */
export async function encryptJwe(
  plaintext: Uint8Array,
  key: string,
  options: { cty: string; zip?: boolean },
): Promise<string> {
  const header: ShlJweHeader = { alg: 'dir', enc: 'A256GCM', cty: options.cty, ...(options.zip ? { zip: 'DEF' } : {}) };
  const protectedHeader = textToBase64url(JSON.stringify(header));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const content = options.zip ? await transform(plaintext, new CompressionStream('deflate-raw')) : plaintext;
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      // The AAD is the ASCII of the encoded protected header (RFC 7516 §5.1, step 14).
      { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(protectedHeader), tagLength: TAG_BYTES * 8 },
      await aesKey(key, 'encrypt'),
      content as Uint8Array<ArrayBuffer>,
    ),
  );
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  // `dir` has no encrypted key: the second part is empty.
  return `${protectedHeader}..${toBase64url(iv)}.${toBase64url(ciphertext)}.${toBase64url(tag)}`;
}

/**
 * Decrypts a compact JWE made with `dir` + `A256GCM` (and optionally `zip: DEF`) under the link key.
 *
 * @param jwe - the compact serialization
 * @param key - the link key
 * @returns the protected header and the plaintext
 * @throws {@link ValidationError} when it is not such a JWE; {@link IntegrityError} when the key does
 *   not open it or it was altered
 */
export async function decryptJwe(jwe: string, key: string): Promise<{ header: ShlJweHeader; plaintext: Uint8Array }> {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new ValidationError([{ path: 'jwe', message: 'is not a compact JWE (5 parts)' }]);
  const [encodedHeader, encryptedKey, encodedIv, encodedCiphertext, encodedTag] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  let header: ShlJweHeader;
  try {
    header = JSON.parse(base64urlToText(encodedHeader, 'jwe header')) as ShlJweHeader;
  } catch {
    throw new ValidationError([{ path: 'jwe header', message: 'is not base64url JSON' }]);
  }
  if (header.alg !== 'dir' || header.enc !== 'A256GCM' || encryptedKey !== '') {
    throw new ValidationError([{ path: 'jwe header', message: 'must be alg "dir", enc "A256GCM", no encrypted key' }]);
  }
  if (header.zip !== undefined && header.zip !== 'DEF') {
    throw new ValidationError([{ path: 'jwe header', message: `zip "${String(header.zip)}" is not DEF` }]);
  }
  const iv = fromBase64url(encodedIv, 'jwe iv');
  const tag = fromBase64url(encodedTag, 'jwe tag');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new ValidationError([{ path: 'jwe', message: 'needs a 96-bit IV and a 128-bit tag' }]);
  }
  const ciphertext = fromBase64url(encodedCiphertext, 'jwe ciphertext');
  const sealed = new Uint8Array(ciphertext.length + TAG_BYTES);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  let content: Uint8Array;
  try {
    content = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(encodedHeader), tagLength: TAG_BYTES * 8 },
        await aesKey(key, 'decrypt'),
        sealed,
      ),
    );
  } catch (error) {
    throw new IntegrityError('The file does not open with this link key: wrong key, or altered.', { cause: error });
  }
  const plaintext = header.zip === 'DEF' ? await transform(content, new DecompressionStream('deflate-raw')) : content;
  return { header, plaintext };
}
