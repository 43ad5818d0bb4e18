/**
 * The browser test of issue 16's story and people: the chain state is written from Node through
 * lib/records (the pipeline the browser uses, and the cheapest way to 161 records), then each person
 * looks at it in the browser. The patient's audit trail tells an import of 161 records (two
 * transactions) as one entry and the doctor's reads with their purposes; the doctor's patient list
 * names the patient who shared her profile and gives a pseudonym for the one who did not.
 * Screenshots go to test-results/e2e/ (story-*.png), desktop and 390 px.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Patient } from '@medplum/fhirtypes';
import { keccak256, toHex } from 'viem';

import {
  RECORD_CATEGORIES,
  connectChain,
  deployments,
  parseProviderKind,
  purposeNamed,
  readScope,
  writeMedLedger,
} from '../../lib/chain';
import {
  type Vault,
  grantAccess,
  importBundleRecords,
  patientPseudonym,
  publishProviderKey,
  publishProviderProfile,
  readRecords,
  registerPatient,
} from '../../lib/records';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { largeBundle } from '../../lib/testing/fixtures';
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

/** The sample bundle's five resources and 156 heart rates: more than the 100 records one transaction anchors. */
const RECORDS = 161;
const ROSA: Patient = {
  resourceType: 'Patient',
  name: [{ use: 'official', given: ['Rosa'], family: 'Alvarez' }],
  gender: 'female',
  birthDate: '1966-08-14',
};

let system: System;
const actors: Actor[] = [];

describe('The audit trail reads like a story; patients are people to their doctor', { timeout: 10 * 60_000 }, () => {
  let rosa: Vault;
  let other: Vault;
  let doctor: Vault;

  before(async () => {
    system = await startSystem();
    const admin = await connectChain({
      rpcUrl: system.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: deployments[31337],
    });
    doctor = await devnetVault(system, DEVNET_KEYS.doctor, 'provider');
    await writeMedLedger(admin, 'registerProvider', [
      doctor.chain.account!,
      parseProviderKind('doctor'),
      keccak256(toHex('story-doctor')),
    ]);
    await publishProviderProfile({ chain: admin, ipfs: doctor.ipfs }, doctor.chain.account!, {
      name: 'Dr. Ada Okafor',
      type: 'Practitioner',
      specialty: 'Cardiology',
    });
    await publishProviderKey(doctor);

    rosa = await devnetVault(system, DEVNET_KEYS.patient, 'patient');
    await registerPatient(rosa, ROSA);
    const bundle = largeBundle(RECORDS - 5, 'story');
    bundle.entry![0]!.resource = { ...ROSA, id: bundle.entry![0]!.resource!.id };
    const imported = await importBundleRecords(rosa, rosa.chain.account!, bundle);
    assert.equal(imported.added.length, RECORDS);
    const readAll = Object.values(RECORD_CATEGORIES).reduce((scopes, category) => scopes | readScope(category), 0n);
    const inThirtyDays = Math.floor(Date.now() / 1000) + 30 * 86_400;
    await grantAccess(rosa, { provider: doctor.chain.account!, scopes: readAll, expiry: inThirtyDays });

    // The other patient's trail is long enough for two pages: a registration, 26 requests and a grant.
    other = await devnetVault(system, DEVNET_KEYS.otherPatient, 'patient');
    await registerPatient(other, {
      resourceType: 'Patient',
      name: [{ text: 'James Miller' }],
      birthDate: '1961-11-02',
    });
    for (let request = 0; request < 26; request++) {
      await writeMedLedger(doctor.chain, 'requestAccess', [
        other.chain.account!,
        readScope(RECORD_CATEGORIES.observation),
      ]);
    }
    await grantAccess(other, {
      provider: doctor.chain.account!,
      scopes: readScope(RECORD_CATEGORIES.observation),
      expiry: inThirtyDays,
    });

    // A visit: the doctor opens the observations (two logAccess transactions, one session), then the
    // risk panel reads the conditions for risk assessment.
    await readRecords(doctor, rosa.chain.account!, { categories: [RECORD_CATEGORIES.observation] });
    await readRecords(doctor, rosa.chain.account!, {
      categories: [RECORD_CATEGORIES.condition],
      purpose: purposeNamed('risk-assessment')!,
    });
  });
  after(async () => {
    const foreign = actors.flatMap((actor) => actor.foreignRequests);
    for (const actor of actors) await actor.context.close().catch(() => undefined);
    await system?.stop();
    assert.deepEqual(foreign, [], 'no request may leave the machine');
  });

  test('the patient’s audit trail: the import is one entry, the doctor’s reads say why', async () => {
    const patient = await openActor(system, { privateKey: DEVNET_KEYS.patient, viewport: DESKTOP });
    actors.push(patient);
    const { page } = patient;
    await connectAndUnlock(patient, system);
    await visit(page, '/patient/audit');
    const story = await shown(page.getByRole('list', { name: 'Audit trail, newest first' }), 60_000);
    // Providers are named once the directory is read (one query for the whole app).
    await shown(story.getByText('Dr. Ada Okafor'));
    const entries = story.locator(':scope > li');
    const sentences = (await entries.locator('p:nth-child(2)').allInnerTexts()).map((text) =>
      text.replace(/\s+/g, ' '),
    );
    assert.equal(sentences.length, 5, sentences.join('\n'));
    assert.match(sentences[0]!, /^Dr\. Ada Okafor .*read 1 record for risk assessment$/);
    assert.match(sentences[1]!, new RegExp(`^Dr\\. Ada Okafor .*read ${RECORDS - 3} records for treatment$`));
    assert.match(sentences[2]!, /^You gave Dr\. Ada Okafor .*access until /);
    assert.equal(sentences[3], `You added ${RECORDS} records`);
    assert.equal(sentences[4], 'You registered as a patient');

    const added = entries.nth(3);
    assert.match(await added.innerText(), /Observations 158 · Conditions 1 · Medications 1 · Profile 1/);
    await added.getByText('Details').click();
    await shown(added.getByText('Observations (158)'));
    assert.match(await added.innerText(), /Transactions \(2\)/, 'two transactions, one entry');
    await entries.nth(1).getByText('Details').click();
    await shown(entries.nth(1).getByText('Purpose of use'));
    assert.match(await entries.nth(1).innerText(), /Purpose of use\s+treatment \(code TREAT, HL7 PurposeOfUse\)/);
    await screenshot(page, 'story-audit');
    await firstScreen(page, 'story-audit-first-screen');

    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, 'the audit trail fits a 390 px screen');
    await firstScreen(page, 'story-audit-phone');
    await screenshot(page, 'story-audit-phone-full');
  });

  test('a long trail is paged, 25 entries a page, newest first', async () => {
    const patient = await openActor(system, { privateKey: DEVNET_KEYS.otherPatient, viewport: PHONE });
    actors.push(patient);
    const { page } = patient;
    await connectAndUnlock(patient, system);
    await visit(page, '/patient/audit');
    const story = await shown(page.getByRole('list', { name: 'Audit trail, newest first' }), 60_000);
    await shown(page.getByText('Entries 1–25 of 28, newest first.'));
    await shown(story.getByText('Dr. Ada Okafor'));
    assert.equal(await story.locator(':scope > li').count(), 25);
    const newest = (await story.locator(':scope > li').first().innerText()).replace(/\s+/g, ' ');
    assert.match(newest, /You gave Dr\. Ada Okafor .*access until/);
    await page.getByRole('button', { name: 'Older →' }).click();
    await shown(page.getByText('Entries 26–28 of 28, newest first.'));
    assert.match(await story.locator(':scope > li').last().innerText(), /You registered as a patient/);
    assert.ok(await page.getByRole('button', { name: 'Older →' }).isDisabled());
    await page.getByRole('combobox', { name: 'What' }).selectOption({ label: 'Account' });
    await shown(page.getByText('1 of 28 entries match; exports contain every on-chain event of the matching entries.'));
    assert.equal(await story.locator(':scope > li').count(), 1, 'a filter starts again at the first page');
    await firstScreen(page, 'story-audit-filtered-phone');
  });

  test('the doctor’s patient list: the patient who shared her profile by name, the other by pseudonym', async () => {
    const doctorActor = await openActor(system, { privateKey: DEVNET_KEYS.doctor, viewport: DESKTOP });
    actors.push(doctorActor);
    const { page } = doctorActor;
    await connectAndUnlock(doctorActor, system);
    await visit(page, '/provider');
    const list = await shown(page.getByRole('table', { name: 'Patients who granted you access' }));
    const named = await shown(list.getByRole('row').filter({ hasText: 'Rosa Alvarez' }), 60_000);
    assert.match(await named.innerText(), /born Aug 14, 1966|born 14 Aug 1966|born 1966/);
    const pseudonym = patientPseudonym(other.chain.account!);
    const unnamed = await shown(list.getByRole('row').filter({ hasText: pseudonym }));
    assert.doesNotMatch(await unnamed.innerText(), /James Miller/, 'no profile scope, no name');
    assert.doesNotMatch(await list.innerText(), /0x[0-9a-fA-F]{40}/, 'no bare address');
    await screenshot(page, 'story-provider-patients');

    await page.setViewportSize(PHONE);
    await shown(list.getByRole('row').filter({ hasText: 'Rosa Alvarez' }));
    assert.equal(await horizontalOverflow(page), 0, 'the patient list fits a 390 px screen');
    await screenshot(page, 'story-provider-patients-phone');
    await page.setViewportSize(DESKTOP);

    await named.getByRole('link', { name: 'Records of Rosa Alvarez' }).click();
    await shown(page.getByRole('heading', { level: 1, name: 'Records: Rosa Alvarez' }));
    await firstScreen(page, 'story-provider-patient-page');
    await visit(page, `/provider/patient?address=${other.chain.account}`);
    await shown(page.getByRole('heading', { level: 1, name: `Records: ${pseudonym}` }));
  });
});
