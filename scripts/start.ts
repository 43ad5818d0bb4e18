/**
 * `npm start [-- --rpc-port N --ipfs-api-port N --gateway-port N --indexer-port N --web-port N --no-indexer]`:
 * the whole system on this machine — a Hardhat devnet (default 127.0.0.1:8545) with MedLedger deployed
 * through Ignition, the embedded IPFS node (API 5001, gateway 8080), the indexer (Ponder, API 42069),
 * demo identities with records, and the web app (default http://127.0.0.1:3000). Ctrl-C stops everything.
 *
 * It works from a fresh clone: the contracts are compiled first (incremental, about a second when
 * nothing changed), their ABIs brought into lib/chain/deployments.ts, and the web app built only when
 * one of its inputs changed, so a second start serves the same build at once.
 *
 * The devnet keeps no state across restarts, so each start begins with an empty chain, an empty IPFS
 * store and an empty index: never a chain that forgot what IPFS or the indexer still hold.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

import { startIpfsNode } from '../lib/ipfs/node';
import { writeDeploymentsFile } from './deploy';
import { startDevnet } from './devnet';
import { type StartingIndexer, spawnIndexer } from './indexer';
import { seedDemo } from './seed';
import { PORT_SETTINGS, START_USAGE, type StartPorts, StartUsageError, parseStartOptions } from './start-options';
import { ensureWebBuild, startWebServer } from './web';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.medledger', 'ipfs');
/** The indexer's embedded database (PGlite): of one devnet, so wiped with it at each start. */
const indexerDataDir = path.join(root, '.medledger', 'indexer');

/** What to stop, last started first, when the start fails or a signal arrives. */
const running: (() => Promise<void>)[] = [];
let stopped: Promise<never> | undefined;

/** Stops whatever runs and exits; a second call waits for the first. */
function stopAll(exitCode: number): Promise<never> {
  stopped ??= (async () => {
    for (const stop of running.toReversed()) await stop().catch((error: unknown) => console.error(error));
    process.exit(exitCode);
  })();
  return stopped;
}

/** `hardhat build` of the contracts (not the Solidity tests): a no-op when nothing changed. */
function compileContracts(): Promise<void> {
  const hardhat = path.join(
    path.dirname(createRequire(import.meta.url).resolve('hardhat/package.json')),
    'dist/src/cli.js',
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [hardhat, 'build', '--no-tests'], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`Compiling the contracts failed (hardhat build: ${signal ?? `exit ${code}`})`)),
    );
  });
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** Fails before the minutes of a build when a port is taken, e.g. by another `npm start`. */
async function assertPortsFree(ports: StartPorts, indexer: boolean): Promise<void> {
  for (const setting of PORT_SETTINGS) {
    if (setting.key === 'indexer' && !indexer) continue;
    if (await portInUse(ports[setting.key])) {
      throw new StartUsageError(
        `Port ${ports[setting.key]} (${setting.what}) is in use, perhaps by another \`npm start\`: ` +
          `choose another with --${setting.flag} N or ${setting.env}.`,
      );
    }
  }
}

async function main(argv: string[]): Promise<void> {
  const { ports, indexer: withIndexer, help } = parseStartOptions(argv, process.env);
  if (help) {
    console.log(START_USAGE);
    return;
  }
  await assertPortsFree(ports, withIndexer);
  // Compile and build before anything listens: a failed build must not leave a devnet and node running.
  console.log('Compiling the contracts (hardhat build) …');
  await compileContracts();
  // The web build embeds the ABIs, so they come from these artifacts, never from an older compile.
  if (await writeDeploymentsFile()) console.log('  Updated the ABIs in lib/chain/deployments.ts');
  await ensureWebBuild();

  console.log(`Starting the MedLedger devnet on http://127.0.0.1:${ports.rpc} …`);
  const devnet = await startDevnet({ port: ports.rpc, recordDeployment: true });
  running.push(() => devnet.stop());
  const { medLedger, modelRegistry, claims } = devnet.deployment;
  console.log(`  MedLedger ${medLedger}, ModelRegistry ${modelRegistry}, Claims ${claims}`);
  // The deployment lands in lib/chain/deployments.ts; if its addresses differ from the build's, rebuild.
  await ensureWebBuild();

  // Ponder takes a while to start: it boots while the IPFS node starts and the demo is seeded.
  let indexer: StartingIndexer | undefined;
  if (withIndexer) {
    await rm(indexerDataDir, { recursive: true, force: true });
    console.log(`Starting the indexer (Ponder) on http://127.0.0.1:${ports.indexer} …`);
    indexer = spawnIndexer({
      port: ports.indexer,
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.deployment.chainId,
      medLedger: devnet.deployment.medLedger,
      startBlock: devnet.deployment.startBlock,
      dataDir: indexerDataDir,
      quiet: true,
    });
    running.push(() => indexer!.stop());
  }

  await rm(dataDir, { recursive: true, force: true });
  const ipfs = await startIpfsNode({ dataDir, apiPort: ports.ipfsApi, gatewayPort: ports.gateway });
  running.push(() => ipfs.stop());
  console.log(`IPFS node: API ${ipfs.apiUrl}, gateway ${ipfs.gatewayUrl} (data in ${path.relative(root, dataDir)})`);

  console.log('Seeding demo identities and records …');
  const identities = await seedDemo(devnet.rpcUrl, ipfs.apiUrl, devnet.deployment);
  console.log('\nDemo accounts (public Hardhat test keys — import into MetaMask for the devnet only, chain id 31337):');
  for (const identity of identities) {
    console.log(`  ${identity.role.padEnd(8)} ${identity.name.padEnd(34)} ${identity.address}  ${identity.privateKey}`);
  }
  if (indexer) {
    await indexer.ready;
    console.log(`\nThe indexer has caught up with the devnet (data in ${path.relative(root, indexerDataDir)}).`);
    // Ponder stopping on its own leaves the app without its event index: stop everything, as at start.
    indexer.exited.catch((error: unknown) => {
      if (stopped) return;
      console.error(error);
      void stopAll(1);
    });
    process.env.MEDLEDGER_INDEXER_URL = indexer.url;
  } else {
    // The web server inherits this environment; an index of some other chain must not reach it.
    delete process.env.MEDLEDGER_INDEXER_URL;
  }
  console.log('\nStarting the web app …');
  const web = await startWebServer({
    port: ports.web,
    rpcUrl: devnet.rpcUrl,
    ipfsApiUrl: ipfs.apiUrl,
    burner: true,
    quiet: true,
  });
  running.push(() => web.stop());
  console.log(`\nMedLedger is running: open ${web.url}`);
  console.log(`  Connect MetaMask (add the network: RPC ${devnet.rpcUrl}, chain id 31337) or pick a demo role.`);
  if (indexer) console.log(`  Indexer ${indexer.url}: /logs and /indexed (untrusted: the app checks them on-chain).`);
  console.log('\nThe devnet keeps no state across restarts: the next `npm start` begins fresh.');
  console.log('Press Ctrl-C to stop.');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopped) return;
    console.log(`\n${signal}: stopping …`);
    void stopAll(0);
  });
}
try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof StartUsageError) {
    console.error(`npm start: ${error.message}\n\n${START_USAGE}`);
    await stopAll(2);
  }
  console.error(error);
  await stopAll(1);
}
