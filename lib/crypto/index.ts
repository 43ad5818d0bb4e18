/**
 * Client-side encryption for MedLedger: identity keys from wallet signatures, per-record data keys,
 * the per-epoch category key hierarchy with keyrings for grantees, streaming file encryption, and the
 * versioned envelope formats. See README.md for the design and threat model.
 */
export { randomBytes, sha256Digest } from './aead';
export { wipe } from './bytes';
export { CONTEXT_LENGTH, newRecordUid, type RecordContext } from './context';
export {
  deriveIdentityKey,
  ENCRYPTION_KEY_PURPOSE,
  ENCRYPTION_KEY_TYPES,
  encryptionKeyTypedData,
  generateIdentityKey,
  identityDeriveKey,
  identityKeyFromSecret,
  identitySharedSecret,
  sameSignature,
  type EncryptionKeyTypedData,
  type IdentityKey,
  type IdentitySecretOps,
  type OpaqueIdentityKey,
  type RawIdentityKey,
} from './identity';
export {
  importIdentityCryptoKeys,
  supportsWebCryptoIdentity,
  webCryptoIdentityKey,
  type IdentityCryptoKeys,
} from './webcrypto-identity';
export {
  forgetIdentity,
  KEEP_UNLOCKED_CHOICES,
  keepIdentity,
  keptIdentityId,
  MAX_KEEP_UNLOCKED_MS,
  recallIdentity,
  type KeptIdentity,
  type KeptIdentityStorage,
  type RecalledIdentity,
} from './kept-identity';
export {
  backupIdentityKey,
  DEFAULT_SCRYPT_PARAMS,
  inspectKeyBackup,
  MIN_PASSPHRASE_LENGTH,
  restoreIdentityKey,
  type KeyBackupInfo,
  type ScryptParams,
} from './backup';
export { enrollIdentity, type EnrollOptions, type Enrollment } from './enroll';
export { deriveKek, patientKekResolver, type KekResolver } from './kek';
export { createKeyring, MAX_KEYRING_EPOCHS, openKeyring, type Keyring, type KeyringTerms } from './keyring';
export {
  generateDataKey,
  inspectRecord,
  openRecord,
  rewrapRecord,
  sealRecord,
  type KeyWrapping,
  type OpenedRecord,
  type ReaderKeys,
} from './record';
export {
  byteChunks,
  checkFileHeader,
  DEFAULT_SEGMENT_LOG2,
  decryptFile,
  decryptFileStream,
  encryptFile,
  encryptFileStream,
  encryptedFileSize,
  FILE_HEADER_LENGTH,
  sourceSize,
  type ByteSource,
  type DecryptFileOptions,
  type EncryptedFile,
  type EncryptFileOptions,
  type FileProgress,
} from './file';
