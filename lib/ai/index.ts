/**
 * Client-side AI of MedLedger: risk models on decrypted FHIR data, interaction flags, plausibility
 * checks, unusual-access detection and the insurer's claims fraud review. Isomorphic (browser and
 * Node); Node-only helpers (onnxruntime-node, reading shipped files) live in `lib/ai/node`.
 */
export { registryApproval } from './approval';
export type { ApprovalLookup, ModelApproval } from './approval';
export { assessBundle, RiskEngine } from './assess';
export type { AssessOptions, RiskEngineOptions, RiskInput, RiskResult, RiskStatus } from './assess';
export { bandOf, CLAIMS_FRAUD, DIABETES_PIMA, FRAMINGHAM_BMI, FRAMINGHAM_LIPID, HEART_DISEASE_CLEVELAND, MODELS } from './catalog';
export type { FeatureSpec, ModelSpec, RiskBand } from './catalog';
export {
  buildAmountReference,
  CLAIM_FEATURES,
  ClaimScorer,
  combineScores,
  DEFAULT_CLAIM_RULE_OPTIONS,
  DEMOGRAPHIC_RESTRICTIONS,
  featureRow,
  LAB_PANELS,
  patientContextOf,
  reviewClaims,
  scoreClaims,
} from './claims';
export type {
  AmountReference,
  AmountStats,
  ClaimContext,
  ClaimFeatureName,
  ClaimFlag,
  ClaimFlagKind,
  ClaimReview,
  ClaimRuleOptions,
  ClaimScorerOptions,
  ClaimScoringStage,
  ClaimSeverity,
  DemographicRestriction,
  LabPanel,
  PatientContext,
  ScoredClaim,
} from './claims';
export { checkInteractions, interactionsAmong, ONC_HIGH_PRIORITY_DDI } from './ddi';
export type { InteractionFlag, InteractionSide } from './ddi';
export { assessmentInstant, completedYears, extractFeatures } from './features';
export type { ExtractedFeature, FeatureExtraction } from './features';
export { activeMedications } from './fhir';
export type { ActiveMedication, ResourceSource } from './fhir';
export { boundsOf, classifyValue, MEASUREMENT_BOUNDS } from './bounds';
export type { Limits, MeasurementBounds } from './bounds';
export { checkBundle, checkObservation, plausibilityWarnings, reviewEntry } from './plausibility';
export type { EntryReview, PlausibilityCode, PlausibilityWarning } from './plausibility';
export { assessPatientBundle, recordsBundle, scoreModels } from './report';
export type {
  BundleAssessment,
  LocatedWarning,
  ModelCardSummary,
  ModelReport,
  ReportRecord,
  ScoreOptions,
  ScoringStage,
  SourceRecord,
  TrendPoint,
} from './report';
export { assertApproved, modelHash, ortBackend } from './runtime';
export type { ApprovalCheck, InferenceBackend, ModelLoader, RiskOutputs, RiskSession } from './runtime';
export { createWebBackend, fetchModelLoader } from './runtime-web';
export type { WebBackendOptions } from './runtime-web';
export { convert, normaliseUnit } from './units';
export { detectUnusualAccess, reviewProviders } from './unusual-access';
export type { AccessEvent, ProviderVerdict, UnusualAccessFinding, UnusualAccessOptions } from './unusual-access';
