/**
 * The browser test of SMART Health Links: the patient makes a link on /patient/share in the real web
 * app (production build, devnet, IPFS node), and `jose`, an independent JOSE implementation, opens it
 * through the app's manifest route as any SHL viewer would. Then the patient sees the access and
 * revokes the link. Screenshots go to test-results/e2e/ (shl-*.png).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Bundle, Resource } from '@medplum/fhirtypes';
import { base64url, compactDecrypt } from 'jose';

import { importBundleRecords, registerPatient } from '../../lib/records';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import {
  type Actor,
  type System,
  DESKTOP,
  connectAndUnlock,
  devnetVault,
  horizontalOverflow,
  openActor,
  screenshot,
  shown,
  startSystem,
  visit,
} from './system';

const subject = { reference: 'Patient/shl-e2e' };
const RECORDS: Resource[] = [
  { resourceType: 'AllergyIntolerance', id: 'pen', patient: subject, code: { text: 'Penicillin' } },
  {
    resourceType: 'MedicationStatement',
    id: 'met',
    status: 'active',
    subject,
    medicationCodeableConcept: { text: 'Metformin 500 mg' },
  },
  { resourceType: 'Condition', id: 'dm2', subject, code: { text: 'Type 2 diabetes' } },
  {
    resourceType: 'Immunization',
    id: 'flu',
    status: 'completed',
    patient: subject,
    vaccineCode: { text: 'Influenza' },
    occurrenceDateTime: '2025-10-01',
  },
  {
    resourceType: 'Observation',
    id: 'a1c',
    status: 'final',
    subject,
    code: { text: 'HbA1c' },
    valueQuantity: { value: 6.9, unit: '%' },
  },
];

let system: System;
let actor: Actor | undefined;
let storeDir: string;

async function manifest(url: string, body: object) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('A patient shares records as a SMART Health Link in the web app', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    storeDir = await mkdtemp(path.join(tmpdir(), 'medledger-e2e-shl-'));
    // The web server inherits this process's environment: its links go to a fresh folder.
    process.env.MEDLEDGER_SHL_DIR = storeDir;
    system = await startSystem();
    const vault = await devnetVault(system, DEVNET_KEYS.patient, 'patient');
    await registerPatient(vault, { resourceType: 'Patient', name: [{ text: 'Rosa Alvarez' }] });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: RECORDS.map((resource) => ({ resource })),
    };
    await importBundleRecords(vault, vault.chain.account!, bundle, { acceptMismatch: true });
  });

  after(async () => {
    await actor?.context.close();
    await system?.stop();
    await rm(storeDir, { recursive: true, force: true });
    delete process.env.MEDLEDGER_SHL_DIR;
  });

  test('the link the web app makes opens with jose, shows its access, and is gone once revoked', async () => {
    actor = await openActor(system, { privateKey: DEVNET_KEYS.patient, viewport: DESKTOP });
    const { page } = actor;
    await connectAndUnlock(actor, system);
    await visit(page, '/patient/share');
    await shown(page.getByRole('heading', { name: 'Make a link' }));
    // The defaults: allergies, medications, conditions, immunizations; observations stay out.
    assert.ok(await page.getByRole('checkbox', { name: 'Allergies' }).isChecked());
    assert.ok(!(await page.getByRole('checkbox', { name: 'Observations' }).isChecked()));
    await page.getByLabel('Link expires after').selectOption({ label: '30 days' });
    await page.getByLabel('Passcode (optional)').fill('birch-5150');
    await page.getByLabel('Label (optional, up to 80 characters)').fill('For Dr. Rivera at Riverside');
    await page.getByRole('button', { name: 'Create link' }).click();
    await shown(page.getByText(/Your link is ready/), 120_000);
    await shown(page.getByRole('img', { name: 'QR code of the SMART Health Link' }));
    const link = await page.getByLabel('SMART Health Link').inputValue();
    assert.equal(await horizontalOverflow(page), 0);
    await screenshot(page, 'shl-created');

    // A viewer that knows nothing of MedLedger: base64url JSON after shlink:/.
    assert.match(link, /^shlink:\/[A-Za-z0-9_-]+$/);
    const payload = JSON.parse(Buffer.from(link.slice('shlink:/'.length), 'base64url').toString()) as {
      url: string;
      key: string;
      exp: number;
      flag: string;
      label: string;
      v: number;
    };
    assert.equal(new URL(payload.url).origin, new URL(system.webUrl).origin);
    assert.match(payload.url, /\/api\/shl\/[A-Za-z0-9_-]{43}$/);
    assert.equal(payload.flag, 'P');
    assert.equal(payload.label, 'For Dr. Rivera at Riverside');
    assert.equal(payload.v, 1);
    assert.ok(Math.abs(payload.exp - (Date.now() / 1000 + 30 * 86_400)) < 600);

    const wrong = await manifest(payload.url, { recipient: 'Someone guessing', passcode: '1234' });
    assert.deepEqual([wrong.status, wrong.body.remainingAttempts], [401, 9]);
    const answer = await manifest(payload.url, { recipient: 'Dr. Rivera, Riverside Clinic', passcode: 'birch-5150' });
    assert.equal(answer.status, 200);
    const [file] = answer.body.files as { contentType: string; embedded: string }[];
    assert.equal(file!.contentType, 'application/fhir+json');
    const { plaintext, protectedHeader } = await compactDecrypt(file!.embedded, base64url.decode(payload.key));
    assert.equal(protectedHeader.alg, 'dir');
    assert.equal(protectedHeader.enc, 'A256GCM');
    const bundle = JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
    assert.equal(bundle.type, 'collection');
    assert.deepEqual(bundle.entry!.map((entry) => `${entry.resource!.resourceType}/${entry.resource!.id}`).sort(), [
      'AllergyIntolerance/pen',
      'Condition/dm2',
      'Immunization/flu',
      'MedicationStatement/met',
    ]);

    await page.getByRole('button', { name: 'Show my links' }).click();
    const list = await shown(page.getByRole('list', { name: 'Your SMART Health Links' }));
    await shown(list.getByText(/Dr\. Rivera, Riverside Clinic/));
    await shown(list.getByText(/Someone guessing \(wrong passcode, nothing shared\)/));
    await shown(list.getByText(/passcode, 9 wrong attempt\(s\) left/));
    await screenshot(page, 'shl-list');

    await list.getByRole('button', { name: 'Revoke' }).click();
    await shown(list.getByText('Revoked'));
    assert.equal((await manifest(payload.url, { recipient: 'Dr. Rivera', passcode: 'birch-5150' })).status, 404);
    await screenshot(page, 'shl-revoked');
    assert.deepEqual(actor.foreignRequests, []);
  });
});
