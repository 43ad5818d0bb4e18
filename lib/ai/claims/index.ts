/**
 * Client-side fraud and anomaly detection for an insurer's FHIR R4 Claims: `reviewClaims` (pure rules
 * and features, synchronous) and `ClaimScorer` / `scoreClaims` (the approved ONNX model on
 * onnxruntime). Everything runs where the claims were decrypted; nothing is sent anywhere.
 */
export { buildAmountReference } from './amounts';
export { DEMOGRAPHIC_RESTRICTIONS, LAB_PANELS } from './codes';
export type { DemographicRestriction, LabPanel } from './codes';
export { patientContextOf } from './patient-context';
export { DEFAULT_CLAIM_RULE_OPTIONS, featureRow, reviewClaims, ruleScoreOf, SEVERITY_WEIGHT } from './review';
export { ClaimScorer, combineScores, scoreClaims } from './score';
export type { ClaimScorerOptions, ClaimScoringStage, ScoredClaim } from './score';
export { CLAIM_FEATURES } from './types';
export type {
  AmountReference,
  AmountStats,
  ClaimContext,
  ClaimFeatureName,
  ClaimFlag,
  ClaimFlagKind,
  ClaimReview,
  ClaimRuleOptions,
  ClaimSeverity,
  PatientContext,
} from './types';
