/**
 * The one record pipeline: FHIR resource or file → validate → encrypt → IPFS → on-chain anchor, and
 * back: chain → IPFS → verify → decrypt → FHIR. The web app, the CLI and the tests all go through here.
 */
export * from './audit';
export * from './audit-story';
export * from './bundle';
export * from './claims';
export * from './claims-review';
export * from './consent';
export * from './consent-link';
export * from './directory';
export * from './erase';
export * from './identity';
export * from './import-plan';
export * from './profile';
export * from './pseudonym';
export * from './progress';
export * from './read';
export * from './read-log';
export * from './vault';
export * from './write';
