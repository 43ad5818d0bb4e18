/**
 * An in-process Hardhat devnet (EDR) served over JSON-RPC, with MedLedger deployed through the
 * Ignition module. `npm start` runs one on 127.0.0.1:8545; integration tests run their own on a free
 * port so they never touch a devnet someone is using.
 */
import path from 'node:path';

import { network } from 'hardhat';

import type { Deployment } from '../lib/chain/client';
import { deploy } from './deploy';

export interface Devnet {
  readonly rpcUrl: string;
  readonly deployment: Deployment;
  stop(): Promise<void>;
}

export interface DevnetOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Record the deployment in lib/chain/deployments.ts (the `npm start` devnet does, tests do not). */
  recordDeployment?: boolean;
  /** Another chain id than the devnet's 31337 (tests of a chain the web build holds no deployment for). */
  chainId?: number;
}

export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const connection =
    options.chainId === undefined ? 'default' : { network: 'default', override: { chainId: options.chainId } };
  const server = await network.createServer(connection, options.host ?? '127.0.0.1', options.port ?? 0);
  const { address, port } = await server.listen();
  const rpcUrl = `http://${address}:${port}`;
  try {
    const deployment = await deploy({
      url: rpcUrl,
      parametersFile: path.resolve(import.meta.dirname, '../ignition/parameters/devnet.json'),
      ephemeral: !options.recordDeployment,
    });
    return { rpcUrl, deployment, stop: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}
