/**
 * Validation issues as FHIR speaks them: each with a severity and an issue-type code
 * (https://hl7.org/fhir/R4/valueset-issue-type.html), and as an OperationOutcome.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';

import type { ValidationIssue } from '../errors';

/** The FHIR issue types the validator reports. */
export type IssueType =
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'code-invalid'
  | 'not-found'
  | 'not-supported'
  | 'duplicate'
  | 'invalid'
  | 'exception';

/** A validation issue with its FHIR severity and issue type. */
export interface FhirIssue extends ValidationIssue {
  readonly severity: 'error' | 'warning';
  readonly code: IssueType;
}

const isFhirIssue = (issue: ValidationIssue): issue is FhirIssue => 'code' in issue && 'severity' in issue;

/**
 * An OperationOutcome listing issues, or one `informational` issue saying all is well when there are none.
 * @param issues - issues with paths; those without a FHIR code are reported as errors of type `invalid`
 */
export function operationOutcome(issues: readonly ValidationIssue[]): OperationOutcome {
  if (issues.length === 0) {
    return {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', details: { text: 'valid' } }],
    };
  }
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((issue) => ({
      severity: isFhirIssue(issue) ? issue.severity : 'error',
      code: isFhirIssue(issue) ? issue.code : 'invalid',
      details: { text: issue.message },
      expression: [issue.path],
    })),
  };
}
