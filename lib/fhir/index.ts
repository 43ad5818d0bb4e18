/**
 * FHIR R4 for MedLedger: parsing and structural validation of the resources a patient record holds,
 * Bundle import/export, and files as DocumentReference + encrypted attachment.
 */
export { parseJson } from './json';
export { isModelledResourceType, resourceIssues, validateResource } from './validate';
export {
  exportBundle,
  importBundle,
  IMPORTABLE_BUNDLE_TYPES,
  type ImportableBundleType,
  type ImportedBundle,
  type RecordDraft,
} from './bundle';
export {
  documentReferenceFor,
  ENCRYPTED_ATTACHMENT_URL,
  encryptAttachment,
  sniffContentType,
  type EncryptAttachmentOptions,
  type AttachmentEncryption,
} from './attachment';
