/**
 * MedLedger's IPFS client side (browser and Node): Kubo-compatible CIDs, adding ciphertext, verified
 * fetches and pinning, all through a Kubo RPC API. The embedded node itself lives in `./node` and is
 * Node-only, so it is deliberately not re-exported here.
 */
export { addBytes, addStream, type AddBytesOptions, type AddStreamOptions, type UploadProgress } from './add';
export {
  DEFAULT_BLOB_CACHE_BYTES,
  lruBlobCache,
  memoryBlobStorage,
  type BlobCache,
  type BlobEntry,
  type BlobStorage,
  type LruBlobCacheOptions,
} from './blob-cache';
export { computeCid, KUBO_DEFAULT_UNIXFS, MEDLEDGER_UNIXFS, parseCid, type UnixfsParams } from './cid';
export { createIpfsClient, type KuboRPCClient } from './client';
export { fetchVerified, MAX_ATTACHMENT_BYTES, MAX_ENVELOPE_BYTES, type FetchVerifiedOptions } from './fetch';
export { fetchHead } from './head';
export { browserBlobCache, indexedDbBlobStorage } from './idb-cache';
export { collectGarbage, pin, unpin } from './pins';
export {
  DEFAULT_MAX_UPLOAD_BYTES,
  describeBytes,
  MAX_UPLOAD_BYTES_VARIABLE,
  readMaxUploadBytes,
  uploadTooLargeMessage,
} from './upload-limit';
