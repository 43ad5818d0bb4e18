/**
 * `npm run ipfs -- --data-dir DIR --api-port 5001 --gateway-port 8080` — runs MedLedger's embedded
 * IPFS node until SIGINT/SIGTERM. All behaviour lives in lib/ipfs/node; this only reads arguments.
 *
 * Exit codes: 0 after `--help` or a clean shutdown, 2 for a bad command line, 1 when the node fails to
 * start or to shut down, or when a second signal asks it to stop without waiting.
 */
import { parseArgs } from 'node:util';
import { RPC_ENDPOINTS, startIpfsNode } from '../lib/ipfs/node';
import { readMaxUploadBytes } from '../lib/ipfs/upload-limit';

const USAGE = `Usage: npm run ipfs -- [options]
  --data-dir DIR          blockstore and pins (default .medledger/ipfs)
  --api-port N            Kubo RPC API port, 0 = any free port (default 5001)
  --gateway-port N        gateway port, 0 = any free port (default 8080)
  --host ADDRESS          interface to bind (default 127.0.0.1)
  --max-upload-mb N       largest upload accepted by /api/v0/add (default MEDLEDGER_MAX_UPLOAD_BYTES, else 2048)
  --cors-origin ORIGIN    web app origin allowed to read the gateway (repeatable; default http://localhost:3000)`;

/** A mistake in the command line: printed with the usage text, exit code 2. */
class UsageError extends Error {}

function port(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new UsageError(`--${name} must be a port number, got ${value}`);
  }
  return parsed;
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string', default: '.medledger/ipfs' },
        'api-port': { type: 'string', default: '5001' },
        'gateway-port': { type: 'string', default: '8080' },
        host: { type: 'string', default: '127.0.0.1' },
        'max-upload-mb': { type: 'string', default: String(readMaxUploadBytes(process.env) / 1_048_576) },
        'cors-origin': { type: 'string', multiple: true, default: ['http://localhost:3000'] },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs the node until a signal stops it; resolves with the process's exit code. */
async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const maxUploadMb = Number(options['max-upload-mb']);
  if (!(maxUploadMb > 0))
    throw new UsageError(`--max-upload-mb must be a positive number, got ${options['max-upload-mb']}`);
  const node = await startIpfsNode({
    dataDir: options['data-dir'],
    apiPort: port(options['api-port'], 'api-port'),
    gatewayPort: port(options['gateway-port'], 'gateway-port'),
    host: options.host,
    maxUploadBytes: Math.floor(maxUploadMb * 1_048_576),
    gatewayCorsOrigins: options['cors-origin'],
  });
  console.log(`MedLedger IPFS node ${node.peerId} (offline: no peers, no bootstrap)`);
  console.log(`  data dir     ${options['data-dir']}`);
  console.log(`  RPC API      ${node.apiUrl}  (${RPC_ENDPOINTS.join(', ')})`);
  console.log(`  gateway      ${node.gatewayUrl}/ipfs/<cid>`);
  console.log(`  upload limit ${maxUploadMb} MiB`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    let stopping = false;
    const onSignal = (received: NodeJS.Signals) => {
      // A second signal means "now": the one case that cannot wait for the stores to close.
      if (stopping) {
        console.error(`ipfs-node: ${received} again, exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      resolve(received);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  console.log(`ipfs-node: ${signal}, finishing open requests and closing the stores…`);
  try {
    await node.stop();
  } catch (error) {
    console.error(`ipfs-node: shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`ipfs-node: ${error.message}\n\n${USAGE}`);
  process.exitCode = 2;
}
