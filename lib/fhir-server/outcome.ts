/**
 * How the FHIR server says no: an `OperationOutcome` with one issue (a FHIR issue type code and one
 * sentence) and the HTTP status that goes with it. Every refusal and failure is one of these, never
 * data.
 */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

import {
  AccessDeniedError,
  IntegrityError,
  MedLedgerError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
  describeError,
} from '../errors';

/** The FHIR issue type codes this server answers with. */
export type IssueCode = Extract<
  OperationOutcomeIssue['code'],
  'forbidden' | 'not-found' | 'not-supported' | 'invalid' | 'exception' | 'transient' | 'processing' | 'informational'
>;

/** A request the server refuses or cannot answer: the HTTP status, the issue code and a sentence. */
export class FhirHttpError extends MedLedgerError {
  readonly status: number;
  readonly code: IssueCode;

  constructor(status: number, code: IssueCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}

/**
 * An OperationOutcome with one issue.
 *
 * @param code - the FHIR issue type
 * @param text - the sentence a person reads
 * @param severity - `error` unless said
 */
export function operationOutcome(
  code: IssueCode,
  text: string,
  severity: OperationOutcomeIssue['severity'] = 'error',
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics: text, details: { text } }] };
}

/**
 * Any thrown value as the HTTP status and OperationOutcome the server answers with: MedLedger's
 * error kinds keep their meaning (no access → 403, missing → 404, invalid → 400, tampered → 502,
 * node or chain down → 503), anything else is a 500 with its sentence.
 *
 * @param error - what a handler threw
 */
export function outcomeOf(error: unknown): { status: number; outcome: OperationOutcome } {
  const text = describeError(error);
  if (error instanceof FhirHttpError) return { status: error.status, outcome: operationOutcome(error.code, text) };
  if (error instanceof AccessDeniedError) return { status: 403, outcome: operationOutcome('forbidden', text) };
  if (error instanceof NotFoundError) return { status: 404, outcome: operationOutcome('not-found', text) };
  if (error instanceof ValidationError) return { status: 400, outcome: operationOutcome('invalid', text) };
  if (error instanceof IntegrityError) return { status: 502, outcome: operationOutcome('processing', text) };
  if (error instanceof ServiceUnavailableError) return { status: 503, outcome: operationOutcome('transient', text) };
  return { status: 500, outcome: operationOutcome('exception', text) };
}

/** 403: the wallet may not read this. */
export const forbidden = (message: string) => new FhirHttpError(403, 'forbidden', message);
/** 404: nothing by that name among what the wallet may read. */
export const notFound = (message: string) => new FhirHttpError(404, 'not-found', message);
/** 400: a request the server does not understand. */
export const invalid = (message: string) => new FhirHttpError(400, 'invalid', message);
/** 400/404/405: a request for something this server does not do. */
export const notSupported = (message: string, status = 400) => new FhirHttpError(status, 'not-supported', message);
