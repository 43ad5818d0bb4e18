/**
 * The browser test of insurance claims (issue 19) on the real system: devnet with the Claims contract,
 * the IPFS node, the production app and injected wallets. The patient records their insurance (a FHIR
 * Coverage, and billing access for the insurer) on /patient/billing; the lab bills a lipid panel on
 * /provider/claims; the insurer opens its queue, reads the fraud review, approves the claim and records
 * its payment; the patient sees the claim with its status history and the insurer's explanation of
 * benefit, and disputes the denial of another. What the test does not look at (registrations, the lab's
 * grant, an earlier claim decided and paid, the same service billed again) happens in Node through lib/records, as the CLI does.
 * Screenshots at a desktop and a phone width go to test-results/e2e/ (claims-*.png).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Claim } from '@medplum/fhirtypes';
import type { Locator, Page } from 'playwright-core';
import { type Address, keccak256, toHex } from 'viem';

import { CLAIMS_FRAUD } from '../../lib/ai/catalog';
import { modelHash } from '../../lib/ai/runtime';

import { RECORD_CATEGORIES, parseProviderKind, scopesFor, writeMedLedger, writeModelRegistry } from '../../lib/chain';
import {
  type Vault,
  adjudicateClaim,
  explanationOfBenefitFor,
  grantAccess,
  payClaim,
  publishProviderKey,
  publishProviderProfile,
  registerPatient,
  submitClaim,
} from '../../lib/records';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import {
  type Actor,
  type System,
  DESKTOP,
  PHONE,
  connectAndUnlock,
  devnetVault,
  horizontalOverflow,
  openActor,
  screenshot,
  shown,
  startSystem,
  visit,
} from './system';

const LAB = 'Northside Clinical Lab';
const INSURER = 'Harbor Health Insurance';
/** The claims model as the app serves it (copied into public/ by the web build). */
const SERVED_CLAIMS_MODEL = path.resolve(import.meta.dirname, '../../public/models/claims-fraud.onnx');

let system: System;
const actors: Partial<Record<'patient' | 'lab' | 'insurer', Actor>> = {};
const started = performance.now();

/** A desktop and a phone-width screenshot of the page as it is; the phone one must not scroll sideways. */
async function bothWidths(page: Page, name: string): Promise<void> {
  await screenshot(page, `claims-${name}`);
  await page.setViewportSize(PHONE);
  try {
    assert.equal(await horizontalOverflow(page), 0, `${name} fits a 390 px screen`);
    await screenshot(page, `claims-${name}-phone`);
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

/** Waits for the outcome line of a transaction that says `done`, and fails with the reason if one fails. */
async function outcome(scope: Page | Locator, done: RegExp, timeout = 120_000): Promise<void> {
  const line = await shown(
    scope.locator('.notice-ok, .notice-error').filter({ hasText: new RegExp(`^Failed:|^Done:.*${done.source}`) }),
    timeout,
  );
  const said = (await line.textContent()) ?? '';
  assert.doesNotMatch(said, /^Failed/, said);
}

/** A claim of a list by what it bills for. */
function claimItem(list: Locator, service: string): Locator {
  return list.getByRole('listitem').filter({ has: list.page().getByRole('heading', { name: new RegExp(service) }) });
}

/**
 * A blood count the lab billed on `date`: first a claim the insurer approved and paid, then the same
 * service again (another id, created later), which the insurer's review must flag as a duplicate.
 */
function bloodCountClaim(
  patient: Address,
  lab: Address,
  insurer: Address,
  date: string,
  id: string,
  created: string,
): Claim {
  const money = { value: 31, currency: 'USD' as const };
  const party = (address: Address, display: string) => ({
    identifier: { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:31337:${address}` },
    display,
  });
  return {
    resourceType: 'Claim',
    id,
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${patient}` },
    billablePeriod: { start: date, end: date },
    created,
    insurer: party(insurer, INSURER),
    provider: party(lab, LAB),
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { display: `Coverage with ${INSURER}` } }],
    item: [
      {
        sequence: 1,
        productOrService: {
          coding: [
            {
              system: 'http://www.ama-assn.org/go/cpt',
              code: '85025',
              display: 'Complete blood count with differential',
            },
          ],
        },
        servicedDate: date,
        net: money,
      },
    ],
    total: money,
  };
}

describe('Insurance claims in the browser', { timeout: 15 * 60_000 }, () => {
  let patientVault: Vault;
  let labVault: Vault;
  let insurerVault: Vault;

  before(async () => {
    system = await startSystem();
    const admin = await devnetVault(system, DEVNET_KEYS.admin, 'provider');
    [labVault, insurerVault] = await Promise.all([
      devnetVault(system, DEVNET_KEYS.lab, 'provider'),
      devnetVault(system, DEVNET_KEYS.insurer, 'provider'),
    ]);
    const providers: [Vault, string, string][] = [
      [labVault, 'lab', LAB],
      [insurerVault, 'insurer', INSURER],
    ];
    for (const [vault, kind, name] of providers) {
      const provider = vault.chain.account!;
      await writeMedLedger(admin.chain, 'registerProvider', [
        provider,
        parseProviderKind(kind),
        keccak256(toHex(name)),
      ]);
      await publishProviderProfile(admin, provider, {
        name,
        type: 'Organization',
        specialty: kind === 'lab' ? 'Clinical chemistry' : 'Health insurance',
      });
      await publishProviderKey(vault);
    }
    // The claims model scores in the browser only once the hash of the file the app serves is approved,
    // as the seed approves every shipped model.
    if (existsSync(SERVED_CLAIMS_MODEL)) {
      const sha256 = modelHash(new Uint8Array(await readFile(SERVED_CLAIMS_MODEL)));
      await writeModelRegistry(admin.chain, 'approveModel', [`0x${sha256}`, CLAIMS_FRAUD.name, 1, '0x01']);
    }
    patientVault = await devnetVault(system, DEVNET_KEYS.patient, 'patient');
    await registerPatient(patientVault, {
      resourceType: 'Patient',
      name: [{ text: 'Rosa Alvarez' }],
      gender: 'female',
      birthDate: '1968-05-14',
    });
    // The lab may bill (read and write billing) and knows the patient by name (profile).
    await grantAccess(patientVault, {
      provider: labVault.chain.account!,
      scopes:
        scopesFor([RECORD_CATEGORIES.billing], { read: true, write: true }) |
        scopesFor([RECORD_CATEGORIES.profile], { read: true }),
      expiry: Math.floor(Date.now() / 1000) + 30 * 86_400,
    });
  });

  after(async () => {
    const foreign = Object.values(actors).flatMap((actor) => actor.foreignRequests);
    for (const actor of Object.values(actors)) await actor.context.close().catch(() => undefined);
    await system?.stop();
    console.log(`claims e2e: ${Math.round((performance.now() - started) / 1000)} s in all`);
    assert.deepEqual(foreign, [], 'no request may leave the machine');
  });

  test('the patient records their insurance and gives the insurer billing access in one step', async () => {
    const patient = await openActor(system, { privateKey: DEVNET_KEYS.patient, viewport: DESKTOP });
    actors.patient = patient;
    const { page } = patient;
    await connectAndUnlock(patient, system);
    await visit(page, '/patient/billing');
    await shown(page.getByRole('link', { name: 'Billing & insurance', exact: true }));
    await shown(page.getByText(/No claims yet/));
    const form = page.getByRole('form', { name: 'Record your insurance' });
    await (await shown(form.getByRole('radio', { name: new RegExp(INSURER) }))).check();
    await form.getByLabel('Member id').fill('HH-4471-09');
    await form.getByLabel('Plan (optional)').fill('Gold PPO');
    assert.ok(await form.getByRole('checkbox', { name: /receive claims about me/ }).isChecked());
    await bothWidths(page, '1-insurance-form');
    await form.getByRole('button', { name: 'Record my insurance' }).click();
    await outcome(form, new RegExp(`${INSURER} may now receive your claims`));
    const coverage = await shown(page.getByRole('list', { name: 'Your coverage' }).getByRole('listitem'));
    assert.match(
      await coverage.innerText(),
      new RegExp(`Insurer\\s*${INSURER}[\\s\\S]*Plan\\s*Gold PPO[\\s\\S]*Member id\\s*HH-4471-09`),
    );
    const access = await shown(page.getByRole('list', { name: 'Providers with billing access' }));
    await shown(access.getByText(INSURER));
    await shown(access.getByText(LAB));
    await bothWidths(page, '2-insurance-recorded');
  });

  test('the lab submits a claim for a lipid panel, picking the insurer by name', async () => {
    // History the insurer's review compares with: a blood count of the lab, decided and paid, and the
    // same blood count billed again.
    const [patient, lab, insurer] = [patientVault.chain.account!, labVault.chain.account!, insurerVault.chain.account!];
    const day = new Date(Date.now() - 21 * 86_400_000).toISOString().slice(0, 10);
    const first = bloodCountClaim(patient, lab, insurer, day, 'cbc-1', `${day}T12:00:00Z`);
    const earlier = await submitClaim(labVault, patient, insurer, first);
    await adjudicateClaim(
      insurerVault,
      earlier.ref,
      'approved',
      explanationOfBenefitFor(first, earlier.ref, 'approved', 31337),
    );
    await payClaim(insurerVault, earlier.ref, 'ACH-2026-0001');
    await submitClaim(
      labVault,
      patient,
      insurer,
      bloodCountClaim(patient, lab, insurer, day, 'cbc-2', `${day}T18:00:00Z`),
    );

    actors.lab = await openActor(system, { privateKey: DEVNET_KEYS.lab, viewport: DESKTOP });
    const { page } = actors.lab;
    await connectAndUnlock(actors.lab, system);
    await visit(page, '/provider/claims');
    const form = page.getByRole('form', { name: 'Submit a claim' });
    // The patient is chosen already, by name: the lab may read her profile.
    const chosen = form.getByRole('combobox', { name: 'Patient' }).locator('option:checked');
    await chosen.filter({ hasText: 'Rosa Alvarez' }).waitFor({ state: 'attached' });
    const insurers = form.getByRole('group', { name: 'Insurer to bill' });
    await (await shown(insurers.getByRole('radio', { name: new RegExp(INSURER) }))).check();
    await form.getByLabel('Service', { exact: true }).fill('Lipid panel');
    await form.getByLabel('Amount').fill('48.50');
    await form.getByLabel('Diagnosis (optional)').fill('Hyperlipidemia, unspecified');
    await bothWidths(page, '3-lab-form');
    await form.getByRole('button', { name: 'Submit claim' }).click();
    await outcome(form, new RegExp(`submitted to ${INSURER}`));
    await screenshot(page, 'claims-4-lab-submitted');

    await page.getByRole('button', { name: 'Show my claims' }).click();
    const list = await shown(page.getByRole('list', { name: 'Claims you submitted' }));
    const lipid = await shown(claimItem(list, 'Lipid panel'));
    await shown(lipid.getByText('Waiting for the insurer'));
    assert.match(await lipid.innerText(), /\$48\.50 billed/);
    assert.equal(await claimItem(list, 'Complete blood count').count(), 2);
    await bothWidths(page, '5-lab-claims');
  });

  test('the insurer reviews its queue, approves the claim, records its payment and denies a duplicate', async () => {
    const insurer = await openActor(system, { privateKey: DEVNET_KEYS.insurer, viewport: DESKTOP });
    actors.insurer = insurer;
    const { page } = insurer;
    await connectAndUnlock(insurer, system);
    await visit(page, '/provider/claims');
    await shown(page.getByRole('heading', { name: 'Claims queue' }));
    await page.getByRole('button', { name: 'Open the claims queue' }).click();

    const toDecide = await shown(page.getByRole('list', { name: 'To decide' }), 120_000);
    const claim = await shown(claimItem(toDecide, 'Lipid panel'));
    const review = claim.getByRole('region', { name: /Fraud review/ });
    const verdict = await shown(review.getByText(/^(Clean|Flagged: \d+ findings?)$/));
    console.log(`claims e2e: the fraud review says "${await verdict.textContent()}"`);
    const modelLine = await shown(page.getByText(/^(Scored by the model claims-fraud|No model score:)/));
    console.log(`claims e2e: ${(await modelLine.textContent())?.slice(0, 160)}`);
    if (existsSync(SERVED_CLAIMS_MODEL)) await shown(review.getByText(/^Model score/));
    await shown(claim.getByRole('region', { name: 'The claim' }).getByText('CPT 80061'));
    // The blood count billed twice is flagged, says against which claim, and comes first.
    const duplicate = await shown(claimItem(toDecide, 'Complete blood count'));
    await shown(duplicate.getByRole('region', { name: /Fraud review/ }).getByText(/^Flagged: \d+ findings?$/));
    // The finding names the claim it repeats by its on-chain number, as the insurer knows it.
    assert.match(
      await duplicate.getByRole('list', { name: 'Findings' }).innerText(),
      /as claim \d+, submitted earlier\./,
    );
    assert.match(await toDecide.getByRole('heading', { level: 3 }).first().innerText(), /Complete blood count/);
    await bothWidths(page, '6-insurer-queue');

    await claim.getByLabel('Decision note (needed to deny)').fill('Covered in full under the Gold PPO plan');
    await claim.getByRole('button', { name: 'Approve' }).click();
    await outcome(claim, /approved\. The explanation of benefit is in the patient’s record/);

    const toPay = await shown(page.getByRole('list', { name: 'Approved, to pay' }));
    const approved = await shown(claimItem(toPay, 'Lipid panel'));
    await shown(approved.getByText('Approved, to pay'));
    await screenshot(page, 'claims-7-insurer-approved');
    await approved.getByLabel('Payment reference').fill('ACH-2026-0417');
    await approved.getByRole('button', { name: 'Record payment' }).click();
    await outcome(approved, /is paid/);
    const paid = await shown(claimItem(page.getByRole('list', { name: 'Paid or denied' }), 'Lipid panel'));
    await shown(paid.getByText('Paid by the insurer'));
    // The confirmation follows the claim into its new group.
    await shown(paid.getByText(/^Done: Claim \d+ is paid\. Keep the reference “ACH-2026-0417”/));

    const again = await shown(claimItem(page.getByRole('list', { name: 'To decide' }), 'Complete blood count'));
    await again.getByRole('button', { name: 'Deny' }).click();
    await shown(again.getByText(/Say why the claim is denied/));
    await again
      .getByLabel('Decision note (needed to deny)')
      .fill('Billed twice: the same blood count as an earlier claim');
    await again.getByRole('button', { name: 'Deny' }).click();
    await outcome(again, /denied\. The explanation of benefit is in the patient’s record/);
    await shown(page.getByText(/^No claim is waiting for a decision\.$/));
    await bothWidths(page, '8-insurer-decided');
  });

  test('the patient sees the claim with its history and explanation of benefit, and disputes a denial', async () => {
    const { page } = actors.patient!;
    await visit(page, '/patient');
    await visit(page, '/patient/billing');
    const list = await shown(page.getByRole('list', { name: 'Your claims' }), 60_000);
    const lipid = await shown(claimItem(list, 'Lipid panel'));
    await shown(lipid.getByText('Paid', { exact: true }));
    const history = lipid.getByRole('list', { name: 'Status history' });
    assert.deepEqual(
      (await history.getByRole('listitem').allInnerTexts()).map((text) => text.split('\n')[0]),
      ['Submitted to the insurer', 'Approved by the insurer', 'Paid by the insurer'],
    );
    assert.match(await lipid.innerText(), new RegExp(`Billed by\\s*${LAB}[\\s\\S]*Insurer\\s*${INSURER}`));
    const decision = lipid.getByRole('region', { name: /The insurer’s decision/ });
    await shown(decision.getByText('Covered in full under the Gold PPO plan'));
    assert.match(await decision.innerText(), /Insurer paid\s*\$48\.50/);
    await shown(
      lipid.getByRole('region', { name: 'The claim' }).getByText(/Hyperlipidemia, unspecified \(ICD-10-CM E78\.5\)/),
    );
    await bothWidths(page, '9-patient-billing');

    const denied = await shown(list.getByRole('listitem').filter({ hasText: 'Billed twice: the same blood count' }));
    await shown(denied.getByText('Denied', { exact: true }));
    assert.match(await denied.innerText(), /Insurer paid\s*\$0\.00/);
    await denied.getByRole('button', { name: 'Dispute this decision' }).click();
    await denied
      .getByLabel('Why do you dispute the decision?')
      .fill('The second test was a repeat the lab asked me to come back for.');
    await denied.getByRole('button', { name: 'Send dispute' }).click();
    await shown(denied.getByText('Disputed', { exact: true }), 120_000);
    await shown(denied.getByText(/^Done: Your dispute is recorded\./));
    await shown(denied.getByText('The second test was a repeat the lab asked me to come back for.'));
    await shown(denied.getByRole('list', { name: 'Status history' }).getByText('Disputed by the patient'));
    await bothWidths(page, '10-patient-disputed');
  });
});
