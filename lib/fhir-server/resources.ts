/**
 * The resources a FHIR server serves from decrypted records: each with an id a client can read it
 * back by, and references that resolve on the server.
 *
 * - Ids: a resource keeps its own id when it has a valid one that no other served resource of its
 *   type has; otherwise it gets `ml-` + its record uid, which every correction of the record keeps,
 *   so the id is stable across versions and restarts.
 * - The Patient: one per patient, with the patient's checksummed address as id. It is the profile the
 *   chain points at when the reader may open it, else the newest Patient record; other Patient records
 *   (the Patient of each imported file) are the same person and are not served again.
 * - References: `urn:uuid:` fullUrls and `Type/old-id` references inside one patient's records are
 *   rewritten to `Type/served-id`, so `Observation.subject` leads to `Patient/0x…`.
 *
 * Resources are changed in place (only `id` and `reference` strings), so everything else about them,
 * the text of their decimals included, stays as decrypted.
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { RECORD_CATEGORIES } from '../chain/categories';
import { stringifyJson } from '../fhir/json';

/** One opened, current record of a patient, as the record pipeline gave it. */
export interface LoadedRecord {
  readonly patient: Address;
  readonly recordId: bigint;
  readonly category: number;
  /** When it was anchored, Unix seconds (chain time). */
  readonly createdAt: number;
  /** The record uid every version of the record shares (0x + 32 hex). */
  readonly recordUid: string;
  readonly resource: Resource;
  /** The fullUrl of the Bundle entry it was imported from, which other records may reference. */
  readonly fullUrl?: string;
}

/** A resource as the server serves it. */
export interface ServedResource {
  readonly patient: Address;
  readonly resourceType: string;
  readonly id: string;
  readonly resource: Resource;
  readonly category: number;
  /** The record it comes from; none for a profile the chain points at directly. */
  readonly recordId?: bigint;
  /** When its record was anchored, Unix seconds. */
  readonly createdAt?: number;
}

/** FHIR's `id` datatype. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The id a record gets when its own cannot be served: stable across corrections (same uid). */
export function derivedId(recordUid: string): string {
  return `ml-${recordUid.replace(/^0x/, '').toLowerCase()}`;
}

/** `resource` with `id`, set in place when it has one (so nothing else about it changes). */
function withId<R extends Resource>(resource: R, id: string): R {
  if (resource.id !== undefined) {
    resource.id = id;
    return resource;
  }
  const { resourceType, ...rest } = resource;
  return { resourceType, id, ...rest } as R;
}

/** Rewrites every `reference` string found in `map`, anywhere inside `value`. */
function rewriteReferences(value: unknown, map: ReadonlyMap<string, string>): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteReferences(item, map);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(object)) {
    if (key === 'reference' && typeof child === 'string') {
      const target = map.get(child);
      if (target !== undefined) object[key] = target;
    } else {
      rewriteReferences(child, map);
    }
  }
}

/**
 * The served resources of every patient, in the order given (by patient, then record).
 *
 * @param records - each patient's opened current records, in chain order
 * @param profiles - each readable patient's profile, or `undefined` when the reader may not open it;
 *   the order of the patients served
 */
export function servedResources(
  records: readonly LoadedRecord[],
  profiles: ReadonlyMap<Address, Patient | undefined>,
): ServedResource[] {
  const others = records.filter((record) => record.resource.resourceType !== 'Patient');
  const ownIdCount = new Map<string, number>();
  for (const { resource } of others) {
    if (resource.id === undefined || !FHIR_ID.test(resource.id)) continue;
    const key = `${resource.resourceType}/${resource.id}`;
    ownIdCount.set(key, (ownIdCount.get(key) ?? 0) + 1);
  }
  const served: ServedResource[] = [];
  for (const [patient, profile] of profiles) {
    const theirs = records.filter((record) => record.patient.toLowerCase() === patient.toLowerCase());
    const references = new Map<string, string>();
    const patientRecords = theirs.filter((record) => record.resource.resourceType === 'Patient');
    const newest = patientRecords.at(-1);
    const patientResource = profile ?? (newest?.resource as Patient | undefined);
    for (const record of patientRecords) {
      if (record.fullUrl) references.set(record.fullUrl, `Patient/${patient}`);
      if (record.resource.id) references.set(`Patient/${record.resource.id}`, `Patient/${patient}`);
    }
    const mine: ServedResource[] = [];
    if (patientResource) {
      mine.push({
        patient,
        resourceType: 'Patient',
        id: patient,
        resource: withId(patientResource, patient),
        category: profile || !newest ? RECORD_CATEGORIES.profile : newest.category,
        ...(profile || !newest ? {} : { recordId: newest.recordId, createdAt: newest.createdAt }),
      });
    }
    for (const record of theirs) {
      const { resource } = record;
      if (resource.resourceType === 'Patient') continue;
      const own = resource.id;
      const unique = own !== undefined && ownIdCount.get(`${resource.resourceType}/${own}`) === 1;
      const id = unique ? own : derivedId(record.recordUid);
      const reference = `${resource.resourceType}/${id}`;
      if (record.fullUrl) references.set(record.fullUrl, reference);
      if (own !== undefined && !references.has(`${resource.resourceType}/${own}`)) {
        references.set(`${resource.resourceType}/${own}`, reference);
      }
      mine.push({
        patient,
        resourceType: resource.resourceType,
        id,
        resource: withId(resource, id),
        category: record.category,
        recordId: record.recordId,
        createdAt: record.createdAt,
      });
    }
    for (const item of mine) rewriteReferences(item.resource, references);
    served.push(...mine);
  }
  return served;
}

/**
 * The JSON text of a served resource, Bundle or OperationOutcome, decimals written as they were
 * imported (`29.0` stays `29.0`: FHIR decimals keep their precision).
 *
 * @param value - what to serialize
 */
export function resourceJson(value: unknown): string {
  return typeof value === 'object' && value !== null ? stringifyJson(value) : JSON.stringify(value);
}
