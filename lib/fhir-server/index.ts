/**
 * A FHIR R4 REST API (with Bulk Data export) over the records the acting wallet may read, decrypted
 * on this machine through lib/records: `medledger fhir-server`.
 */
export * from './bulk-export';
export * from './capability';
export * from './host';
export * from './outcome';
export * from './paging';
export * from './resources';
export * from './search';
export * from './server';
export * from './source';
