/**
 * `npm run bench -- web`: the size of the JavaScript the landing page loads (gzipped, from the
 * production build, as the browser fetches it), which routes pull in onnxruntime, and the time of each
 * browser-test flow (the E2E suite run once, in order, against fresh services).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { ensureWebBuild, freePort, startWebServer } from '../web';

const root = path.resolve(import.meta.dirname, '../..');
const TARGET_KB_GZ = 250;

interface PageWeight {
  scripts: number;
  jsKB: number;
  jsKBgz: number;
  loadsOnnxRuntime: boolean;
}

/** Fetches a page and every script it references, as a first visit would. */
async function pageWeight(url: string): Promise<PageWeight> {
  const html = await (await fetch(url)).text();
  const sources = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((match) => match[1]!))];
  let raw = 0;
  let gzipped = 0;
  let loadsOnnxRuntime = false;
  for (const source of sources) {
    const body = Buffer.from(await (await fetch(new URL(source, url))).arrayBuffer());
    raw += body.length;
    gzipped += gzipSync(body, { level: 9 }).length;
    if (/onnxruntime|ort-wasm/i.test(body.toString('latin1'))) loadsOnnxRuntime = true;
  }
  return {
    scripts: sources.length,
    jsKB: Math.round(raw / 102.4) / 10,
    jsKBgz: Math.round(gzipped / 102.4) / 10,
    loadsOnnxRuntime,
  };
}

/** Runs the E2E suite in a child process and returns the duration of each flow in milliseconds. */
async function e2eFlowTimes(): Promise<Record<string, number>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'medledger-bench-web-'));
  const timings = path.join(dir, 'timings.json');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', 'test/e2e/flows.e2e.ts'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, MEDLEDGER_E2E_TIMINGS: timings },
      });
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`The E2E suite failed (exit ${code}).`))));
    });
    return JSON.parse(await readFile(timings, 'utf8')) as Record<string, number>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function benchWeb(): Promise<unknown> {
  await ensureWebBuild();
  const server = await startWebServer({
    port: await freePort(),
    rpcUrl: 'http://127.0.0.1:8545',
    ipfsApiUrl: 'http://127.0.0.1:5001',
    burner: false,
    quiet: true,
  });
  const pages: Record<string, PageWeight> = {};
  try {
    for (const route of ['/', '/onboarding', '/patient', '/patient/insights', '/provider', '/admin']) {
      pages[route] = await pageWeight(`${server.url}${route}`);
    }
  } finally {
    await server.stop();
  }
  const landing = pages['/']!;
  return {
    firstLoadJsKBgz: landing.jsKBgz,
    targetKBgz: TARGET_KB_GZ,
    meetsTarget: landing.jsKBgz <= TARGET_KB_GZ && !landing.loadsOnnxRuntime,
    landingLoadsOnnxRuntime: landing.loadsOnnxRuntime,
    pages,
    e2eFlowMs: await e2eFlowTimes(),
    measuredAt: new Date().toISOString(),
    node: process.version,
  };
}
