/**
 * The browser test of issue 15: a patient imports a multi-year, multi-type history shaped like a
 * Synthea export and reads it like a patient portal: visits with what happened in them, values in
 * words, no raw JSON, the people and places of care apart, trends as charts, and a phone-width layout
 * without horizontal scrolling; then her doctor reads the same history with the same trends.
 * Screenshots go to test-results/e2e/ (history-*.png).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { keccak256, toHex } from 'viem';

import {
  RECORD_CATEGORIES,
  connectChain,
  deployments,
  parseProviderKind,
  readScope,
  writeMedLedger,
} from '../../lib/chain';
import { grantAccess, publishProviderKey } from '../../lib/records';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { historyBundle } from '../../lib/testing/history-fixture';
import {
  type Actor,
  type System,
  openActor,
  screenshot,
  startSystem,
  shown,
  visit,
  horizontalOverflow,
  firstScreen,
  PHONE,
  DESKTOP,
  connectAndUnlock,
  devnetVault,
} from './system';

let system: System;
let patient: Actor;
let doctor: Actor | undefined;

describe('A patient reads a multi-year history', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    system = await startSystem();
    patient = await openActor(system, { privateKey: DEVNET_KEYS.patient, viewport: DESKTOP });
  });
  after(async () => {
    const foreign = [...(patient?.foreignRequests ?? []), ...(doctor?.foreignRequests ?? [])];
    await patient?.context.close().catch(() => undefined);
    await doctor?.context.close().catch(() => undefined);
    await system?.stop();
    assert.deepEqual(foreign, [], 'no request may leave the machine (the charts load nothing from outside)');
  });

  test('the patient registers and imports a Synthea-shaped bundle of every common type', async () => {
    const { page } = patient;
    await connectAndUnlock(patient, system);
    await page.getByRole('radio', { name: 'A patient' }).check();
    await page.getByLabel('Full name').fill('Rosa Alvarez');
    await page.getByLabel('Date of birth').fill('1966-08-14');
    await page.getByLabel('Sex').selectOption({ label: 'Female' });
    await page.getByRole('button', { name: 'Register as patient' }).click();
    await shown(page.getByText('Registered patient'));

    await visit(page, '/patient/add');
    await page.getByRole('radio', { name: 'Upload FHIR JSON or Bundle' }).check();
    const bundle = historyBundle();
    await page.getByLabel('FHIR JSON file (one resource or a Bundle)').setInputFiles({
      name: 'synthea-history.json',
      mimeType: 'application/fhir+json',
      buffer: Buffer.from(JSON.stringify(bundle)),
    });
    await (await shown(page.getByRole('button', { name: /^Import \d+ records?/ }))).click();
    const outcome = await shown(
      page.locator('.notice-ok, .notice-error').filter({ hasText: /^(Done|Failed):/ }),
      120_000,
    );
    assert.match((await outcome.textContent()) ?? '', /^Done:/);
  });

  test('the first screen of the timeline is readable clinical entries, newest visit first, no raw JSON', async () => {
    const { page } = patient;
    const opened = performance.now();
    await visit(page, '/patient');
    const latestVisit = page
      .getByRole('article', { name: 'Visit: General examination of patient (procedure)' })
      .first();
    await shown(latestVisit, 60_000);
    console.log(
      `[timing] open the imported history (${historyBundle().entry!.length} records): ${Math.round(performance.now() - opened)} ms`,
    );

    await shown(page.getByRole('heading', { name: '2022', level: 3 }));
    const visitText = (await latestVisit.innerText()).replace(/\s+/g, ' ');
    assert.match(visitText, /May 17, 2022/);
    assert.match(visitText, /Blood Pressure 142\/90 mmHg/);
    assert.match(visitText, /Lipid Panel/);
    assert.match(visitText, /Total Cholesterol 221 mg\/dL/);
    assert.match(visitText, /Essential hypertension \(disorder\) \(active\)/);
    assert.match(visitText, /lisinopril 10 MG Oral Tablet \(active\)/);
    assert.match(visitText, /✓ Verified · Record #\d+, added .* by you/);
    assert.match(visitText, /Billing & insurance \(2\)/);

    const bodyText = await page.locator('main').innerText();
    assert.doesNotMatch(bodyText, /"resourceType"|urn:uuid:/, 'no raw JSON or references on screen');
    assert.equal(await page.locator('pre.fhir-json').count(), 0, 'raw JSON is rendered only when asked for');
    assert.ok(await latestVisit.isVisible(), 'the newest visit is on the first screen');

    const directory = page.getByRole('region', { name: 'Care team & places' });
    await shown(directory.getByText('Dr. Adaeze Okafor'));
    await shown(directory.getByText('Riverside Community Health'));
    assert.equal(
      await page.locator('.record-list').getByRole('article', { name: 'Riverside Community Health' }).count(),
      0,
      'organizations are not timeline entries',
    );

    await firstScreen(page, 'history-timeline-first-screen');
    await screenshot(page, 'history-timeline');

    await latestVisit.getByText('About this visit').click();
    await latestVisit.getByText('FHIR JSON').last().click();
    await shown(latestVisit.locator('pre.fhir-json'));
  });

  test('trends show blood pressure and weight as charts with their ranges', async () => {
    const { page } = patient;
    await page.getByRole('tab', { name: /^Trends/ }).click();
    const bp = page.locator('.trend-card').filter({ has: page.getByRole('heading', { name: 'Blood pressure' }) });
    await shown(bp.locator('.trend-chart canvas'));
    assert.match(await bp.innerText(), /142\/90 mmHg/);
    assert.match(await bp.innerText(), /Shaded: reference 90–129 mmHg/);
    assert.ok((await page.locator('.trend-card').count()) >= 4, 'weight, BMI and HbA1c are charted too');
    const box = await bp.locator('canvas').first().boundingBox();
    assert.ok(box && box.width > 200 && box.height > 100, `the chart is drawn (${JSON.stringify(box)})`);
    await firstScreen(page, 'history-trends-first-screen');
    await screenshot(page, 'history-trends');
  });

  test('at phone width the header, the trends and the record cards fit without sideways scrolling', async () => {
    const { page } = patient;
    await page.setViewportSize(PHONE);
    await shown(page.locator('.trend-card canvas'));
    assert.equal(await horizontalOverflow(page), 0, 'trends fit a 390 px screen');
    await firstScreen(page, 'history-trends-phone');

    await page.getByRole('tab', { name: /^All \(/ }).click();
    await shown(page.getByRole('article', { name: 'Visit: General examination of patient (procedure)' }));
    assert.equal(await horizontalOverflow(page), 0, 'the timeline fits a 390 px screen');
    await shown(page.getByRole('button', { name: 'Disconnect' }));
    await firstScreen(page, 'history-timeline-phone');
    await screenshot(page, 'history-timeline-phone-full');
    await page.setViewportSize(DESKTOP);
  });

  test('her doctor, once granted, reads the same history with the same trends', async () => {
    const admin = await connectChain({
      rpcUrl: system.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: deployments[31337],
    });
    doctor = await openActor(system, { privateKey: DEVNET_KEYS.doctor, viewport: DESKTOP });
    await writeMedLedger(admin, 'registerProvider', [
      doctor.wallet.address,
      parseProviderKind('doctor'),
      keccak256(toHex('history-doctor')),
    ]);
    await publishProviderKey(await devnetVault(system, DEVNET_KEYS.doctor, 'provider'));
    const readEverything = Object.values(RECORD_CATEGORIES).reduce(
      (scopes, category) => scopes | readScope(category),
      0n,
    );
    await grantAccess(await devnetVault(system, DEVNET_KEYS.patient, 'patient'), {
      provider: doctor.wallet.address,
      scopes: readEverything,
      expiry: Math.floor(Date.now() / 1000) + 30 * 86_400,
    });

    await connectAndUnlock(doctor, system);
    const { page } = doctor;
    await visit(page, `/provider/patient?address=${patient.wallet.address}`);
    await (await shown(page.getByRole('button', { name: 'Open records' }))).click();
    await shown(page.getByRole('article', { name: 'Visit: General examination of patient (procedure)' }), 60_000);
    assert.doesNotMatch(await page.locator('main').innerText(), /"resourceType"|urn:uuid:/);
    await page.getByRole('tab', { name: /^Trends/ }).click();
    const bp = page.locator('.trend-card').filter({ has: page.getByRole('heading', { name: 'Blood pressure' }) });
    await shown(bp.locator('.trend-chart canvas'));
    assert.match(await bp.innerText(), /142\/90 mmHg/);
    await firstScreen(page, 'history-doctor-trends');
  });
});
