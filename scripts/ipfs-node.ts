/**
 * `npm run ipfs -- --data-dir DIR --api-port 5001 --gateway-port 8080` — runs MedLedger's embedded
 * IPFS node until SIGINT/SIGTERM. All behaviour lives in lib/ipfs/node; this only reads arguments.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_UPLOAD_BYTES, RPC_ENDPOINTS, startIpfsNode } from '../lib/ipfs/node';

const USAGE = `Usage: npm run ipfs -- [options]
  --data-dir DIR          blockstore and pins (default .medledger/ipfs)
  --api-port N            Kubo RPC API port, 0 = any free port (default 5001)
  --gateway-port N        gateway port, 0 = any free port (default 8080)
  --host ADDRESS          interface to bind (default 127.0.0.1)
  --max-upload-mb N       largest upload accepted by /api/v0/add (default ${DEFAULT_MAX_UPLOAD_BYTES / 1_048_576})
  --cors-origin ORIGIN    web app origin allowed to read the gateway (repeatable; default http://localhost:3000)`;

function fail(message: string): never {
  console.error(`ipfs-node: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function port(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) fail(`--${name} must be a port number, got ${value}`);
  return parsed;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      'data-dir': { type: 'string', default: '.medledger/ipfs' },
      'api-port': { type: 'string', default: '5001' },
      'gateway-port': { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-upload-mb': { type: 'string', default: String(DEFAULT_MAX_UPLOAD_BYTES / 1_048_576) },
      'cors-origin': { type: 'string', multiple: true, default: ['http://localhost:3000'] },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
const maxUploadMb = Number(parsed['max-upload-mb']);
if (!(maxUploadMb > 0)) fail(`--max-upload-mb must be a positive number, got ${parsed['max-upload-mb']}`);

const node = await startIpfsNode({
  dataDir: parsed['data-dir'],
  apiPort: port(parsed['api-port'], 'api-port'),
  gatewayPort: port(parsed['gateway-port'], 'gateway-port'),
  host: parsed.host,
  maxUploadBytes: Math.floor(maxUploadMb * 1_048_576),
  gatewayCorsOrigins: parsed['cors-origin'],
});
console.log(`MedLedger IPFS node ${node.peerId} (offline: no peers, no bootstrap)`);
console.log(`  data dir     ${parsed['data-dir']}`);
console.log(`  RPC API      ${node.apiUrl}  (${RPC_ENDPOINTS.join(', ')})`);
console.log(`  gateway      ${node.gatewayUrl}/ipfs/<cid>`);
console.log(`  upload limit ${maxUploadMb} MiB`);

let signals = 0;
const shutdown = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    console.error(`ipfs-node: ${signal} again, exiting without waiting`);
    process.exit(1);
  }
  console.log(`ipfs-node: ${signal}, finishing open requests and closing the stores…`);
  node.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`ipfs-node: shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
