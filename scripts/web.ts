/**
 * The Next.js app as a service: build it when the sources changed since the last build, and run the
 * production server with the runtime settings (chain RPC, IPFS API, burner wallet) in its environment.
 * Used by `npm start` and the browser tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['app', 'components', 'lib', 'public', 'ml-models'];
const SOURCE_FILES = ['next.config.ts', 'proxy.ts', 'instrumentation.ts', 'package-lock.json', 'scripts/web-copy-wasm.ts'];
const IGNORED = new Set(['node_modules', 'ort', 'models', 'data']);

async function newestMtime(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const child of await readdir(entry, { withFileTypes: true })) {
    if (IGNORED.has(child.name) || child.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, await newestMtime(path.join(entry, child.name)));
  }
  return newest;
}

/** True when `.next` holds a production build newer than every source the app is built from. */
export async function isWebBuildFresh(): Promise<boolean> {
  const built = await stat(path.join(root, '.next', 'BUILD_ID')).catch(() => undefined);
  if (!built) return false;
  const sources = await Promise.all([...SOURCE_DIRS, ...SOURCE_FILES].map((entry) => newestMtime(path.join(root, entry))));
  return Math.max(...sources) < built.mtimeMs;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/** Builds the web app (`npm run web:build`) unless the last build is still current. */
export async function ensureWebBuild(): Promise<void> {
  if (await isWebBuildFresh()) return;
  console.log('Building the web app (next build) …');
  await run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/web-copy-wasm.ts')]);
  await run(process.execPath, [nextBin(), 'build'], { NEXT_TELEMETRY_DISABLED: '1' });
}

function nextBin(): string {
  return createRequire(import.meta.url).resolve('next/dist/bin/next');
}

/** A port nothing listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface WebServerOptions {
  port: number;
  rpcUrl: string;
  ipfsApiUrl: string;
  /** Offer the devnet-only burner wallet. */
  burner: boolean;
  /** Print the server's output (npm start) or keep it quiet unless it fails (tests). */
  quiet?: boolean;
}

export interface WebServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `next start` on 127.0.0.1 and resolves once it answers. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const child: ChildProcess = spawn(process.execPath, [nextBin(), 'start', '-H', '127.0.0.1', '-p', String(options.port)], {
    cwd: root,
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      MEDLEDGER_RPC_URL: options.rpcUrl,
      MEDLEDGER_IPFS_API_URL: options.ipfsApiUrl,
      MEDLEDGER_BURNER: options.burner ? '1' : '0',
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`next start exited (${code}) before answering:\n${output}`))),
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 60_000;
  const answered = (async () => {
    while (Date.now() < deadline) {
      const response = await fetch(url, { method: 'HEAD' }).catch(() => undefined);
      if (response) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`The web app did not answer on ${url} within 60 s:\n${output}`);
  })();
  try {
    await Promise.race([answered, exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
