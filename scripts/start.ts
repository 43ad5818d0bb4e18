/**
 * `npm start`: the whole system on this machine — a Hardhat devnet on 127.0.0.1:8545 with MedLedger
 * deployed through Ignition, the embedded IPFS node (API 5001, gateway 8080), demo identities with
 * records, and the web app on http://127.0.0.1:3000 (built first when its sources changed). Ctrl-C
 * stops everything.
 *
 * The devnet keeps no state across restarts, so each start begins with an empty chain and an empty
 * IPFS store: never a chain that forgot what IPFS still holds.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';

import { startIpfsNode } from '../lib/ipfs/node';
import { startDevnet } from './devnet';
import { seedDemo } from './seed';
import { ensureWebBuild, startWebServer } from './web';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.medledger', 'ipfs');

async function main(): Promise<void> {
  // Build before anything listens: a failed build must not leave a devnet and node running.
  await ensureWebBuild();

  console.log('Starting the MedLedger devnet on http://127.0.0.1:8545 …');
  const devnet = await startDevnet({ port: 8545, recordDeployment: true });
  console.log(`  MedLedger ${devnet.deployment.medLedger}, ModelRegistry ${devnet.deployment.modelRegistry}`);

  await rm(dataDir, { recursive: true, force: true });
  const ipfs = await startIpfsNode({ dataDir, apiPort: 5001, gatewayPort: 8080 });
  console.log(`IPFS node: API ${ipfs.apiUrl}, gateway ${ipfs.gatewayUrl} (data in ${path.relative(root, dataDir)})`);

  console.log('Seeding demo identities and records …');
  const identities = await seedDemo(devnet.rpcUrl, ipfs.apiUrl, devnet.deployment);
  console.log('\nDemo accounts (public Hardhat test keys — import into MetaMask for the devnet only, chain id 31337):');
  for (const identity of identities) {
    console.log(`  ${identity.role.padEnd(8)} ${identity.name.padEnd(34)} ${identity.address}  ${identity.privateKey}`);
  }
  console.log('\nStarting the web app …');
  const web = await startWebServer({ port: 3000, rpcUrl: devnet.rpcUrl, ipfsApiUrl: ipfs.apiUrl, burner: true, quiet: true });
  console.log(`\nMedLedger is running: open ${web.url}`);
  console.log('  Connect MetaMask (add the network: RPC http://127.0.0.1:8545, chain id 31337) or pick a demo role.');
  console.log('\nThe devnet keeps no state across restarts: the next `npm start` begins fresh.');
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping …`);
    await web.stop();
    await ipfs.stop();
    await devnet.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

await main();
