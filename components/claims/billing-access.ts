/**
 * The consent billing takes: read and write Billing & insurance, for the doctor or lab that bills (to
 * file the Claim and hold the key the insurer opens it with) and for the insurer (to open claims and
 * file its decisions). Pure functions, no React.
 */
import type { PatientGrant, ProviderAccess } from '../../lib/chain/activity';
import { RECORD_CATEGORIES, scopesFor } from '../../lib/chain/categories';

/** Read and write Billing & insurance, and nothing else. */
export const BILLING_RW = scopesFor([RECORD_CATEGORIES.billing], { read: true, write: true });

/** Whether a patient's grant (their side) lets its holder take part in claims right now. */
export function holdsBillingAccess(grant: Pick<ProviderAccess, 'active' | 'scopes'> | undefined): boolean {
  return Boolean(grant?.active && (grant.scopes & BILLING_RW) === BILLING_RW);
}

/** Whether a provider may bill for the patient of this grant (its side) right now. */
export function billsFor(grant: Pick<PatientGrant, 'status' | 'scopes'>): boolean {
  return holdsBillingAccess({ active: grant.status === 'active', scopes: grant.scopes });
}
