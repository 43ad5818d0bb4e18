/**
 * SMART Health Links: payloads, JWE files, the manifest protocol, signed owner requests and the
 * patient's create / list / revoke. Browser and Node alike; the server (Node only) is `./server`.
 */
export * from './base64url';
export * from './jwe';
export * from './manifest';
export * from './payload';
export * from './share';
export * from './signed-request';
export * from './types';
