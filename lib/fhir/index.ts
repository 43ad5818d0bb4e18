/**
 * FHIR R4 for MedLedger: parsing and structural validation of the resources a patient record holds,
 * Bundle import/export, files as DocumentReference + encrypted attachment, and resources in words.
 */
export { numberJson, parseJson, stringifyJson } from './json';
export { isModelledResourceType, resourceIssues, validateResource } from './validate';
export { aboutOwner, comparePatients, hasDemographics, patientLabel, type PatientComparison } from './patient';
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
export {
  addressText,
  attachmentText,
  bloodPressureOf,
  bloodPressureText,
  clinicalDate,
  clinicalSummary,
  clinicalTime,
  CODE_SYSTEM_NAMES,
  codeIn,
  codingText,
  compareClinical,
  compareTimes,
  conceptText,
  dateValue,
  formatDate,
  formatNumber,
  humanNameText,
  LOINC,
  LOINC_DISPLAY,
  moneyText,
  narrativeText,
  observationValueText,
  periodText,
  quantityText,
  referenceText,
  resourceTitle,
  telecomText,
  unitText,
  valueWithUnit,
} from './display';
