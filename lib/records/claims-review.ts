/**
 * The insurer's review of its claims queue, on this machine: lib/ai's claim rules (duplicates, sex- and
 * age-specific services, price outliers, unbundled panels, split encounters, provider bursts, services
 * without an encounter, diagnoses the record lacks) over the decrypted Claims, compared with each other
 * and with what each patient's records the insurer may read say. Nothing leaves the machine.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { type ClaimReview, type PatientContext, patientContextOf, reviewClaims } from '../ai/claims';
import { PROFILE_CATEGORIES, RECORD_CATEGORIES, decodeScopes, purposeNamed, readMedLedger } from '../chain';
import type { ClaimView } from './claims';
import { readRecords } from './read';
import { type Vault, actorOf } from './vault';

/** The record categories the rules read about a patient: the profile (sex, age), conditions, encounters. */
const CONTEXT_CATEGORIES: readonly number[] = [
  ...PROFILE_CATEGORIES,
  RECORD_CATEGORIES.condition,
  RECORD_CATEGORIES.encounter,
];

/**
 * What the insurer may read about `patient` that the rules use: the categories of
 * {@link CONTEXT_CATEGORIES} its live grant covers, read (and logged, for payment) through the
 * pipeline. Without such a grant the context names the patient only, and the rules that need more are
 * skipped for them, never guessed.
 */
async function patientContext(vault: Vault, patient: Address, logAccess: boolean): Promise<PatientContext> {
  const reference = `Patient/${patient}`;
  const insurer = actorOf(vault);
  const grant = await readMedLedger(vault.chain, 'grantOf', [patient, insurer]);
  const readable = decodeScopes(grant.scopes).read.filter((category) => CONTEXT_CATEGORIES.includes(category));
  if (readable.length === 0 || !(await readMedLedger(vault.chain, 'hasAccess', [patient, insurer, grant.scopes]))) {
    return { reference };
  }
  const records = await readRecords(vault, patient, {
    categories: readable,
    logAccess,
    purpose: purposeNamed('payment')!,
  });
  const resources: Resource[] = records.flatMap((record) =>
    record.ok && !record.superseded ? [record.payload.resource] : [],
  );
  return patientContextOf(resources, reference);
}

/**
 * Reviews the claims of an insurer's queue with lib/ai's rules. Each Claim is reviewed under its
 * on-chain number as its id, so a flag's message ("as claim 3, submitted earlier") names claims as
 * the insurer knows them. Claims this wallet could not open get no review.
 *
 * @param vault - the insurer
 * @param claims - its queue, as {@link listClaims} opened it
 * @param options - whether the patient records read for the review are logged on-chain (default yes)
 * @returns a review per opened claim, by claim number
 */
export async function reviewClaimQueue(
  vault: Vault,
  claims: readonly ClaimView[],
  options: { logAccess?: boolean } = {},
): Promise<Map<bigint, ClaimReview>> {
  const opened = claims.flatMap((view) =>
    view.claim.ok ? [{ view, claim: { ...view.claim.resource, id: view.claimId.toString() } }] : [],
  );
  if (opened.length === 0) return new Map();
  const patients = [...new Set(opened.map(({ view }) => view.ref.patient))];
  const contexts = await Promise.all(
    patients.map((patient) => patientContext(vault, patient, options.logAccess !== false)),
  );
  const reviews = reviewClaims(
    opened.map(({ claim }) => claim),
    { patients: contexts },
  );
  return new Map(opened.map(({ view }, index) => [view.claimId, reviews[index]!]));
}
