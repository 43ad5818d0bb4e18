/**
 * Runs `medledger` commands in tests as a person runs them: each its own Node process (through tsx),
 * with the environment the test gives it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(import.meta.dirname, '../../scripts/cli.ts');
/** tsx by URL: a command may run in a scratch directory, where a bare `tsx` would not resolve. */
const TSX = import.meta.resolve('tsx');

/** What a command printed and how it exited. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Added to this process's environment (e.g. `MEDLEDGER_RPC_URL`, `MEDLEDGER_PRIVATE_KEY`). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * Runs `medledger …args`; resolves with the exit code and output, whatever the code.
 *
 * @param args - the command line after `medledger`
 * @param options - environment, working directory and time limit
 */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, CLI, ...args],
      {
        ...(options.cwd ? { cwd: options.cwd } : {}),
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Runs `medledger …args --json`, which must succeed, and parses what it printed.
 *
 * @param args - the command line after `medledger`, without `--json`
 * @param options - as for {@link runCli}
 */
export async function runCliJson<T>(args: readonly string[], options: CliOptions = {}): Promise<T> {
  const run = await runCli([...args, '--json'], options);
  assert.equal(run.code, 0, `medledger ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
