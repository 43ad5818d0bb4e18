/**
 * Why a provider read a patient's records: a small number on-chain (`Audit.logAccess`), meaning one of
 * the HL7 PurposeOfUse codes (v3 ActReason) below, plus MedLedger's own code for a read made to compute
 * risk scores. Defined once here for the chain, the audit trail and the FHIR `AuditEvent` export.
 */
import type { Coding } from '@medplum/fhirtypes';

/** HL7's code system of the purposes of use. */
export const PURPOSE_OF_USE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/** MedLedger's code system for purposes HL7 has no code for. */
export const MEDLEDGER_PURPOSE_SYSTEM = 'https://medledger.dev/fhir/CodeSystem/purpose-of-use';

export interface PurposeOfUse {
  /** The number `logAccess` takes (1–255; 0 is refused). */
  readonly value: number;
  /** The name the CLI takes, e.g. `--purpose emergency`. */
  readonly name: string;
  /** How the audit trail says it. */
  readonly label: string;
  /** How a sentence gives it after a verb: "for treatment", "at the patient’s request". */
  readonly phrase: string;
  readonly coding: Coding;
}

const hl7 = (code: string, display: string): Coding => ({ system: PURPOSE_OF_USE_SYSTEM, code, display });
/** A purpose a sentence gives as "for <label>". */
const said = (label: string) => ({ label, phrase: `for ${label}` });

/** Every purpose a read can be logged with, by on-chain value. */
export const PURPOSES_OF_USE: readonly PurposeOfUse[] = [
  { value: 1, name: 'treatment', ...said('treatment'), coding: hl7('TREAT', 'treatment') },
  { value: 2, name: 'emergency', ...said('emergency treatment'), coding: hl7('ETREAT', 'emergency treatment') },
  { value: 3, name: 'payment', ...said('payment'), coding: hl7('HPAYMT', 'healthcare payment') },
  { value: 4, name: 'operations', ...said('healthcare operations'), coding: hl7('HOPERAT', 'healthcare operations') },
  {
    value: 5,
    name: 'patient-request',
    label: 'at the patient’s request',
    phrase: 'at the patient’s request',
    coding: hl7('PATRQT', 'patient requested'),
  },
  { value: 6, name: 'care-coordination', ...said('care coordination'), coding: hl7('COC', 'coordination of care') },
  { value: 7, name: 'research', ...said('research'), coding: hl7('HRESCH', 'healthcare research') },
  { value: 8, name: 'public-health', ...said('public health'), coding: hl7('PUBHLTH', 'public health') },
  {
    value: 9,
    name: 'risk-assessment',
    ...said('risk assessment'),
    coding: {
      system: MEDLEDGER_PURPOSE_SYSTEM,
      code: 'risk-assessment',
      display: 'risk assessment (decision support)',
    },
  },
];

/** The purpose a clinician's read is logged with unless it says otherwise. */
export const DEFAULT_PURPOSE = PURPOSES_OF_USE[0]!;

/** The purpose with that name (`treatment`, `risk-assessment` …). */
export function purposeNamed(name: string): PurposeOfUse | undefined {
  return PURPOSES_OF_USE.find((purpose) => purpose.name === name);
}

/** The purpose an on-chain value means; values without a meaning here say their number. */
export function purposeOf(value: number): PurposeOfUse {
  return (
    PURPOSES_OF_USE.find((purpose) => purpose.value === value) ?? {
      value,
      name: `purpose-${value}`,
      label: `purpose ${value}`,
      phrase: `for purpose ${value}`,
      coding: { system: MEDLEDGER_PURPOSE_SYSTEM, code: `unknown-${value}`, display: `purpose ${value}` },
    }
  );
}
