/**
 * What the app's SMART Health Link API takes and answers, shared by its clients (web app, CLI) and
 * its server.
 */
/** One manifest request the patient sees: when, who said they were, and what the server did. */
export interface LinkAccess {
  /** ISO 8601. */
  readonly time: string;
  readonly recipient: string;
  readonly outcome: 'served' | 'wrong-passcode' | 'no-passcode';
}

/** The longest encrypted file the server stores (characters of compact JWE). */
export const MAX_FILE_LENGTH = 16 * 1024 * 1024;

/** The longest a link may live. */
export const MAX_LIFETIME_SECONDS = 365 * 86_400;

/** The parameters of a signed `create`. */
export interface CreateLinkParams {
  /** Unix seconds. */
  readonly exp: number;
  readonly label?: string;
  /** Sent once, over the app's connection; the server keeps only its scrypt hash. */
  readonly passcode?: string;
  /** The category names of what is shared, shown back in the list. */
  readonly categories: readonly string[];
  /** The Bundle, encrypted under the link key the server never sees. */
  readonly jwe: string;
}

export type LinkStatus = 'active' | 'expired' | 'revoked' | 'disabled';

/** A link as its owner sees it in the list (no key: only the link itself holds it). */
export interface LinkSummary {
  readonly id: string;
  readonly label?: string;
  readonly categories: readonly string[];
  readonly createdAt: number;
  readonly exp: number;
  readonly passcode: boolean;
  readonly remainingAttempts?: number;
  readonly status: LinkStatus;
  readonly accesses: readonly LinkAccess[];
}
