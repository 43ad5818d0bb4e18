/**
 * `npm start` from a fresh clone: the project's files in a temporary directory with nothing built (no
 * artifacts/, cache/, typechain-types/, .next/, Ignition journal), started on free ports. It must
 * compile, build, deploy, seed and serve the app, the devnet's JSON-RPC, the IPFS API and the favicon;
 * stop on Ctrl-C (SIGINT to its process group); and start a second time without rebuilding the web app.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { freePort } from '../../scripts/web';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
/** A fresh start compiles the contracts and builds the web app: minutes on a 2-core machine. */
const FRESH_START_TIMEOUT_MS = 10 * 60_000;
const SECOND_START_TIMEOUT_MS = 3 * 60_000;
const STOP_TIMEOUT_MS = 30_000;
const WEB_BUILD_LINE = 'Building the web app (next build)';

/**
 * The project as a clone would have it once the work in progress is committed: every tracked or new
 * (not ignored) file, with its content from the working tree, and node_modules as hard links.
 */
async function copyProject(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'medledger-start-'));
  const { stdout } = await execFileAsync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    maxBuffer: 16 * 1_048_576,
  });
  const files = stdout.split('\0').filter((file) => file && existsSync(path.join(repoRoot, file)));
  for (const file of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await copyFile(path.join(repoRoot, file), path.join(dir, file));
  }
  // Hard links are instant on one filesystem; elsewhere a real copy. Not a symlink: Turbopack does not
  // resolve `next` through a node_modules that leads out of the project's root.
  const nodeModules = [path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules')];
  await execFileAsync('cp', ['-al', ...nodeModules]).catch(async () => {
    await rm(nodeModules[1]!, { recursive: true, force: true });
    await execFileAsync('cp', ['-a', ...nodeModules]);
  });
  return dir;
}

interface Ports {
  rpc: number;
  ipfsApi: number;
  gateway: number;
  indexer: number;
  web: number;
}

async function freePorts(): Promise<Ports> {
  const ports: number[] = [];
  while (ports.length < 5) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [rpc, ipfsApi, gateway, web, indexer] = ports as [number, number, number, number, number];
  return { rpc, ipfsApi, gateway, indexer, web };
}

/** One `npm start`, in its own process group so that it and everything it started stop together. */
class StartRun {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<void>;

  constructor(cwd: string, ports: Ports) {
    const args = ['start', '--', '--rpc-port', `${ports.rpc}`, '--ipfs-api-port', `${ports.ipfsApi}`];
    args.push('--gateway-port', `${ports.gateway}`, '--web-port', `${ports.web}`, '--indexer-port', `${ports.indexer}`);
    this.child = spawn('npm', args, {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get groupAlive(): boolean {
    try {
      process.kill(-this.child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // The group is gone already.
    }
  }

  /**
   * Ctrl-C: SIGINT to the process group, then SIGKILL for whatever still runs after the timeout.
   *
   * @returns whether SIGINT alone stopped every process of the group
   */
  async stop(): Promise<boolean> {
    this.signalGroup('SIGINT');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (this.groupAlive && Date.now() < deadline) await sleep(200);
    const stoppedBySigint = !this.groupAlive;
    this.signalGroup('SIGKILL');
    await this.exited;
    return stoppedBySigint;
  }

  tail(): string {
    return this.output.slice(-6_000);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function webAnswers(ports: Ports): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${ports.web}/`, { signal: AbortSignal.timeout(10_000) });
  return response.status === 200;
}

async function rpcAnswers(ports: Ports): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${ports.rpc}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(10_000),
  });
  return ((await response.json()) as { result?: string }).result === '0x7a69';
}

async function ipfsAnswers(ports: Ports): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${ports.ipfsApi}/api/v0/version`, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
  });
  return response.status === 200 && typeof ((await response.json()) as { Version?: unknown }).Version === 'string';
}

async function indexerReady(ports: Ports): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${ports.indexer}/ready`, { signal: AbortSignal.timeout(10_000) });
  return response.status === 200;
}

/**
 * Waits until the app, the JSON-RPC, the IPFS API and the indexer all answer and `npm start` has said it is running
 * (the app answers a moment before that line is printed), failing early when `npm start` exits.
 *
 * @returns how long that took, in seconds
 */
async function waitUntilServing(run: StartRun, ports: Ports, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const pending = new Map([
    ['web app', webAnswers],
    ['JSON-RPC', rpcAnswers],
    ['IPFS API', ipfsAnswers],
    ['indexer', indexerReady],
    ['the "MedLedger is running" line', async () => run.output.includes('MedLedger is running')],
  ]);
  while (pending.size > 0) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      assert.fail(`npm start exited (${run.child.signalCode ?? run.child.exitCode}) before serving:\n${run.tail()}`);
    }
    if (Date.now() - started > timeoutMs) {
      assert.fail(`Not answering after ${timeoutMs / 1000} s: ${[...pending.keys()].join(', ')}\n${run.tail()}`);
    }
    for (const [name, answers] of pending) {
      if (await answers(ports).catch(() => false)) pending.delete(name);
    }
    if (pending.size > 0) await sleep(500);
  }
  return (Date.now() - started) / 1000;
}

describe('npm start', { timeout: FRESH_START_TIMEOUT_MS + SECOND_START_TIMEOUT_MS + 3 * 60_000 }, () => {
  let projectDir: string;
  let run: StartRun | undefined;
  let firstBuildId: { content: string; mtimeMs: number } | undefined;
  const killOnExit = () => run?.signalGroup('SIGKILL');

  before(async () => {
    projectDir = await copyProject();
    process.once('exit', killOnExit);
  });

  after(async () => {
    await run?.stop();
    process.off('exit', killOnExit);
    if (projectDir) await rm(projectDir, { recursive: true, force: true });
  });

  async function buildId() {
    const file = path.join(projectDir, '.next', 'BUILD_ID');
    return { content: await readFile(file, 'utf8'), mtimeMs: (await stat(file)).mtimeMs };
  }

  test('a fresh clone compiles, builds and serves the app, the chain, IPFS and the favicon', async (t) => {
    for (const generated of ['artifacts', 'cache', 'typechain-types', '.next', 'ignition/deployments']) {
      assert.equal(existsSync(path.join(projectDir, generated)), false, `${generated} must not exist before the start`);
    }
    const ports = await freePorts();
    run = new StartRun(projectDir, ports);
    const seconds = await waitUntilServing(run, ports, FRESH_START_TIMEOUT_MS);
    t.diagnostic(`fresh start: serving after ${seconds.toFixed(1)} s`);
    assert.ok(run.output.includes(WEB_BUILD_LINE), run.tail());
    assert.match(run.output, new RegExp(`MedLedger is running: open http://127\\.0\\.0\\.1:${ports.web}`));
    assert.match(run.output, new RegExp(`RPC http://127\\.0\\.0\\.1:${ports.rpc}, chain id 31337`));

    const favicon = await fetch(`http://127.0.0.1:${ports.web}/favicon.ico`);
    assert.equal(favicon.status, 200);
    const icon = Buffer.from(await favicon.arrayBuffer());
    assert.deepEqual([...icon.subarray(0, 4)], [0, 0, 1, 0], 'an ICO file header');

    firstBuildId = await buildId();
    const current = run;
    assert.equal(await current.stop(), true, `SIGINT left processes running:\n${current.tail()}`);
    run = undefined;
  });

  test('a second start serves the same build without running next build', async (t) => {
    assert.ok(firstBuildId, 'the fresh start built the app');
    const ports = await freePorts();
    run = new StartRun(projectDir, ports);
    const seconds = await waitUntilServing(run, ports, SECOND_START_TIMEOUT_MS);
    t.diagnostic(`second start: serving after ${seconds.toFixed(1)} s`);
    assert.ok(!run.output.includes(WEB_BUILD_LINE), run.tail());
    assert.deepEqual(await buildId(), firstBuildId);
    assert.equal((await fetch(`http://127.0.0.1:${ports.web}/favicon.ico`)).status, 200);
  });
});
