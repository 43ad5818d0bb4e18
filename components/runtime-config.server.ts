import { DEFAULT_RPC_URL, DEVNET_CHAIN_ID } from '../lib/chain/client';
import { deployments } from '../lib/chain/deployments';
import { readMaxUploadBytes } from '../lib/ipfs/upload-limit';
import type { RuntimeConfig } from './runtime-config';

/** The environment the settings are read from (`process.env` on the server). */
export type RuntimeEnv = Readonly<Record<string, string | undefined>>;

/** A setting the app cannot run with; the message names the variable and what to do. */
export class RuntimeConfigError extends Error {
  override readonly name = 'RuntimeConfigError';
}

/** `value` as an http(s) URL, or a {@link RuntimeConfigError} naming `variable` and what it must be. */
function httpUrlOf(variable: string, value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RuntimeConfigError(`${variable}=${JSON.stringify(value)} is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RuntimeConfigError(`${variable}=${JSON.stringify(value)} must be ${what}.`);
  }
  return url;
}

function rpcUrlOf(value: string | undefined): string {
  const rpcUrl = value?.trim() || DEFAULT_RPC_URL;
  httpUrlOf('MEDLEDGER_RPC_URL', rpcUrl, 'an http(s) JSON-RPC endpoint');
  return rpcUrl;
}

/** Deployments by chain id, as the generated deployments file holds them. */
type DeploymentTable = Readonly<Record<string, unknown>>;

function chainIdOf(value: string | undefined, deployed: DeploymentTable): number {
  if (value === undefined || value.trim() === '') return DEVNET_CHAIN_ID;
  const chainId = /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(chainId) || chainId < 1) {
    throw new RuntimeConfigError(
      `MEDLEDGER_CHAIN_ID=${JSON.stringify(value)} is not a chain id (a positive decimal integer).`,
    );
  }
  if (!(String(chainId) in deployed)) {
    const known = Object.keys(deployed).join(', ') || 'none';
    throw new RuntimeConfigError(
      `MEDLEDGER_CHAIN_ID=${chainId}: this build holds no MedLedger deployment for chain ${chainId} (it has: ${known}). ` +
        'Deploy with `npm run deploy -- --network <name>`, commit lib/chain/deployments.ts and rebuild the web app (`npm run web:build`).',
    );
  }
  return chainId;
}

/**
 * The indexer the server forwards `/api/indexer` to (`MEDLEDGER_INDEXER_URL`), if any.
 * @throws {@link RuntimeConfigError} when it is set but not an http(s) URL
 */
export function indexerUrlOf(env: RuntimeEnv = process.env): string | undefined {
  const value = env.MEDLEDGER_INDEXER_URL?.trim();
  if (!value) return undefined;
  httpUrlOf('MEDLEDGER_INDEXER_URL', value, "the indexer's http(s) address");
  return value.replace(/\/$/, '');
}

/**
 * The runtime settings from the server's environment: `MEDLEDGER_RPC_URL`, `MEDLEDGER_CHAIN_ID`
 * (default the devnet's 31337; the build must hold a deployment for it), `MEDLEDGER_CHAIN_NAME`,
 * `MEDLEDGER_BURNER=1` (the devnet only) and `MEDLEDGER_MAX_UPLOAD_BYTES` (the upload limit the
 * `/api/ipfs` proxy enforces, so the file picker can say it before anything is encrypted) and
 * `MEDLEDGER_INDEXER_URL` (an indexer the browser reads lists through, by `/api/indexer`).
 *
 * @param env - the environment to read
 * @param deployed - the deployments this build holds (the generated deployments file)
 * @throws {@link RuntimeConfigError} naming the setting that is wrong and how to fix it
 */
export function readRuntimeConfig(
  env: RuntimeEnv = process.env,
  deployed: DeploymentTable = deployments,
): RuntimeConfig {
  const rpcUrl = rpcUrlOf(env.MEDLEDGER_RPC_URL);
  const chainId = chainIdOf(env.MEDLEDGER_CHAIN_ID, deployed);
  const burner = env.MEDLEDGER_BURNER === '1';
  if (burner && chainId !== DEVNET_CHAIN_ID) {
    throw new RuntimeConfigError(
      `MEDLEDGER_BURNER=1 offers the public Hardhat test keys, so it is refused on chain ${chainId}; it works on the devnet (chain ${DEVNET_CHAIN_ID}) only.`,
    );
  }
  const name =
    env.MEDLEDGER_CHAIN_NAME?.trim() || (chainId === DEVNET_CHAIN_ID ? 'MedLedger devnet' : `Chain ${chainId}`);
  let maxUploadBytes: number;
  try {
    maxUploadBytes = readMaxUploadBytes(env);
  } catch (error) {
    throw new RuntimeConfigError(error instanceof Error ? error.message : String(error));
  }
  return { rpcUrl, chain: { id: chainId, name }, burner, maxUploadBytes, indexer: indexerUrlOf(env) !== undefined };
}
