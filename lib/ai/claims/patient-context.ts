/** The patient context of the claims review, read from the records a patient granted the insurer. */
import type { Bundle, Condition, Encounter, Patient, Resource } from '@medplum/fhirtypes';

import { referenceId } from './facts';
import type { PatientContext } from './types';

/**
 * Reads one patient's profile (gender, date of birth), Conditions and Encounters from their records.
 * Conditions and Encounters about someone else (their subject names another patient) are left out.
 *
 * @param source - the patient's decrypted records, as a Bundle or a list of resources
 * @param reference - how the insurer's claims refer to this patient; default `Patient/<id>` of the
 *   first Patient in `source` (or its `urn:uuid:` full URL in a Bundle when it has no id)
 * @returns the context; without a Patient resource it has only the reference, conditions and encounters
 */
export function patientContextOf(source: Bundle | readonly Resource[], reference?: string): PatientContext {
  const entries = Array.isArray(source)
    ? (source as readonly Resource[]).map((resource) => ({ resource, fullUrl: undefined as string | undefined }))
    : ((source as Bundle).entry ?? []).flatMap((entry) =>
        entry.resource ? [{ resource: entry.resource, fullUrl: entry.fullUrl }] : [],
      );
  const patientEntry = entries.find(
    (entry): entry is { resource: Patient; fullUrl: string | undefined } => entry.resource.resourceType === 'Patient',
  );
  const patient = patientEntry?.resource;
  const ids = new Set(
    [patient?.id, patientEntry?.fullUrl && referenceId(patientEntry.fullUrl)].filter((id): id is string => Boolean(id)),
  );
  if (reference) ids.add(referenceId(reference));
  const about = (subject: string | undefined): boolean =>
    subject === undefined || ids.size === 0 || ids.has(referenceId(subject));
  const conditions = entries
    .map((entry) => entry.resource)
    .filter(
      (resource): resource is Condition => resource.resourceType === 'Condition' && about(resource.subject?.reference),
    );
  const encounters = entries
    .map((entry) => entry.resource)
    .filter(
      (resource): resource is Encounter => resource.resourceType === 'Encounter' && about(resource.subject?.reference),
    );
  const fallback = patient?.id ? `Patient/${patient.id}` : (patientEntry?.fullUrl ?? '');
  return {
    reference: reference ?? fallback,
    gender: patient?.gender,
    birthDate: patient?.birthDate,
    conditions,
    encounters,
  };
}
