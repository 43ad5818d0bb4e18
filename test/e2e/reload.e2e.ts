/**
 * The browser test of issue 16, "a reload does not start over": with "keep this device unlocked" a
 * reload opens the records with no signature request and no IPFS download (the blob cache answers);
 * the lock button ends that; without the option a reload asks the wallet again, as before.
 * Screenshots go to test-results/e2e/ (reload-*.png).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Page } from 'playwright-core';

import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { allRecordsTab, seedPatient, signatureRequests, timeRecordsScreen } from './reload';
import {
  ARTIFACTS_DIR,
  type Actor,
  type System,
  openActor,
  screenshot,
  startSystem,
  shown,
  connectAndUnlock,
} from './system';

const RECORDS = 24;

let system: System;
let patient: Actor;
/** Every `cat` the pages asked the app's IPFS proxy for, in order. */
const cats: string[] = [];

/** The kept identities this browser profile holds in IndexedDB (their keys, never their bytes). */
function keptEntries(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const request = indexedDB.open('medledger-identity', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('kept');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const count = request.result.transaction('kept', 'readonly').objectStore('kept').count();
          count.onsuccess = () => {
            resolve(count.result);
            request.result.close();
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

describe('A reload does not start over', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    system = await startSystem();
    await seedPatient(system, 'patient', RECORDS);
    patient = await openActor(system, { privateKey: DEVNET_KEYS.patient });
    patient.context.on('request', (request) => {
      if (/\/api\/ipfs\/cat\?/.test(request.url())) cats.push(request.url());
    });
  });
  after(async () => {
    const foreign = patient?.foreignRequests ?? [];
    await patient?.context.close().catch(() => undefined);
    await system?.stop();
    assert.deepEqual(foreign, [], 'no request may leave the machine');
  });

  test('the patient keeps this device unlocked for an hour: two signatures, once', async () => {
    const { page } = patient;
    await connectAndUnlock(patient, system, '1 hour');
    assert.equal(signatureRequests(patient), 2);
    await shown(page.getByRole('button', { name: 'Lock' }));
    await shown(page.getByText(/^Unlocked until /));
    assert.equal(await keptEntries(page), 1);
    await screenshot(page, 'reload-kept');
  });

  test('the first visit of the records screen downloads each record once', async () => {
    const { page } = patient;
    const before = cats.length;
    await timeRecordsScreen(page, RECORDS, () => page.goto(new URL('/patient', system.webUrl).href));
    assert.equal(signatureRequests(patient), 2, 'the kept key opens the records without signing');
    // The records, plus the profile the page shows (or its keyring), each fetched once.
    const fetched = cats.slice(before);
    assert.ok(fetched.length >= RECORDS, `${fetched.length} downloads for ${RECORDS} records`);
    assert.equal(new Set(fetched).size, fetched.length, 'nothing downloaded twice');
  });

  test('a reload opens the records with no signature request and no IPFS download', async () => {
    const { page } = patient;
    const before = cats.length;
    await timeRecordsScreen(page, RECORDS, () => page.reload());
    assert.equal(signatureRequests(patient), 2, 'no signature request after the reload');
    assert.deepEqual(cats.slice(before), [], 'every record came from the blob cache');
    await shown(page.getByText(/^Unlocked until /));
    await screenshot(page, 'reload-warm');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'reload-phone.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('Lock forgets the key here and on this device: a reload asks the wallet again', async () => {
    const { page } = patient;
    await page.getByRole('button', { name: 'Lock' }).click();
    await shown(page.getByRole('button', { name: 'Derive my encryption key' }));
    assert.equal(await allRecordsTab(page, RECORDS).count(), 0, 'the decrypted records are gone');
    assert.equal(await keptEntries(page), 0);
    await screenshot(page, 'reload-locked');

    await page.reload();
    await shown(page.getByRole('button', { name: 'Derive my encryption key' }));
    assert.equal(signatureRequests(patient), 2, 'nothing asks the wallet by itself');
    assert.equal(await page.getByRole('checkbox', { name: 'Keep this device unlocked for' }).isChecked(), false);
  });

  test('without the option, the key stays in the tab and a reload asks for it again', async () => {
    const { page } = patient;
    await page.getByRole('button', { name: 'Derive my encryption key' }).click();
    await shown(allRecordsTab(page, RECORDS));
    assert.equal(signatureRequests(patient), 4);
    await shown(page.getByRole('button', { name: 'Lock' }));
    assert.equal(await page.getByText(/^Unlocked until /).count(), 0, 'no expiry: the key stays in this tab only');
    assert.equal(await keptEntries(page), 0, 'nothing kept without the option');

    const before = cats.length;
    await page.reload();
    await shown(page.getByRole('button', { name: 'Derive my encryption key' }));
    await page.getByRole('button', { name: 'Derive my encryption key' }).click();
    await shown(allRecordsTab(page, RECORDS));
    assert.equal(signatureRequests(patient), 6);
    assert.deepEqual(cats.slice(before), [], 'the blob cache does not depend on keeping the key');
  });
});
