/**
 * What the reload test and the web benchmark share: a patient seeded through lib/records with many
 * records, a browser that unlocks that patient's key and keeps the device unlocked, and the time the
 * records screen takes until every record is on screen.
 */
import type { Observation } from '@medplum/fhirtypes';
import type { BrowserContext, Locator, Page } from 'playwright-core';

import { connectChain, deployments } from '../../lib/chain';
import { createIpfsClient } from '../../lib/ipfs';
import { addRecords, enrollWallet, registerPatient } from '../../lib/records';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { type Actor, type System, shown } from './system';

const LOINC = [
  { code: '8867-4', display: 'Heart rate', unit: '/min', base: 60, spread: 40 },
  { code: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', base: 110, spread: 40 },
  { code: '2339-0', display: 'Glucose [Mass/volume] in Blood', unit: 'mg/dL', base: 80, spread: 60 },
  { code: '29463-7', display: 'Body weight', unit: 'kg', base: 70, spread: 15 },
] as const;

/** A measurement of a long history: four kinds of vital signs and labs, one a day. */
function measurement(index: number): Observation {
  const kind = LOINC[index % LOINC.length]!;
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: kind.code, display: kind.display }], text: kind.display },
    effectiveDateTime: new Date(Date.UTC(2024, 0, 1) + index * 86_400_000).toISOString(),
    valueQuantity: {
      value: kind.base + ((index * 7) % kind.spread),
      unit: kind.unit,
      system: 'http://unitsofmeasure.org',
      code: kind.unit,
    },
  };
}

/**
 * Registers `key`'s account as a patient and writes `count` records for it, as its own wallet would
 * from the CLI (same wallet, same derived key as in the browser).
 */
export async function seedPatient(system: System, key: keyof typeof DEVNET_KEYS, count: number): Promise<void> {
  const chain = await connectChain({
    rpcUrl: system.rpcUrl,
    privateKey: DEVNET_KEYS[key],
    deployment: deployments[31337],
  });
  const { key: identity } = await enrollWallet(chain, { role: 'patient' });
  const vault = { chain, ipfs: createIpfsClient(system.ipfsApiUrl), identity };
  await registerPatient(vault, {
    resourceType: 'Patient',
    name: [{ text: 'Reload Patient' }],
    birthDate: '1970-01-01',
  });
  await addRecords(
    vault,
    chain.account!,
    Array.from({ length: count }, (_, index) => ({ payload: { resource: measurement(index) } })),
  );
}

/** How many signature requests the wallet received. */
export function signatureRequests(actor: Actor): number {
  return actor.wallet.calls.filter((method) => method === 'eth_signTypedData_v4').length;
}

/** The records screen shows all `count` records (the "All (n)" tab). */
export function allRecordsTab(page: Page, count: number): Locator {
  return page.getByRole('tab', { name: `All (${count})` });
}

/**
 * Runs in every page of a context before the app: notes when a records tab "All (n)" first shows, in
 * milliseconds since the page's navigation started (the next animation frame after the DOM has it).
 */
const RECORDS_SHOWN_PROBE = `(() => {
  const shown = {};
  window.__medledgerRecordsShown = shown;
  new MutationObserver(() => {
    for (const tab of document.querySelectorAll('[role="tab"]')) {
      const count = /^All \\((\\d+)\\)$/.exec((tab.textContent || '').trim())?.[1];
      if (count !== undefined && !(count in shown)) {
        shown[count] = 0;
        requestAnimationFrame(() => { shown[count] = performance.now(); });
      }
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

const probed = new WeakSet<BrowserContext>();

/**
 * Milliseconds from the start of the navigation `navigate` makes (a first visit or a reload) until
 * every one of the `count` records is listed: list on-chain, fetch, verify, decrypt, render. Measured
 * in the page, so the test's polling does not round it.
 */
export async function timeRecordsScreen(page: Page, count: number, navigate: () => Promise<unknown>): Promise<number> {
  if (!probed.has(page.context())) {
    await page.context().addInitScript({ content: RECORDS_SHOWN_PROBE });
    probed.add(page.context());
  }
  await navigate();
  const shownAt = await page.waitForFunction(
    (key) => (window as unknown as { __medledgerRecordsShown?: Record<string, number> }).__medledgerRecordsShown?.[key],
    String(count),
    { polling: 'raf', timeout: 60_000 },
  );
  await shown(allRecordsTab(page, count));
  return (await shownAt.jsonValue()) as number;
}
