/**
 * The browser tests: every main flow of the web app, in headless Chromium against the production build,
 * with a wallet injected the way MetaMask injects itself. One story, in order: the chain state each step
 * leaves is what the next step starts from.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import type { Locator, Page } from 'playwright-core';

import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { type Actor, type System, openActor, screenshot, startSystem } from './system';

/** Waits until the locator is visible (the DOM, not a timer, decides when a step is done). */
async function shown(locator: Locator, timeout = 30_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

async function connect(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect a wallet' });
  await (await shown(dialog.getByRole('button', { name: 'Test Wallet' }))).click();
  await shown(page.getByRole('button', { name: 'Disconnect' }));
}

let system: System;
const actors: Actor[] = [];
/** Duration of each flow, written for `npm run bench -- web` when MEDLEDGER_E2E_TIMINGS names a file. */
const flowMs: Record<string, number> = {};
let flowStart = 0;

describe('MedLedger in the browser', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    system = await startSystem();
  });
  beforeEach(() => {
    flowStart = performance.now();
  });
  afterEach((context) => {
    flowMs[context.name] = Math.round(performance.now() - flowStart);
  });
  after(async () => {
    if (process.env.MEDLEDGER_E2E_TIMINGS) await writeFile(process.env.MEDLEDGER_E2E_TIMINGS, JSON.stringify(flowMs, null, 2));
    for (const actor of actors) await actor.context.close().catch(() => undefined);
    await system?.stop();
  });

  test('the landing page loads nothing from outside this machine', async () => {
    const visitor = await openActor(system, { privateKey: DEVNET_KEYS.stranger });
    actors.push(visitor);
    await shown(visitor.page.getByRole('heading', { level: 1 }));
    await screenshot(visitor.page, '01-landing');
    await visitor.page.setViewportSize({ width: 390, height: 844 });
    await screenshot(visitor.page, '01-landing-phone');
    assert.deepEqual(visitor.foreignRequests, []);
  });

  test('a wallet on the wrong network is switched to the devnet in one click', async () => {
    const patient = await openActor(system, { privateKey: DEVNET_KEYS.patient, chainId: 1 });
    actors.push(patient);
    await connect(patient.page);
    assert.equal(patient.wallet.chainId, 31337, 'connecting asks the wallet to switch to the devnet');
    await patient.wallet.switchChain(1);
    const banner = await shown(patient.page.getByRole('alert').filter({ hasText: 'MedLedger runs on the local devnet' }));
    await screenshot(patient.page, '02-wrong-network');
    await banner.getByRole('button', { name: 'Switch to the devnet' }).click();
    await banner.waitFor({ state: 'detached' });
    assert.equal(patient.wallet.chainId, 31337);
  });
});
