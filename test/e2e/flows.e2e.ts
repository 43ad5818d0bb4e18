/**
 * The browser tests: every main flow of the web app, in headless Chromium against the production build,
 * with a wallet injected the way MetaMask injects itself. One story, in order: the chain state each step
 * leaves is what the next step starts from.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import type { Locator, Page } from 'playwright-core';
import { type Address, createPublicClient, http } from 'viem';

import { deployments, medLedgerAbi } from '../../lib/chain/deployments';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { PATRIA, personBundle } from '../../lib/testing/fixtures';
import { startDevnet } from '../../scripts/devnet';
import { freePort, startWebServer } from '../../scripts/web';
import { type Actor, type System, openActor, screenshot, startSystem, shown } from './system';

/** The outcome line of a transaction or pipeline run (components/tx-status.tsx). */
async function outcome(scope: Page | Locator, timeout = 60_000): Promise<string> {
  const line = await shown(scope.locator('.notice-ok, .notice-error').filter({ hasText: /^(Done|Failed):/ }), timeout);
  return (await line.textContent()) ?? '';
}

async function done(scope: Page | Locator): Promise<void> {
  const text = await outcome(scope);
  assert.match(text, /^Done:/, text);
}

/** Connects the actor's wallet through the connect dialog of the app's header. */
async function connect(actor: Actor, path = '/onboarding'): Promise<void> {
  await actor.page.goto(new URL(path, system.webUrl).href);
  await actor.page.getByRole('button', { name: 'Connect wallet' }).click();
  const dialog = actor.page.getByRole('dialog', { name: 'Connect a wallet' });
  await (await shown(dialog.getByRole('button', { name: 'Test Wallet' }))).click();
  await shown(actor.page.getByRole('button', { name: 'Disconnect' }));
}

/** Onboarding step 3: two signatures derive the encryption key (no transaction). */
async function unlock(actor: Actor): Promise<void> {
  await actor.page.getByRole('button', { name: 'Derive my encryption key' }).click();
  await shown(actor.page.getByText(/encryption key is unlocked in this tab/));
}

/**
 * Moves within the app the way its links do (client-side), so the key unlocked in this tab stays in
 * memory; a full reload would ask the wallet to sign again, by design.
 */
async function visit(actor: Actor, path: string): Promise<void> {
  const target = new URL(path, system.webUrl);
  await actor.page.evaluate(
    (href) => (window as unknown as { next: { router: { push(h: string): void } } }).next.router.push(href),
    path,
  );
  await actor.page.waitForURL((url) => url.pathname === target.pathname && url.search === target.search);
}

let system: System;
let chain: ReturnType<typeof createPublicClient>;
const actors: Record<'visitor' | 'patient' | 'admin' | 'doctor' | 'lab', Actor> = {} as never;
const address = (role: keyof typeof actors) => actors[role].wallet.address;

async function recordCount(patient: Address): Promise<bigint> {
  const info = await chain.readContract({
    address: deployments[31337].medLedger,
    abi: medLedgerAbi,
    functionName: 'patientInfo',
    args: [patient],
  });
  return info.recordCount;
}

/** Duration of each flow, written for `npm run bench -- web` when MEDLEDGER_E2E_TIMINGS names a file. */
const flowMs: Record<string, number> = {};
let flowStart = 0;

describe('MedLedger in the browser', { timeout: 20 * 60_000 }, () => {
  before(async () => {
    system = await startSystem();
    chain = createPublicClient({ transport: http(system.rpcUrl) });
  });
  beforeEach(() => {
    flowStart = performance.now();
  });
  afterEach(async (context) => {
    flowMs[context.name] = Math.round(performance.now() - flowStart);
    // Where each person's browser ended up: the first thing to look at when a flow fails.
    for (const [role, actor] of Object.entries(actors))
      await screenshot(actor.page, `last-${role}`).catch(() => undefined);
  });
  after(async () => {
    if (process.env.MEDLEDGER_E2E_TIMINGS)
      await writeFile(process.env.MEDLEDGER_E2E_TIMINGS, JSON.stringify(flowMs, null, 2));
    const foreign = Object.values(actors).flatMap((actor) => actor.foreignRequests);
    for (const actor of Object.values(actors)) await actor.context.close().catch(() => undefined);
    await system?.stop();
    assert.deepEqual(foreign, [], 'no request may leave the machine');
  });

  test('the landing page is light and loads nothing from outside this machine', async () => {
    actors.visitor = await openActor(system, { privateKey: DEVNET_KEYS.stranger });
    const { page } = actors.visitor;
    await shown(page.getByRole('heading', { level: 1, name: /Your medical records/ }));
    await screenshot(page, '01-landing');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, '01-landing-phone');
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => entry.name)
        .filter((name) => /\.(m?js|wasm)(\?|$)/.test(name)),
    );
    assert.ok(
      !scripts.some((name) => /ort|onnx|\.wasm/.test(name)),
      `the landing page loads no inference runtime: ${scripts.join(', ')}`,
    );
  });

  test('a wallet on the wrong network is switched to the devnet in one click', async () => {
    actors.patient = await openActor(system, { privateKey: DEVNET_KEYS.patient, chainId: 1 });
    const patient = actors.patient;
    await connect(patient);
    assert.equal(patient.wallet.chainId, 31337, 'connecting asks the wallet to switch to the devnet');
    await patient.wallet.switchChain(1);
    const banner = await shown(
      patient.page.getByRole('alert').filter({ hasText: 'MedLedger runs on MedLedger devnet (chain 31337)' }),
    );
    await screenshot(patient.page, '02-wrong-network');
    await banner.getByRole('button', { name: 'Switch to MedLedger devnet' }).click();
    await banner.waitFor({ state: 'detached' });
    assert.equal(patient.wallet.chainId, 31337);
  });

  test('a server whose RPC serves another chain than it is set up for says so', async () => {
    // A real second chain (id 1337, MedLedger deployed on it), which this build holds no deployment
    // for, behind a second server left at the default MEDLEDGER_CHAIN_ID (31337).
    const otherChain = await startDevnet({ chainId: 1337 });
    const web = await startWebServer({
      port: await freePort(),
      rpcUrl: otherChain.rpcUrl,
      ipfsApiUrl: system.ipfsApiUrl,
      burner: false,
      quiet: true,
    });
    const context = await system.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(new URL('/onboarding', web.url).href);
      const banner = await shown(page.getByRole('alert').filter({ hasText: 'set up for chain 31337' }));
      assert.match((await banner.textContent()) ?? '', /its RPC \(http:\/\/127\.0\.0\.1:\d+\) serves chain 1337/);
      await screenshot(page, '02-misconfigured-chain');
    } finally {
      await context.close();
      await web.stop();
      await otherChain.stop();
    }
  });

  test('the patient rejects the key signature, tries again, and registers', async () => {
    const { page, wallet } = actors.patient;
    wallet.rejectNext('eth_signTypedData_v4');
    await page.getByRole('button', { name: 'Derive my encryption key' }).click();
    const refusal = await shown(page.getByRole('alert').filter({ hasText: /reject/i }));
    assert.match((await refusal.textContent()) ?? '', /reject/i);
    assert.equal(await recordCount(wallet.address), 0n);
    await unlock(actors.patient);
    await page.getByRole('radio', { name: 'A patient' }).check();
    await page.getByLabel('Full name').fill('Alex Rivera');
    await page.getByLabel('Date of birth').fill('1970-03-14');
    await page.getByLabel('Sex').selectOption({ label: 'Female' });
    await screenshot(page, '03-onboarding');
    await page.getByRole('button', { name: 'Register as patient' }).click();
    await shown(page.getByText('Registered patient'));
  });

  test('the patient adds a FHIR record with a form and a PDF document', async () => {
    const { page, wallet } = actors.patient;
    await visit(actors.patient, '/patient/add');
    await page.getByRole('radio', { name: 'Condition (diagnosis)' }).check();
    await page.getByLabel('Condition', { exact: true }).fill('Essential hypertension');
    await page.getByRole('button', { name: 'Save condition' }).click();
    await done(page);
    assert.equal(await recordCount(wallet.address), 1n);

    await page.getByRole('radio', { name: 'Upload a document' }).check();
    await page
      .getByLabel(/^Document \(PDF or image/)
      .setInputFiles({ name: 'discharge-letter.pdf', mimeType: 'application/pdf', buffer: samplePdf() });
    await page.getByLabel('Title').fill('Discharge letter');
    await page.getByRole('button', { name: 'Upload document' }).click();
    await done(page);
    await screenshot(page, '04-add-record');
    assert.equal(await recordCount(wallet.address), 2n);

    await visit(actors.patient, '/patient');
    await shown(page.getByText('Essential hypertension'));
    await page.getByRole('tab', { name: /Documents/ }).click();
    await page.getByRole('button', { name: 'Preview Discharge letter' }).click();
    await shown(page.frameLocator('iframe[title="Preview of Discharge letter"]').locator('body'));
    await screenshot(page, '05-patient-records');
  });

  test('malformed FHIR is explained and nothing is written; an oversized file is refused before encryption', async () => {
    const { page, wallet } = actors.patient;
    await visit(actors.patient, '/patient/add');
    await page.getByRole('radio', { name: 'Upload FHIR JSON or Bundle' }).check();
    const bad = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Observation', code: { text: 'Glucose' } } }],
    };
    await page
      .getByLabel('FHIR JSON file (one resource or a Bundle)')
      .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await shown(page.getByText(/Bundle\.entry\[0\]\.resource\.status/));
    assert.ok(await page.getByRole('button', { name: /^Import/ }).isDisabled());
    await screenshot(page, '06-malformed-fhir');

    const uploadsBefore = wallet.calls.length;
    await page.getByRole('radio', { name: 'Upload a document' }).check();
    await page
      .getByLabel(/^Document \(PDF or image/)
      .setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(21 * 1024 * 1024, 1) });
    await shown(page.getByText(/the limit is .*Nothing was uploaded/));
    assert.ok(await page.getByRole('button', { name: 'Upload document' }).isDisabled());
    assert.equal(wallet.calls.length, uploadsBefore, 'no signature or transaction was asked for');
    assert.equal(await recordCount(wallet.address), 2n);
  });

  test('the admin registers a doctor and a lab, each with a public profile', async () => {
    actors.admin = await openActor(system, { privateKey: DEVNET_KEYS.admin });
    actors.doctor = await openActor(system, { privateKey: DEVNET_KEYS.doctor });
    actors.lab = await openActor(system, { privateKey: DEVNET_KEYS.lab });
    const admin = actors.admin;
    await connect(admin, '/admin');
    const form = admin.page.getByRole('form', { name: /Register a provider/ });
    for (const [role, kind, name, credential] of [
      ['doctor', 'Doctor', 'Dr. Ada Okafor', 'GMC 7654321'],
      ['lab', 'Laboratory', 'Northside Clinical Lab', 'CLIA 99D1234567'],
    ] as const) {
      await form.getByLabel('Provider address').fill(address(role));
      await form.getByLabel('Kind').selectOption({ label: kind });
      await form.getByLabel(/^(Organisation name|Name)$/).fill(name);
      await form.getByLabel('Credential').fill(credential);
      await form.getByRole('button', { name: 'Register provider' }).click();
      // Two transactions: the registration, then the profile (the first one's "Done" says the second follows).
      const registered = form
        .locator('.notice-ok, .notice-error')
        .filter({ hasText: new RegExp(`^Failed:|${name} is registered .* listed in the directory`) });
      const said = (await (await shown(registered, 60_000)).textContent()) ?? '';
      assert.match(said, /^Done:/, said);
      await shown(
        admin.page.getByRole('row', { name: new RegExp(address(role).slice(0, 6)) }).filter({ hasText: name }),
      );
    }
    await screenshot(admin.page, '07-admin');
  });

  test('the doctor publishes its key and requests access; the patient approves with an expiry', async () => {
    const doctor = actors.doctor;
    await connect(doctor);
    await unlock(doctor);
    await doctor.page.getByRole('button', { name: 'Publish my encryption key' }).click();
    await shown(doctor.page.getByText('Your encryption key is published: patients can share records with you.'));
    await visit(doctor, '/provider');
    await doctor.page.getByLabel('Patient address').fill(address('patient'));
    for (const scope of ['Read Observations', 'Read Conditions', 'Read Documents']) {
      await doctor.page.getByRole('checkbox', { name: scope }).check();
    }
    await doctor.page.getByRole('button', { name: 'Send access request' }).click();
    await done(doctor.page);
    await screenshot(doctor.page, '08-provider-dashboard');

    const { page } = actors.patient;
    await visit(actors.patient, '/patient/access');
    const approve = await shown(page.getByRole('button', { name: /^Approve request from/ }));
    await page.getByRole('radio', { name: '30 days' }).first().check();
    await approve.click();
    await done(page);
    await shown(page.getByRole('button', { name: /^Revoke access for/ }));
    await screenshot(page, '09-patient-access');
  });

  test('the doctor opens and reads the decrypted records; the read shows in the patient’s audit trail', async () => {
    const doctor = actors.doctor;
    await visit(doctor, `/provider/patient?address=${address('patient')}`);
    await doctor.page.getByRole('button', { name: 'Open records' }).click();
    await shown(doctor.page.getByText(/Your read is recorded in the patient.s audit trail\./));
    await shown(doctor.page.getByText('Essential hypertension'));
    await screenshot(doctor.page, '10-provider-reads');

    const { page } = actors.patient;
    await visit(actors.patient, '/patient/audit');
    const story = await shown(page.getByRole('list', { name: 'Audit trail, newest first' }));
    await shown(
      story
        .getByRole('listitem')
        .filter({ hasText: new RegExp(address('doctor').slice(2, 6), 'i') })
        .filter({ hasText: /read \d+ records? for treatment/ }),
    );
    await screenshot(page, '11-audit');
  });

  test('a lab with write scope adds a result to the patient’s records', async () => {
    const { page } = actors.patient;
    await visit(actors.patient, '/patient/access');
    const grant = page.getByRole('form', { name: 'Grant access' });
    await grant.getByRole('radio', { name: /Northside Clinical Lab/ }).check();
    await grant.getByRole('checkbox', { name: 'Write Observations' }).check();
    await grant.getByRole('radio', { name: '30 days' }).check();
    await grant.getByRole('button', { name: 'Grant access' }).click();
    await done(grant);

    const lab = actors.lab;
    await connect(lab);
    await unlock(lab);
    await lab.page.getByRole('button', { name: 'Publish my encryption key' }).click();
    await shown(lab.page.getByText('Your encryption key is published: patients can share records with you.'));
    // The patient granted before the lab's key was published: the lab still writes (no read needed).
    await visit(lab, `/provider/patient?address=${address('patient')}`);
    const before = await recordCount(address('patient'));
    await lab.page.getByRole('radio', { name: 'Measurement' }).check();
    await lab.page.getByLabel('Kind of measurement').selectOption({ label: 'HbA1c (LOINC 4548-4)' });
    await lab.page.getByLabel('HbA1c (%)').fill('6.1');
    await lab.page.getByRole('button', { name: /^Save measurement/ }).click();
    const text = await outcome(lab.page);
    if (/^Failed/.test(text)) assert.fail(text);
    assert.equal(await recordCount(address('patient')), before + 1n);
    await screenshot(lab.page, '12-lab-adds-result');
  });

  test('the patient revokes the doctor, who cannot read what is added afterwards', async () => {
    const { page } = actors.patient;
    await visit(actors.patient, '/patient/access');
    await page.getByRole('button', { name: 'Revoke access for Dr. Ada Okafor' }).click();
    await shown(page.getByText(/cannot be recalled|can't be recalled|cannot recall/i));
    await page.getByRole('button', { name: 'Confirm revoke' }).click();
    await done(page);

    await visit(actors.patient, '/patient/add');
    await page.getByRole('radio', { name: 'Condition (diagnosis)' }).check();
    await page.getByLabel('Condition', { exact: true }).fill('Type 2 diabetes mellitus');
    await page.getByRole('button', { name: 'Save condition' }).click();
    await done(page);

    const doctor = actors.doctor;
    await visit(doctor, `/provider/patient?address=${address('patient')}`);
    await shown(doctor.page.getByRole('heading', { name: 'Access revoked' }));
    assert.equal(await doctor.page.getByText('Type 2 diabetes mellitus').count(), 0);
    await screenshot(doctor.page, '13-access-revoked');
  });

  test('the admin suspends a provider, which loses access at once', async () => {
    const admin = actors.admin;
    await visit(admin, '/admin');
    // The doctor's one logged read is reviewed and is not unusual (the admin's page is still open).
    await admin.page.getByRole('button', { name: 'Check again' }).click();
    await shown(admin.page.getByText(/No unusual access\. 1 logged read since/));
    const row = await shown(admin.page.getByRole('row', { name: new RegExp(address('lab').slice(0, 6)) }));
    await row.getByRole('button', { name: 'Suspend' }).click();
    await admin.page.getByRole('button', { name: 'Confirm suspension' }).click();
    await done(admin.page);
    await shown(row.getByRole('button', { name: 'Reinstate' }));

    const lab = actors.lab;
    await visit(lab, `/provider/patient?address=${address('patient')}`);
    await shown(lab.page.getByRole('heading', { name: 'Your account is suspended' }));
    await screenshot(lab.page, '14-provider-suspended');
  });

  test("another person's bundle is refused naming both people, imported once confirmed, and never twice", async () => {
    const { page, wallet } = actors.patient;
    await visit(actors.patient, '/patient/add');
    await page.getByRole('radio', { name: 'Upload FHIR JSON or Bundle' }).check();
    const file = {
      name: 'patria-schimmel.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(personBundle(PATRIA))),
    };
    const picker = page.getByLabel('FHIR JSON file (one resource or a Bundle)');
    const importButton = page.getByRole('button', { name: 'Import 6 records' });
    const confirmation = page.getByRole('checkbox', {
      name: /^Import the records about Mrs\. Patria Schimmel \(born 1974-05-21\) into the record of Alex Rivera \(born 1970-03-14\) anyway/,
    });
    const before = await recordCount(wallet.address);
    const signatures = () => wallet.calls.filter((method) => /sign|sendTransaction/i.test(method)).length;
    const signed = signatures();

    await picker.setInputFiles(file);
    const refusal = await shown(page.getByRole('alert', { name: 'Whom this file is about' }));
    assert.match(
      (await refusal.textContent()) ?? '',
      /^These records are about Mrs\. Patria Schimmel \(born 1974-05-21\), not Alex Rivera \(born 1970-03-14\), whose record this is\. Nothing has been imported\./,
    );
    assert.ok(await importButton.isDisabled(), 'no import before the patient confirms');
    await screenshot(page, '15-import-someone-else');
    assert.equal(signatures(), signed, 'no signature or transaction was asked for');
    assert.equal(await recordCount(wallet.address), before);

    await confirmation.check();
    await importButton.click();
    await done(page);
    await shown(page.getByText('Imported: 6 added, 0 corrected, 0 already in the record (skipped).'));
    assert.equal(await recordCount(wallet.address), before + 6n);

    await picker.setInputFiles(file);
    await confirmation.check();
    await importButton.click();
    await done(page);
    await shown(page.getByText('Imported: 0 added, 0 corrected, 6 already in the record (skipped).'));
    assert.equal(await recordCount(wallet.address), before + 6n, 'the same file again writes nothing');
  });
});

/** A one-page PDF, written out so the test needs no fixture file. */
function samplePdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 58 >>\nstream\nBT /F1 18 Tf 20 70 Td (Discharge letter: e2e) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
