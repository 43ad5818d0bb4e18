/**
 * The MedLedger indexer (the Ponder project in indexer/) as a service: `ponder start` against a chain
 * and a deployment, with its embedded PGlite database in a directory of the caller's choosing, resolved
 * once Ponder says the historical backfill is done (`/ready`). Used by `npm start` and the indexer test.
 *
 * The indexer is untrusted: the client checks whatever it returns against the chain. Ponder's telemetry
 * is switched off, so the only network it uses is the chain's JSON-RPC.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { indexedBlock } from '../lib/chain/indexer';

const indexerRoot = path.resolve(import.meta.dirname, '../indexer');
/** Ponder keeps its tables in a database schema; the embedded database holds only this one. */
const DATABASE_SCHEMA = 'medledger';
const READY_TIMEOUT_MS = 120_000;

export interface IndexerOptions {
  port: number;
  rpcUrl: string;
  chainId: number;
  medLedger: string;
  startBlock: number;
  /** The PGlite directory: it must belong to this chain, since Ponder resumes from what it holds. */
  dataDir: string;
  /** How long to wait for the indexer to catch up with the head (default two minutes). */
  readyTimeoutMs?: number;
  /** Print Ponder's log (a person watching) or keep it unless it fails (npm start, tests). */
  quiet?: boolean;
}

export interface RunningIndexer {
  readonly url: string;
  /** Rejects when Ponder exits without being asked to, with the end of its log. */
  readonly exited: Promise<never>;
  stop(): Promise<void>;
}

export interface StartingIndexer extends RunningIndexer {
  /**
   * Resolves once the indexer has indexed the chain up to the head it found: Ponder's `/ready` only
   * means its backfill of final blocks is done (on a devnet, none are: Ponder deems a block final 30
   * blocks deep), so this waits for `/indexed` too. Rejects when Ponder exits or takes two minutes.
   */
  readonly ready: Promise<void>;
}

function ponderBin(): string {
  // Ponder exports no package.json, so its CLI is found next to its entry point.
  return fileURLToPath(new URL('./bin/ponder.js', import.meta.resolve('ponder')));
}

async function chainHead(rpcUrl: string): Promise<bigint> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    signal: AbortSignal.timeout(10_000),
  });
  return BigInt(((await response.json()) as { result: string }).result);
}

/**
 * Spawns `ponder start` for the indexer on 127.0.0.1, to be stopped whatever happens next; `ready`
 * says when it has caught up with the chain. Callers that have nothing else to do use {@link startIndexer}.
 *
 * @param options - the chain, the deployment, the port and the data directory
 */
export function spawnIndexer(options: IndexerOptions): StartingIndexer {
  const url = `http://127.0.0.1:${options.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PONDER_TELEMETRY_DISABLED: 'true',
    MEDLEDGER_RPC_URL: options.rpcUrl,
    MEDLEDGER_CHAIN_ID: String(options.chainId),
    MEDLEDGER_ADDRESS: options.medLedger,
    MEDLEDGER_START_BLOCK: String(options.startBlock),
    MEDLEDGER_INDEXER_DATA_DIR: options.dataDir,
  };
  // Ponder's PORT wins over --port, and a Postgres URL over the data directory this chain's data is in.
  for (const name of ['PORT', 'DATABASE_URL', 'DATABASE_PRIVATE_URL', 'DATABASE_SCHEMA']) delete env[name];
  const args = [ponderBin(), 'start', '--root', indexerRoot, '--schema', DATABASE_SCHEMA];
  args.push('--hostname', '127.0.0.1', '--port', String(options.port), '--log-format', 'pretty');
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: indexerRoot,
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    env,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let stopping = false;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`The indexer (ponder start) exited (${signal ?? code}):\n${output}`));
    }),
  );
  // Callers race `exited` against their own work; an exit nobody waits for yet must not go unhandled.
  exited.catch(() => {});
  const stop = () =>
    new Promise<void>((resolve) => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  let settled = false;
  const caughtUp = (async () => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    let head: bigint | undefined;
    while (!settled && Date.now() < deadline) {
      if (head === undefined) {
        const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
        if (response?.status === 200) head = await chainHead(options.rpcUrl);
      }
      const indexed = head === undefined ? undefined : (await indexedBlock(url).catch(() => undefined))?.block;
      if (head !== undefined && indexed !== undefined && indexed >= head) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (settled) return;
    throw new Error(
      `The indexer had not caught up with the chain on ${url} within ${(options.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s:\n${output}`,
    );
  })();
  const ready = Promise.race([caughtUp, exited]).finally(() => {
    settled = true;
  });
  // Awaited by the caller when it is ready to; until then a failure must not count as unhandled.
  ready.catch(() => {});
  return { url, exited, stop, ready };
}

/**
 * Starts the indexer and resolves once it has caught up with the chain (see {@link StartingIndexer.ready}).
 *
 * @throws when Ponder exits or is not ready within two minutes, with its log; it is stopped then
 */
export async function startIndexer(options: IndexerOptions): Promise<RunningIndexer> {
  const indexer = spawnIndexer(options);
  try {
    await indexer.ready;
  } catch (error) {
    await indexer.stop();
    throw error;
  }
  return indexer;
}
