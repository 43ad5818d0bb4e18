/**
 * Claim statuses: the codes the Claims contract stores (`IClaims.ClaimStatus`), their names and what
 * people call them. Defined once here for the chain helpers, the error sentences and every front end.
 */

/** Status names by on-chain code: index 0 means "no such claim". */
export const CLAIM_STATUSES = ['none', 'submitted', 'approved', 'denied', 'paid'] as const;

export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** What people call each status. */
export const CLAIM_STATUS_LABELS: Readonly<Record<ClaimStatus, string>> = {
  none: 'Unknown',
  submitted: 'Submitted',
  approved: 'Approved',
  denied: 'Denied',
  paid: 'Paid',
};

/**
 * The status of an on-chain code.
 *
 * @param code - a `ClaimStatus` value
 * @returns its name; `none` for codes this client does not know
 */
export function claimStatusOf(code: number): ClaimStatus {
  return CLAIM_STATUSES[code] ?? 'none';
}

/** The on-chain code of a status. */
export function claimStatusCode(status: ClaimStatus): number {
  return CLAIM_STATUSES.indexOf(status);
}
