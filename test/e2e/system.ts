/**
 * The system the browser tests run against, started the way `npm start` starts it but on free ports
 * and with fresh state, so a running `npm start` is never touched: a Hardhat devnet with MedLedger
 * deployed, the embedded IPFS node, the production web app, and headless Debian Chromium.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import type { Hex } from 'viem';

import { connectChain, deployments } from '../../lib/chain';
import { createIpfsClient } from '../../lib/ipfs';
import { startIpfsNode } from '../../lib/ipfs/node';
import { type Vault, enrollWallet } from '../../lib/records';
import { startDevnet } from '../../scripts/devnet';
import { ensureWebBuild, freePort, startWebServer } from '../../scripts/web';
import { type TestWallet, installWallet } from './wallet';

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-results/e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface System {
  readonly rpcUrl: string;
  readonly ipfsApiUrl: string;
  readonly webUrl: string;
  readonly browser: Browser;
  stop(): Promise<void>;
}

export async function startSystem(): Promise<System> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`,
    );
  }
  await ensureWebBuild();
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => console.error(error));
  };
  try {
    const devnet = await startDevnet();
    stops.push(() => devnet.stop());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-e2e-ipfs-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    const ipfs = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    stops.push(() => ipfs.stop());
    const web = await startWebServer({
      port: await freePort(),
      rpcUrl: devnet.rpcUrl,
      ipfsApiUrl: ipfs.apiUrl,
      burner: true,
      quiet: true,
      // A 20 MiB upload limit instead of the 2 GiB default, so refusing an oversized file takes 21 MB.
      env: { MEDLEDGER_MAX_UPLOAD_BYTES: String(20 * 1_048_576) },
    });
    stops.push(() => web.stop());
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    stops.push(() => browser.close());
    return { rpcUrl: devnet.rpcUrl, ipfsApiUrl: ipfs.apiUrl, webUrl: web.url, browser, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Actor {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly wallet: TestWallet;
  /** Every request the pages made to a host other than the app and the chain RPC (must stay empty). */
  readonly foreignRequests: string[];
}

/** A person at their own browser profile with their own wallet, on the app's landing page. */
export async function openActor(
  system: System,
  options: { privateKey: Hex; chainId?: number; viewport?: { width: number; height: number } },
): Promise<Actor> {
  const context = await system.browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(30_000);
  const wallet = await installWallet(context, {
    privateKey: options.privateKey,
    rpcUrl: system.rpcUrl,
    chainId: options.chainId,
  });
  const allowed = [new URL(system.webUrl).origin, new URL(system.rpcUrl).origin];
  const foreignRequests: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (!/^(https?|wss?):/.test(url)) return; // data:, blob: and the browser's own PDF viewer stay local
    if (!allowed.includes(new URL(url).origin)) foreignRequests.push(url);
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(system.webUrl);
  return { context, page, wallet, foreignRequests };
}

/** Saves a full-page screenshot under test-results/e2e/ (a CI artifact to look at). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** The viewports the browser tests look at the app in. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * Waits until `locator` is visible and returns its first match; on a timeout, saves a screenshot of the
 * page (`failed-<time>.png`) so the failure can be seen, then fails.
 */
export async function shown(locator: Locator, timeout = 30_000): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (error) {
    await screenshot(locator.page(), `failed-${Date.now()}`).catch(() => undefined);
    throw error;
  }
  return locator.first();
}

/** Moves within the app client-side, so the key unlocked in this tab stays in memory. */
export async function visit(page: Page, to: string): Promise<void> {
  await page.evaluate(
    (href) => (window as unknown as { next: { router: { push(h: string): void } } }).next.router.push(href),
    to,
  );
  const target = new URL(to, 'http://app');
  await page.waitForURL((url) => url.pathname === target.pathname && url.search === target.search);
}

/** How far the page scrolls sideways: 0 when nothing is wider than the viewport. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** A viewport-only screenshot: what a person sees before scrolling. */
export function firstScreen(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`) });
}

/**
 * Connects the actor's wallet on /onboarding and derives its key, keeping this device unlocked for
 * `keepFor` (a label of the picker) unless it is undefined.
 */
export async function connectAndUnlock(actor: Actor, system: System, keepFor?: string): Promise<void> {
  const { page } = actor;
  await page.goto(new URL('/onboarding', system.webUrl).href);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await (
    await shown(page.getByRole('dialog', { name: 'Connect a wallet' }).getByRole('button', { name: 'Test Wallet' }))
  ).click();
  const derive = await shown(page.getByRole('button', { name: 'Derive my encryption key' }));
  if (keepFor) {
    await page.getByRole('checkbox', { name: 'Keep this device unlocked for' }).check();
    await page
      .getByRole('combobox', { name: 'How long to keep this device unlocked' })
      .selectOption({ label: keepFor });
  }
  await derive.click();
  await shown(page.getByText(keepFor ? /encryption key is unlocked on this device until/ : /unlocked in this tab/));
}

/** A devnet account's own Node client: chain, IPFS and the identity key the browser derives too. */
export async function devnetVault(system: System, privateKey: Hex, role: 'patient' | 'provider'): Promise<Vault> {
  const chain = await connectChain({ rpcUrl: system.rpcUrl, privateKey, deployment: deployments[31337] });
  const { key: identity } = await enrollWallet(chain, { role });
  return { chain, ipfs: createIpfsClient(system.ipfsApiUrl), identity };
}
