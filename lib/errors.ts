/**
 * Error classes shared by every part of MedLedger. Each failure kind has its own class so callers can
 * branch on it, and {@link describeError} turns any error into one sentence a person understands.
 */

/** Base class of every error MedLedger raises on purpose. */
export class MedLedgerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found while validating input, with the FHIR path (or field path) where it was found. */
export interface ValidationIssue {
  /** FHIRPath-style location, e.g. `Observation.valueQuantity.unit` or `entry[3].resource.status`. */
  readonly path: string;
  readonly message: string;
}

/** Input was checked and found invalid; `issues` lists every problem, not just the first. */
export class ValidationError extends MedLedgerError {
  readonly issues: readonly ValidationIssue[];
  /** What was invalid, without the issues ("Invalid FHIR Bundle"), for shortened lists. */
  readonly summary: string;

  constructor(issues: readonly ValidationIssue[], summary = 'Invalid input') {
    super(`${summary}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
    this.issues = issues;
    this.summary = summary;
  }
}

/** Data does not match what it claims to be (CID, hash, authentication tag): never decrypted or used. */
export class IntegrityError extends MedLedgerError {}

/** The acting account may not do this (not registered, no consent, expired, suspended …). */
export class AccessDeniedError extends MedLedgerError {}

/** Something that should exist does not (record, key, model, deployment). */
export class NotFoundError extends MedLedgerError {}

/**
 * The identity key a wallet gives is not the encryption key published on-chain for its account. Others
 * encrypt to the published key, so this one would open nothing; the message says what to do.
 */
export class KeyMismatchError extends MedLedgerError {
  /** The account whose published key differs. */
  readonly account: string;
  /** The published X25519 public key (0x-hex). */
  readonly published: string;
  /** The public key the wallet derived (0x-hex), or `undefined` when it cannot derive one reproducibly. */
  readonly derived: string | undefined;

  constructor(
    message: string,
    details: { account: string; published: string; derived: string | undefined },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.account = details.account;
    this.published = details.published;
    this.derived = details.derived;
  }
}

/** A service MedLedger depends on (chain RPC, IPFS) could not be reached or answered badly. */
export class ServiceUnavailableError extends MedLedgerError {}

/** A transaction was rejected by the wallet or reverted on-chain; `reason` is the decoded explanation. */
export class TransactionError extends MedLedgerError {
  readonly reason: string;

  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.reason = reason;
  }
}

/** One sentence describing any thrown value, for UIs and the CLI. */
export function describeError(error: unknown): string {
  if (error instanceof MedLedgerError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
