/**
 * The insurer's review of its claims queue, on this machine: lib/ai's claim rules (duplicates, sex- and
 * age-specific services, price outliers, unbundled panels, split encounters, provider bursts, services
 * without an encounter, diagnoses the record lacks) over the decrypted Claims, compared with each other
 * and with what each patient's records the insurer may read say. Nothing leaves the machine.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { type PatientContext, patientContextOf, reviewClaims } from '../ai/claims';
import { PROFILE_CATEGORIES, RECORD_CATEGORIES } from '../chain';
import type { ClaimQueueReview, ClaimView, QueuePatientRecords, ReviewedPatient } from './claims';

/** The record categories the rules read about a patient: the profile (sex, age), conditions, encounters. */
const CONTEXT_CATEGORIES: readonly number[] = [
  ...PROFILE_CATEGORIES,
  RECORD_CATEGORIES.condition,
  RECORD_CATEGORIES.encounter,
];

/**
 * What the insurer may read about `patient` that the rules use: the categories of
 * {@link CONTEXT_CATEGORIES} its live grant covers, read through the records the listing unlocked (and
 * logged with its read, for payment). Without such a grant the context names the patient only, and the
 * rules that need more are skipped for them, never guessed.
 */
async function patientContext(
  patient: Address,
  records: QueuePatientRecords | undefined,
): Promise<{ context: PatientContext; reviewed: ReviewedPatient }> {
  const reference = `Patient/${patient}`;
  const categories = (records?.readable ?? []).filter((category) => CONTEXT_CATEGORIES.includes(category));
  if (!records || categories.length === 0) return { context: { reference }, reviewed: { patient, categories } };
  const resources: Resource[] = (await records.read(categories)).flatMap((record) =>
    record.ok && !record.superseded ? [record.payload.resource] : [],
  );
  return { context: patientContextOf(resources, reference), reviewed: { patient, categories } };
}

/**
 * Reviews the claims of an insurer's queue with lib/ai's rules. Each Claim is reviewed under its
 * on-chain number as its id, so a flag's message ("as claim 3, submitted earlier") names claims as
 * the insurer knows them. Claims this wallet could not open get no review.
 *
 * @param claims - the queue, as {@link listClaims} opened it
 * @param records - each patient's records as {@link listClaims} unlocked them for the insurer
 * @returns a review per opened claim, by claim number, and for each of their patients which
 *   categories of records the rules read (none when the patient's grant does not, or no longer, let
 *   the insurer read any)
 */
export async function reviewClaimQueue(
  claims: readonly ClaimView[],
  records: ReadonlyMap<Address, QueuePatientRecords>,
): Promise<ClaimQueueReview> {
  const opened = claims.flatMap((view) =>
    view.claim.ok ? [{ view, claim: { ...view.claim.resource, id: view.claimId.toString() } }] : [],
  );
  if (opened.length === 0) return { reviews: new Map(), patients: [] };
  const patients = [...new Set(opened.map(({ view }) => view.ref.patient))];
  const contexts = await Promise.all(patients.map((patient) => patientContext(patient, records.get(patient))));
  const reviews = reviewClaims(
    opened.map(({ claim }) => claim),
    { patients: contexts.map(({ context }) => context) },
  );
  return {
    reviews: new Map(opened.map(({ view }, index) => [view.claimId, reviews[index]!])),
    patients: contexts.map(({ reviewed }) => reviewed),
  };
}
