/**
 * The browser test of issue 16: providers are people with names. The admin registers a doctor with a
 * public profile (two transactions) and edits a lab's; the patient grants the doctor by picking its name
 * from the directory, never typing an address (a suspended doctor is listed but cannot be picked); the
 * access list and a lab's request show names, with the address one click away. Screenshots of the
 * picker, the access list and the admin's list, on a desktop and at 390 px, go to test-results/e2e/
 * (directory-*.png).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Locator, Page } from 'playwright-core';
import { type Hex, keccak256, toHex } from 'viem';

import {
  RECORD_CATEGORIES,
  connectChain,
  deployments,
  medLedgerAbi,
  parseProviderKind,
  readScope,
  writeMedLedger,
} from '../../lib/chain';
import { createIpfsClient } from '../../lib/ipfs';
import {
  type ProviderProfile,
  enrollWallet,
  publishProviderKey,
  publishProviderProfile,
  registerPatient,
} from '../../lib/records';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import {
  type Actor,
  type System,
  openActor,
  screenshot,
  startSystem,
  shown,
  visit,
  horizontalOverflow,
  PHONE,
  DESKTOP,
} from './system';

/** A desktop and a phone-width screenshot of the page as it is; the phone one must not scroll sideways. */
async function bothWidths(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await page.setViewportSize(PHONE);
  try {
    assert.equal(await horizontalOverflow(page), 0, `${name} fits a 390 px screen`);
    await screenshot(page, `${name}-phone`);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

async function connect(actor: Actor, path: string): Promise<void> {
  const { page } = actor;
  await page.goto(new URL(path, system.webUrl).href);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await (
    await shown(page.getByRole('dialog', { name: 'Connect a wallet' }).getByRole('button', { name: 'Test Wallet' }))
  ).click();
  await shown(page.getByRole('button', { name: 'Disconnect' }));
}

/** Waits for the outcome line of a transaction that says `done`, and fails with the reason if one fails. */
async function outcome(scope: Page | Locator, done: RegExp, timeout = 60_000): Promise<void> {
  const line = await shown(
    scope.locator('.notice-ok, .notice-error').filter({ hasText: new RegExp(`^Failed:|^Done:.*${done.source}`) }),
    timeout,
  );
  const said = (await line.textContent()) ?? '';
  assert.doesNotMatch(said, /^Failed/, said);
}

let system: System;
let admin: Actor;
let patient: Actor;

const chainOf = (privateKey: Hex) =>
  connectChain({ rpcUrl: system.rpcUrl, privateKey, deployment: deployments[31337] });

describe('Providers are people with names', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    system = await startSystem();
    admin = await openActor(system, { privateKey: DEVNET_KEYS.admin, viewport: DESKTOP });
    patient = await openActor(system, { privateKey: DEVNET_KEYS.patient, viewport: DESKTOP });
    // What this test does not look at happens in Node, through lib/records as the CLI does: the patient
    // registers, a lab and a second doctor are registered with profiles, the second is suspended, and the
    // lab asks the patient for access.
    const adminChain = await chainOf(DEVNET_KEYS.admin);
    const ipfs = createIpfsClient(system.ipfsApiUrl);
    const patientChain = await chainOf(DEVNET_KEYS.patient);
    const { key } = await enrollWallet(patientChain, { role: 'patient' });
    await registerPatient(
      { chain: patientChain, ipfs, identity: key },
      { resourceType: 'Patient', name: [{ text: 'Mina Kovač' }] },
    );
    const others: [Hex, string, ProviderProfile][] = [
      [
        DEVNET_KEYS.lab,
        'lab',
        { name: 'Northside Clinical Lab', type: 'Organization', specialty: 'Clinical chemistry' },
      ],
      [
        DEVNET_KEYS.secondDoctor,
        'doctor',
        {
          name: 'Dr. Lars Berg',
          type: 'Practitioner',
          specialty: 'General practice',
          organization: 'Harbour Street Practice',
        },
      ],
    ];
    for (const [privateKey, kind, profile] of others) {
      const provider = (await chainOf(privateKey)).account!;
      await writeMedLedger(adminChain, 'registerProvider', [
        provider,
        parseProviderKind(kind),
        keccak256(toHex(profile.name)),
      ]);
      await publishProviderProfile({ chain: adminChain, ipfs }, provider, profile);
    }
    await writeMedLedger(adminChain, 'suspendProvider', [(await chainOf(DEVNET_KEYS.secondDoctor)).account!]);
    await writeMedLedger(await chainOf(DEVNET_KEYS.lab), 'requestAccess', [
      patientChain.account!,
      readScope(RECORD_CATEGORIES.observation),
    ]);
  });

  after(async () => {
    const foreign = [...(admin?.foreignRequests ?? []), ...(patient?.foreignRequests ?? [])];
    await admin?.context.close().catch(() => undefined);
    await patient?.context.close().catch(() => undefined);
    await system?.stop();
    assert.deepEqual(foreign, [], 'no request may leave the machine');
  });

  test('the admin registers a doctor with a public profile, in two steps, and edits a lab’s profile', async () => {
    const { page } = admin;
    await connect(admin, '/admin');
    const doctorAddress = (await chainOf(DEVNET_KEYS.doctor)).account!;
    const form = page.getByRole('form', { name: 'Register a provider' });
    await form.getByLabel('Provider address').fill(doctorAddress);
    await form.getByLabel('Kind').selectOption({ label: 'Doctor' });
    await form.getByLabel('Name', { exact: true }).fill('Dr. Ada Okafor');
    await form.getByLabel('Specialty (optional)').fill('Cardiology');
    await form.getByLabel('Organisation (optional)').fill("St. Mary's Hospital");
    await form.getByLabel('Identifier system').selectOption({ label: 'NPI' });
    await form.getByLabel('Identifier (optional)').fill('1234567893');
    await form.getByLabel('Credential').fill('GMC 7654321, verified 2025-03-02');
    await form.getByRole('button', { name: 'Register provider' }).click();
    await shown(form.getByRole('list', { name: 'Registration steps' }));
    await outcome(form, /Dr\. Ada Okafor is registered \(doctor\) and listed in the directory/);

    const table = page.getByRole('table', { name: 'Registered providers' });
    const row = await shown(table.getByRole('row').filter({ hasText: 'Dr. Ada Okafor' }));
    assert.match(await row.innerText(), /Cardiology · St\. Mary's Hospital[\s\S]*NPI 1234567893/);
    const chip = row.getByRole('button', { name: /^Copy the address of Dr\. Ada Okafor/ });
    assert.equal(await chip.getAttribute('title'), `${doctorAddress} (click to copy)`);
    const suspended = await shown(table.getByRole('row').filter({ hasText: 'Dr. Lars Berg' }));
    await shown(suspended.getByText('Suspended', { exact: true }));

    await page.getByRole('button', { name: 'Edit the profile of Northside Clinical Lab' }).click();
    const editor = page.getByRole('form', { name: 'Edit the profile of Northside Clinical Lab' });
    assert.equal(await editor.getByLabel('Organisation name').inputValue(), 'Northside Clinical Lab');
    await editor.getByLabel('Specialty (optional)').fill('Clinical chemistry and haematology');
    await editor.getByRole('button', { name: 'Publish profile' }).click();
    await outcome(editor, /The profile of Northside Clinical Lab is published/);
    await shown(table.getByRole('row').filter({ hasText: 'Clinical chemistry and haematology' }));
    await editor.getByRole('button', { name: 'Close' }).click();
    await bothWidths(page, 'directory-admin');
  });

  test('the patient grants the doctor by picking its name from the directory, typing no address', async () => {
    const { page, wallet } = patient;
    const doctorChain = await chainOf(DEVNET_KEYS.doctor);
    const { key } = await enrollWallet(doctorChain, { role: 'provider' });
    await publishProviderKey({ chain: doctorChain, ipfs: createIpfsClient(system.ipfsApiUrl), identity: key });

    await connect(patient, '/onboarding');
    await page.getByRole('button', { name: 'Derive my encryption key' }).click();
    await shown(page.getByText(/encryption key is unlocked in this tab/));
    await visit(page, '/patient/access');

    const grant = page.getByRole('form', { name: 'Grant access' });
    const picker = grant.getByRole('group', { name: 'Who gets access?' });
    await picker.getByLabel('Find a provider').fill('doctor');
    const okafor = await shown(picker.getByRole('radio', { name: /Dr\. Ada Okafor/ }));
    const berg = picker.getByRole('radio', { name: /Dr\. Lars Berg/ });
    assert.ok(await berg.isDisabled(), 'a suspended provider is listed but cannot be chosen');
    assert.match(
      await picker
        .locator('li')
        .filter({ has: page.getByRole('radio', { name: /Dr\. Lars Berg/ }) })
        .innerText(),
      /Suspended by the administrator/,
    );
    assert.equal(await picker.getByRole('radio', { name: /Northside/ }).count(), 0, 'the search narrows the list');
    await picker.getByLabel('Find a provider').fill('cardio mary');
    await okafor.check();
    await shown(picker.getByText('Chosen: Dr. Ada Okafor'));
    await grant.getByRole('checkbox', { name: 'Read Observations' }).check();
    await grant.getByRole('radio', { name: '30 days' }).check();
    await bothWidths(page, 'directory-picker');

    assert.equal(
      await grant.getByLabel('Provider address').inputValue(),
      '',
      'the address field under “Advanced” stays empty',
    );
    const sent = wallet.calls.length;
    await grant.getByRole('button', { name: 'Grant access' }).click();
    await outcome(grant, /Access granted to Dr\. Ada Okafor: /);
    assert.ok(wallet.calls.slice(sent).includes('eth_sendTransaction'), 'the grant was a transaction');

    const doctorAddress = doctorChain.account!;
    const patientChain = await chainOf(DEVNET_KEYS.patient);
    const observation = readScope(RECORD_CATEGORIES.observation);
    assert.equal(
      await patientChain.publicClient.readContract({
        address: deployments[31337].medLedger,
        abi: medLedgerAbi,
        functionName: 'hasAccess',
        args: [wallet.address, doctorAddress, observation],
      }),
      true,
      'the doctor picked by name is the one that holds access',
    );
  });

  test('the access list and a lab’s request show names, with the address one click away', async () => {
    const { page } = patient;

    const access = page.getByRole('region', { name: 'Who has access' });
    const item = await shown(access.getByRole('listitem').filter({ hasText: 'Dr. Ada Okafor' }));
    assert.match(await item.innerText(), /Dr\. Ada Okafor\s*Doctor\s*Cardiology · St\. Mary's Hospital/);
    await shown(item.getByRole('button', { name: 'Revoke access for Dr. Ada Okafor' }));
    const chip = item.getByRole('button', { name: /^Copy the address of Dr\. Ada Okafor, 0x/ });
    assert.match((await chip.getAttribute('title')) ?? '', /^0x[0-9a-fA-F]{40} \(click to copy\)$/);

    const requests = page.getByRole('region', { name: /Requests waiting for you/ });
    const request = await shown(requests.getByRole('listitem').filter({ hasText: 'Northside Clinical Lab' }));
    assert.match(await request.innerText(), /Laboratory\s*Clinical chemistry and haematology/);
    await shown(request.getByRole('button', { name: 'Approve request from Northside Clinical Lab' }));
    await bothWidths(page, 'directory-access-list');
  });
});
