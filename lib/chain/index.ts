export * from './activity';
export * from './categories';
export * from './client';
export { deployments, medLedgerAbi, modelRegistryAbi } from './deployments';
export * from './errors';
export * from './medledger';
export * from './provider-kinds';
export * from './purpose';
export * from './records';
