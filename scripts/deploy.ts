/**
 * `npm run deploy -- [--network localhost] [--parameters FILE]`: deploys MedLedger, the
 * ModelRegistry and the Claims module with the Ignition module, then regenerates
 * `lib/chain/deployments.ts` (ABIs and addresses keyed by chain id) so `lib/` and the app talk to what
 * was deployed.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { artifacts, network } from 'hardhat';

import MedLedgerModule from '../ignition/modules/MedLedger';

const root = path.resolve(import.meta.dirname, '..');
const deploymentsFile = path.join(root, 'lib/chain/deployments.ts');
const DEVNET_CHAIN_ID = 31337;

export interface DeployedAddresses {
  chainId: number;
  medLedger: `0x${string}`;
  modelRegistry: `0x${string}`;
  claims: `0x${string}`;
  startBlock: number;
}

export interface DeployOptions {
  /** A network from hardhat.config.ts (default `localhost`). */
  network?: string;
  /** Another JSON-RPC URL for that network, e.g. a devnet started in-process on another port. */
  url?: string;
  /** Ignition parameters file. */
  parametersFile?: string;
  /**
   * For throw-away devnets (tests): deploy under a one-off Ignition id, delete its journal afterwards
   * and leave the generated deployments file alone.
   */
  ephemeral?: boolean;
}

/**
 * Deploys (or, when Ignition's journal says it was done, reuses) the contracts and records them in the
 * generated deployments file.
 */
export async function deploy(options: DeployOptions = {}): Promise<DeployedAddresses> {
  const connection = await network.create({
    network: options.network ?? 'localhost',
    ...(options.url ? { override: { url: options.url } } : {}),
  });
  const { ethers, ignition } = connection;
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const deploymentId = options.ephemeral ? `ephemeral-${process.pid}-${Date.now()}` : undefined;
  if (!deploymentId) await discardStaleDevnetJournal(chainId, ethers.provider);
  const parameters = options.parametersFile ? JSON.parse(await readFile(options.parametersFile, 'utf8')) : {};
  let deployed: DeployedAddresses;
  try {
    const { medLedger, modelRegistry, claims } = await ignition.deploy(MedLedgerModule, { parameters, deploymentId });
    const medLedgerAddress = (await medLedger.getAddress()) as `0x${string}`;
    deployed = {
      chainId,
      medLedger: medLedgerAddress,
      modelRegistry: (await modelRegistry.getAddress()) as `0x${string}`,
      claims: (await claims.getAddress()) as `0x${string}`,
      startBlock: await firstBlockWithCode(ethers.provider, medLedgerAddress),
    };
  } finally {
    await connection.close();
    // A throw-away journal goes whether the deployment worked or not: a failed one must not linger.
    if (deploymentId) await rm(path.join(root, 'ignition/deployments', deploymentId), { recursive: true, force: true });
  }
  if (!deploymentId) await writeDeploymentsFile(deployed);
  return deployed;
}

/**
 * The devnet keeps no state across restarts, so an Ignition journal for chain 31337 whose contract
 * has no code is from a previous devnet: reusing it would point at nothing.
 */
async function discardStaleDevnetJournal(chainId: number, provider: { getCode(address: string): Promise<string> }) {
  if (chainId !== DEVNET_CHAIN_ID) return;
  const journalDir = path.join(root, 'ignition/deployments', `chain-${chainId}`);
  const addressesFile = path.join(journalDir, 'deployed_addresses.json');
  if (!existsSync(addressesFile)) return;
  const addresses = JSON.parse(await readFile(addressesFile, 'utf8')) as Record<string, string>;
  const medLedger = addresses['MedLedgerModule#MedLedger'];
  if (!medLedger || (await provider.getCode(medLedger)) === '0x')
    await rm(journalDir, { recursive: true, force: true });
}

async function firstBlockWithCode(
  provider: { getCode(address: string, block?: number): Promise<string>; getBlockNumber(): Promise<number> },
  address: string,
): Promise<number> {
  let low = 0;
  let high = await provider.getBlockNumber();
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if ((await provider.getCode(address, middle)) === '0x') low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The deployments a generated deployments file records, by chain id. */
function recordedDeployments(source: string): Record<number, DeployedAddresses> {
  const match = /export const deployments = (\{[\s\S]*?\n\}) as const/.exec(source);
  return match?.[1] ? (JSON.parse(match[1]) as Record<number, DeployedAddresses>) : {};
}

/**
 * Regenerates `lib/chain/deployments.ts` from the compiled ABIs and the recorded deployments, with this
 * deployment (if any) added. The file is written only when its content changes: it is an input of the
 * web build, and an identical rewrite must not look like a change.
 *
 * @param deployed - a deployment to record; without one, only the ABIs are brought up to date
 * @returns whether the file changed
 */
export async function writeDeploymentsFile(deployed?: DeployedAddresses): Promise<boolean> {
  const current = existsSync(deploymentsFile) ? await readFile(deploymentsFile, 'utf8') : '';
  const all = recordedDeployments(current);
  if (deployed) all[deployed.chainId] = deployed;
  const medLedgerAbi = (await artifacts.readArtifact('MedLedger')).abi;
  const modelRegistryAbi = (await artifacts.readArtifact('ModelRegistry')).abi;
  const claimsAbi = (await artifacts.readArtifact('Claims')).abi;
  const source = `// Generated by scripts/deploy.ts from the compiled contracts and each deployment — do not edit.

export const medLedgerAbi = ${JSON.stringify(medLedgerAbi, null, 2)} as const;

export const modelRegistryAbi = ${JSON.stringify(modelRegistryAbi, null, 2)} as const;

export const claimsAbi = ${JSON.stringify(claimsAbi, null, 2)} as const;

export const deployments = ${JSON.stringify(all, null, 2)} as const;
`;
  if (source === current) return false;
  await writeFile(deploymentsFile, source);
  return true;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { network: { type: 'string', default: 'localhost' }, parameters: { type: 'string' } },
  });
  const networkName = values.network ?? 'localhost';
  const parameters =
    values.parameters ?? (networkName === 'localhost' ? path.join(root, 'ignition/parameters/devnet.json') : undefined);
  const deployed = await deploy({ network: networkName, parametersFile: parameters });
  console.log(`MedLedger     ${deployed.medLedger}`);
  console.log(`ModelRegistry ${deployed.modelRegistry}`);
  console.log(`Claims        ${deployed.claims}`);
  console.log(
    `chain ${deployed.chainId}, from block ${deployed.startBlock}; wrote ${path.relative(root, deploymentsFile)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
