/**
 * The SMART Health Link manifest protocol (IG STU1, "SMART Health Link Manifest Request"): what a
 * receiver POSTs to the manifest URL and what the sharing server answers.
 */
import { ValidationError, type ValidationIssue } from '../errors';

/** The content type of every file MedLedger shares: a FHIR Bundle (type collection). */
export const FHIR_JSON = 'application/fhir+json';

/** The body of a manifest request. */
export interface ManifestRequest {
  /** Who is asking, as the receiving user would recognise it; shown to the patient. */
  readonly recipient: string;
  /** Required when the link has the `P` flag. */
  readonly passcode?: string;
  /** The longest `embedded` JWE the receiver takes; longer files come as `location`. */
  readonly embeddedLengthMax?: number;
}

/** One file of a manifest: embedded, or at a short-lived URL. */
export type ManifestFile = {
  readonly contentType: string;
  readonly lastUpdated?: string;
  readonly status?: 'finalized' | 'can-change' | 'entered-in-error' | 'no-longer-valid' | 'retracted';
  readonly fhirVersion?: string;
} & ({ readonly embedded: string } | { readonly location: string });

export interface Manifest {
  readonly files: readonly ManifestFile[];
}

/** The body of a 401 answer to a wrong or missing passcode. */
export interface PasscodeRefusal {
  readonly remainingAttempts: number;
}

/** The longest recipient text the server keeps. */
export const MAX_RECIPIENT_LENGTH = 200;

/**
 * A manifest request body checked against the spec: `recipient` a non-empty string, `passcode` a
 * string if present, `embeddedLengthMax` a non-negative whole number if present.
 *
 * @param body - the parsed JSON body
 * @throws {@link ValidationError} naming every field that is wrong
 */
export function parseManifestRequest(body: unknown): ManifestRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([{ path: '$', message: 'the body must be a JSON object' }], 'Invalid manifest request');
  }
  const { recipient, passcode, embeddedLengthMax } = body as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (typeof recipient !== 'string' || recipient.trim() === '') {
    issues.push({ path: 'recipient', message: 'name who is receiving the data' });
  } else if (recipient.length > MAX_RECIPIENT_LENGTH) {
    issues.push({ path: 'recipient', message: `at most ${MAX_RECIPIENT_LENGTH} characters` });
  }
  if (passcode !== undefined && typeof passcode !== 'string')
    issues.push({ path: 'passcode', message: 'must be text' });
  if (
    embeddedLengthMax !== undefined &&
    (typeof embeddedLengthMax !== 'number' || !Number.isInteger(embeddedLengthMax) || embeddedLengthMax < 0)
  ) {
    issues.push({ path: 'embeddedLengthMax', message: 'must be a whole number of characters' });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid manifest request');
  return {
    recipient: (recipient as string).trim(),
    ...(passcode !== undefined ? { passcode: passcode as string } : {}),
    ...(embeddedLengthMax !== undefined ? { embeddedLengthMax: embeddedLengthMax as number } : {}),
  };
}
