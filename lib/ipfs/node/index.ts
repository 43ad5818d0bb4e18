/**
 * MedLedger's embedded IPFS node (Node.js only): Helia with a persistent blockstore behind a
 * Kubo-compatible RPC API and a gateway. Used by `npm run ipfs`, `npm start` and the tests.
 */
export { RPC_ENDPOINTS } from './rpc-api';
export { DEFAULT_MAX_UPLOAD_BYTES } from '../upload-limit';
export { startIpfsNode, type IpfsNodeOptions, type RunningIpfsNode } from './start';
