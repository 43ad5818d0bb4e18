/**
 * The server's CapabilityStatement (`GET /metadata`): read-only FHIR R4 over JSON, the types in
 * {@link SERVED_TYPES} with `read` and `search-type` and their search parameters, `Patient/$everything`,
 * and Bulk Data `$export` at system and Patient level. Built from the same table the search uses.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';

import { SERVED_TYPES, searchParamsOf } from './search';

const SEARCH_TYPES = {
  token: 'token',
  reference: 'reference',
  date: 'date',
} as const;

/** Bulk Data IG v2's definitions of the export operations. */
const BULK_EXPORT = 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export';
const BULK_PATIENT_EXPORT = 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export';
const PATIENT_EVERYTHING = 'http://hl7.org/fhir/OperationDefinition/Patient-everything';

/**
 * The CapabilityStatement of a server at `base`.
 *
 * @param base - the server's base URL
 * @param software - the software's name and version
 * @param date - when the statement was made (the server's start)
 */
export function capabilityStatement(
  base: string,
  software: { name: string; version: string },
  date: Date,
): CapabilityStatement {
  const resource = SERVED_TYPES.map((type): CapabilityStatementRestResource => ({
    type: type as CapabilityStatementRestResource['type'],
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam: searchParamsOf(type).map((param) => ({
      name: param.name,
      type: SEARCH_TYPES[param.type],
      documentation: param.documentation,
    })),
    ...(type === 'Patient'
      ? {
          operation: [
            { name: 'everything', definition: PATIENT_EVERYTHING },
            { name: 'export', definition: BULK_PATIENT_EXPORT },
          ],
        }
      : {}),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: date.toISOString(),
    publisher: 'MedLedger',
    kind: 'instance',
    software,
    implementation: {
      description:
        'MedLedger records this wallet may read, decrypted on this machine: read-only, JSON only, no authentication (bound to loopback unless told otherwise).',
      url: base,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Search: repeated parameters AND, comma-separated values OR; unknown parameters are refused with 400 unless the request says Prefer: handling=lenient. Paging with _count (default 50, at most 1000) and _getpagesoffset. $everything takes _type and _count. $export takes _type, _since (when the record was anchored) and _outputFormat=application/fhir+ndjson, with Prefer: respond-async.',
        security: {
          cors: false,
          description:
            'No access tokens: the server answers only on the host it is bound to (Host header checked) and serves only what the acting wallet may decrypt.',
        },
        resource,
        operation: [{ name: 'export', definition: BULK_EXPORT }],
      },
    ],
  };
}
