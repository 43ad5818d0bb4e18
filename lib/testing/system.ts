/**
 * The system integration tests run against: a devnet with MedLedger deployed, an embedded IPFS node in
 * a temporary folder, and the devnet accounts as enrolled actors — providers registered by the admin
 * with their keys published, patients registered with a minimal profile. Node only (tests).
 *
 * With `MEDLEDGER_TEST_INDEXER=1` it also runs the real indexer (Ponder, `scripts/indexer.ts`) against
 * the devnet and every vault reads its lists through it, so the same scenarios run through both read
 * paths (`npm run test:indexer`). The indexer follows the chain live, so reads right after a write
 * take the newest blocks from the node: the split path is exercised too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { keccak256, toHex, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { startDevnet, type Devnet } from '../../scripts/devnet';
import { type RunningIndexer, startIndexer } from '../../scripts/indexer';
import {
  type ChainContext,
  type RegisteredProviderKind,
  connectChain,
  parseProviderKind,
  writeMedLedger,
} from '../chain';
import { createIpfsClient } from '../ipfs';
import { startIpfsNode, type RunningIpfsNode } from '../ipfs/node';
import { type Vault, enrollWallet, publishProviderKey, registerPatient } from '../records';
import { DEVNET_KEYS } from './devnet-accounts';

export type DevnetActor = keyof typeof DEVNET_KEYS;

export interface TestSystem {
  readonly devnet: Devnet;
  readonly ipfsNode: RunningIpfsNode;
  /** The indexer vaults read through, with `MEDLEDGER_TEST_INDEXER=1`. */
  readonly indexer?: RunningIndexer;
  readonly admin: ChainContext;
  /** The address of a devnet actor. */
  address(actor: DevnetActor): Address;
  /** A fresh vault (chain, IPFS client, enrolled identity) for a devnet actor. */
  vaultFor(actor: DevnetActor, role: 'patient' | 'provider'): Promise<Vault>;
  stop(): Promise<void>;
}

export interface TestCast {
  readonly providers?: readonly (readonly [DevnetActor, RegisteredProviderKind])[];
  readonly patients?: readonly DevnetActor[];
}

/** Unix seconds `days` from now. */
export const inDays = (days: number): number => Math.floor(Date.now() / 1000) + days * 86_400;

export const addressOf = (actor: DevnetActor): Address => privateKeyToAccount(DEVNET_KEYS[actor]).address;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the devnet and an IPFS node (and the indexer, see above), registers `cast` (providers publish their keys, patients get a
 * profile naming them) and returns their vaults by name.
 */
export async function startTestSystem(
  cast: TestCast = {},
): Promise<{ system: TestSystem; vaults: Record<string, Vault> }> {
  const devnet = await startDevnet();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-test-'));
  const ipfsNode = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
  const indexer =
    process.env.MEDLEDGER_TEST_INDEXER === '1'
      ? await startIndexer({
          port: await freePort(),
          rpcUrl: devnet.rpcUrl,
          chainId: devnet.deployment.chainId,
          medLedger: devnet.deployment.medLedger,
          startBlock: devnet.deployment.startBlock,
          dataDir: path.join(dataDir, 'indexer'),
          quiet: true,
        })
      : undefined;
  // Through the indexer, a list that fails verification, or an indexer that does not answer, sends the
  // read to the node with a warning: the run must not hide behind that fallback, so a warning fails
  // the system's stop().
  const fallbacks: string[] = [];
  const warn = console.warn;
  if (indexer) {
    console.warn = (...args: unknown[]) => {
      if (/failed verification|Reading events from the node/.test(String(args[0]))) fallbacks.push(String(args[0]));
      warn(...args);
    };
  }
  const admin = await connectChain({
    rpcUrl: devnet.rpcUrl,
    privateKey: DEVNET_KEYS.admin,
    deployment: devnet.deployment,
  });
  const system: TestSystem = {
    devnet,
    ipfsNode,
    indexer,
    admin,
    address: addressOf,
    async vaultFor(actor, role) {
      const chain = await connectChain({
        rpcUrl: devnet.rpcUrl,
        privateKey: DEVNET_KEYS[actor],
        deployment: devnet.deployment,
        ...(indexer ? { indexerUrl: indexer.url } : {}),
      });
      const { key: identity } = await enrollWallet(chain, { role });
      return { chain, ipfs: createIpfsClient(ipfsNode.apiUrl), identity };
    },
    async stop() {
      console.warn = warn;
      await indexer?.stop();
      await ipfsNode.stop();
      await devnet.stop();
      await rm(dataDir, { recursive: true, force: true });
      if (fallbacks.length > 0)
        throw new Error(`The reads fell back from the indexer to the node:\n${fallbacks.join('\n')}`);
    },
  };
  const vaults: Record<string, Vault> = {};
  for (const [actor, kind] of cast.providers ?? []) {
    await writeMedLedger(admin, 'registerProvider', [
      addressOf(actor),
      parseProviderKind(kind),
      keccak256(toHex(actor)),
    ]);
    vaults[actor] = await system.vaultFor(actor, 'provider');
    await publishProviderKey(vaults[actor]);
  }
  for (const actor of cast.patients ?? []) {
    vaults[actor] = await system.vaultFor(actor, 'patient');
    await registerPatient(vaults[actor], { resourceType: 'Patient', name: [{ text: actor }] });
  }
  return { system, vaults };
}
