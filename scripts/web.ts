/**
 * The Next.js app as a service: build it when its inputs changed since the last build, and run the
 * production server with the runtime settings (chain RPC, IPFS API, burner wallet) in its environment.
 * Used by `npm start` and the browser tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
/** What `next build` and `scripts/web-copy-wasm.ts` read, relative to the root. */
const BUILD_INPUTS = [
  'app',
  'components',
  'lib',
  'public',
  'ml-models',
  'next.config.ts',
  'proxy.ts',
  'instrumentation.ts',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
  'scripts/web-copy-wasm.ts',
];
/** What web-copy-wasm writes into `public/`: outputs of the build, not inputs. */
const COPIED_INTO_PUBLIC = ['public/ort', 'public/models'];
/** Where a successful build records the hash of the inputs it was built from. */
const BUILD_INPUTS_HASH_FILE = path.join(root, '.next', 'medledger-inputs.sha256');

async function inputFiles(relative: string): Promise<string[]> {
  if (COPIED_INTO_PUBLIC.includes(relative)) return [];
  const info = await stat(path.join(root, relative)).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [relative];
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.name !== 'node_modules' && !entry.name.endsWith('.test.ts'))
      .map((entry) => inputFiles(path.posix.join(relative, entry.name))),
  );
  return nested.flat();
}

/**
 * The SHA-256 of every file the web build reads (paths and contents), so a build is current exactly
 * when nothing it was made from changed — whatever the files' modification times say.
 */
async function webBuildInputsHash(): Promise<string> {
  const files = (await Promise.all(BUILD_INPUTS.map(inputFiles))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const content = await readFile(path.join(root, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

/** True when `.next` holds a production build made from inputs with this hash. */
async function isWebBuildFresh(inputsHash: string): Promise<boolean> {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) return false;
  if (!COPIED_INTO_PUBLIC.every((dir) => existsSync(path.join(root, dir)))) return false;
  const recorded = await readFile(BUILD_INPUTS_HASH_FILE, 'utf8').catch(() => undefined);
  return recorded?.trim() === inputsHash;
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

/**
 * Builds the web app (`npm run web:build`) unless the last build was made from the current inputs.
 *
 * @returns whether it built
 */
export async function ensureWebBuild(): Promise<boolean> {
  const inputsHash = await webBuildInputsHash();
  if (await isWebBuildFresh(inputsHash)) return false;
  console.log('Building the web app (next build) …');
  await rm(BUILD_INPUTS_HASH_FILE, { force: true });
  await run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/web-copy-wasm.ts')]);
  await run(process.execPath, [nextBin(), 'build'], { NEXT_TELEMETRY_DISABLED: '1' });
  await writeFile(BUILD_INPUTS_HASH_FILE, `${inputsHash}\n`);
  return true;
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
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
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
  /** More settings for the server's environment (e.g. a smaller `MEDLEDGER_MAX_UPLOAD_BYTES` in tests). */
  env?: Readonly<Record<string, string>>;
}

export interface WebServer {
  readonly url: string;
  /** The `next start` process, e.g. to read its resident set. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts `next start` on 127.0.0.1 and resolves once it answers. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin(), 'start', '-H', '127.0.0.1', '-p', String(options.port)],
    {
      cwd: root,
      stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        MEDLEDGER_RPC_URL: options.rpcUrl,
        MEDLEDGER_IPFS_API_URL: options.ipfsApiUrl,
        MEDLEDGER_BURNER: options.burner ? '1' : '0',
        ...options.env,
      },
    },
  );
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
  return { url, pid: child.pid!, stop };
}
