/**
 * SMART Health Links end to end: links made by the `medledger share` CLI (its own process) from
 * records on a real devnet and IPFS node, served by the app's manifest routes over HTTP (the handlers
 * the Next.js routes call, in this process with a clock the test can move), and opened by `jose`, an
 * independent JOSE implementation, exactly as any conformant SHL viewer would.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Bundle, Resource } from '@medplum/fhirtypes';
import { base64url, compactDecrypt } from 'jose';

import { importBundleRecords } from '../../lib/records';
import type { LinkSummary } from '../../lib/shl';
import { signOwnerRequest } from '../../lib/shl/signed-request';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { type ShlApp, startShlApp } from '../../lib/testing/shl-app';
import { type TestSystem, startTestSystem } from '../../lib/testing/system';
import { type CliRun, runCli, runCliJson } from '../../lib/testing/cli';

const subject = { reference: 'Patient/share-test' };
const RECORDS: Resource[] = [
  { resourceType: 'AllergyIntolerance', id: 'a1', patient: subject, code: { text: 'Penicillin' } },
  { resourceType: 'AllergyIntolerance', id: 'a2', patient: subject, code: { text: 'Peanuts' } },
  {
    resourceType: 'MedicationRequest',
    id: 'm1',
    status: 'active',
    intent: 'order',
    subject,
    medicationCodeableConcept: { text: 'Metformin 500 mg' },
  },
  { resourceType: 'Condition', id: 'c1', subject, code: { text: 'Type 2 diabetes' } },
  {
    resourceType: 'Immunization',
    id: 'i1',
    status: 'completed',
    patient: subject,
    vaccineCode: { text: 'Influenza' },
    occurrenceDateTime: '2025-10-01',
  },
  {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    subject,
    code: { text: 'HbA1c' },
    valueQuantity: { value: 6.9, unit: '%' },
  },
];

interface Created {
  link: string;
  id: string;
  manifestUrl: string;
  resources: number;
}

/** What a viewer that knows nothing of MedLedger does: base64url JSON after `shlink:/`. */
function payloadOf(link: string): { url: string; key: string; exp: number; flag?: string; label?: string; v: number } {
  assert.match(link, /^shlink:\/[A-Za-z0-9_-]+$/);
  return JSON.parse(Buffer.from(link.slice('shlink:/'.length), 'base64url').toString('utf8'));
}

async function manifest(url: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Every file of a manifest, fetched (location) or taken (embedded) and opened with jose. */
async function openWithJose(files: { contentType: string; embedded?: string; location?: string }[], key: string) {
  return Promise.all(
    files.map(async (file) => {
      const jwe = file.embedded ?? (await (await fetch(file.location!)).text());
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, base64url.decode(key));
      return { file, protectedHeader, bundle: JSON.parse(new TextDecoder().decode(plaintext)) as Bundle };
    }),
  );
}

describe('medledger share (CLI → app manifest route → jose)', { timeout: 5 * 60_000 }, () => {
  let system: TestSystem;
  let app: ShlApp;
  let storeDir: string;
  let clockOffset = 0;

  const cliEnv = () => ({
    MEDLEDGER_RPC_URL: system.devnet.rpcUrl,
    MEDLEDGER_IPFS_API_URL: system.ipfsNode.apiUrl,
    MEDLEDGER_PRIVATE_KEY: DEVNET_KEYS.patient,
    MEDLEDGER_APP_URL: app.url,
  });
  const cli = (...args: string[]): Promise<CliRun> => runCli(args, { env: cliEnv(), timeoutMs: 60_000 });
  const cliJson = <T>(...args: string[]): Promise<T> => runCliJson<T>(args, { env: cliEnv(), timeoutMs: 60_000 });

  before(async () => {
    ({ system } = await startTestSystem());
    const vault = await system.vaultFor('patient', 'patient');
    const { registerPatient } = await import('../../lib/records');
    await registerPatient(vault, { resourceType: 'Patient', name: [{ text: 'Share Test' }] });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: RECORDS.map((resource) => ({ resource })),
    };
    await importBundleRecords(vault, vault.chain.account!, bundle, { acceptMismatch: true });
    storeDir = await mkdtemp(path.join(tmpdir(), 'medledger-shl-cli-'));
    app = await startShlApp({ dir: storeDir, now: () => Date.now() + clockOffset });
  });

  after(async () => {
    await app?.stop();
    await system?.stop();
    await rm(storeDir, { recursive: true, force: true });
  });

  it('makes a link jose opens: a collection Bundle of exactly the chosen categories', async (t) => {
    const created = await cliJson<Created>(
      'share',
      'create',
      '--categories',
      'allergy,medication',
      '--expires',
      '7d',
      '--label',
      'Allergies and medications',
    );
    t.diagnostic(created.link);
    const payload = payloadOf(created.link);
    assert.equal(payload.url, `${app.url}/api/shl/${created.id}`);
    assert.equal(payload.key.length, 43);
    assert.equal(base64url.decode(payload.key).length, 32);
    assert.equal(payload.flag, undefined);
    assert.equal(payload.label, 'Allergies and medications');
    assert.equal(payload.v, 1);
    assert.ok(Math.abs(payload.exp - (Date.now() / 1000 + 7 * 86_400)) < 120);

    const answer = await manifest(payload.url, { recipient: 'Dr. Rivera, Riverside Clinic' });
    assert.equal(answer.status, 200);
    const [opened] = await openWithJose(answer.body.files as { contentType: string; embedded: string }[], payload.key);
    assert.equal(opened!.file.contentType, 'application/fhir+json');
    assert.deepEqual(opened!.protectedHeader, { alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json', zip: 'DEF' });
    assert.equal(opened!.bundle.resourceType, 'Bundle');
    assert.equal(opened!.bundle.type, 'collection');
    const ids = opened!.bundle.entry!.map((entry) => `${entry.resource!.resourceType}/${entry.resource!.id}`).sort();
    assert.deepEqual(ids, ['AllergyIntolerance/a1', 'AllergyIntolerance/a2', 'MedicationRequest/m1']);
    assert.equal(created.resources, 3);

    // A viewer that takes only short embedded files gets a URL instead; jose opens that too.
    const small = await manifest(payload.url, { recipient: 'Phone viewer', embeddedLengthMax: 100 });
    const [fetched] = await openWithJose(small.body.files as { contentType: string; location: string }[], payload.key);
    assert.deepEqual(fetched!.bundle, opened!.bundle);
  });

  it('shares every shareable category with --categories all', async () => {
    const created = await cliJson<Created>('share', 'create', '--categories', 'all', '--expires', '1d');
    const payload = payloadOf(created.link);
    const answer = await manifest(payload.url, { recipient: 'Everything' });
    const [opened] = await openWithJose(answer.body.files as { contentType: string; embedded: string }[], payload.key);
    const types = opened!.bundle.entry!.map((entry) => entry.resource!.resourceType).sort();
    assert.deepEqual(types, [
      'AllergyIntolerance',
      'AllergyIntolerance',
      'Condition',
      'Immunization',
      'MedicationRequest',
      'Observation',
      'Patient',
    ]);
  });

  it('limits passcode attempts, shows each access in `share list`, and answers 404 once revoked', async () => {
    const created = await cliJson<Created>(
      'share',
      'create',
      '--categories',
      'immunization,condition',
      '--expires',
      '30d',
      '--passcode',
      'maple-2291',
    );
    const payload = payloadOf(created.link);
    assert.equal(payload.flag, 'P');
    const wrong = await manifest(payload.url, { recipient: 'Someone guessing', passcode: '0000' });
    assert.deepEqual([wrong.status, wrong.body.remainingAttempts], [401, 9]);
    const wrongAgain = await manifest(payload.url, { recipient: 'Someone guessing', passcode: '1111' });
    assert.deepEqual([wrongAgain.status, wrongAgain.body.remainingAttempts], [401, 8]);
    const right = await manifest(payload.url, { recipient: 'School nurse', passcode: 'maple-2291' });
    assert.equal(right.status, 200);
    const [opened] = await openWithJose(right.body.files as { contentType: string; embedded: string }[], payload.key);
    assert.deepEqual(opened!.bundle.entry!.map((entry) => entry.resource!.resourceType).sort(), [
      'Condition',
      'Immunization',
    ]);

    const links = await cliJson<LinkSummary[]>('share', 'list');
    const listed = links.find((link) => link.id === created.id)!;
    assert.equal(listed.status, 'active');
    assert.equal(listed.remainingAttempts, 8);
    assert.deepEqual(
      listed.accesses.map((access) => [access.recipient, access.outcome]),
      [
        ['Someone guessing', 'wrong-passcode'],
        ['Someone guessing', 'wrong-passcode'],
        ['School nurse', 'served'],
      ],
    );
    const human = await cli('share', 'list');
    assert.match(human.stdout, new RegExp(`${created.id} active .*passcode \\(8 attempts left\\)`));
    assert.match(human.stdout, /School nurse/);

    const revoked = await cli('share', 'revoke', created.id);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await manifest(payload.url, { recipient: 'School nurse', passcode: 'maple-2291' })).status, 404);
  });

  it('answers 404 after the link expired', async () => {
    const created = await cliJson<Created>('share', 'create', '--categories', 'condition', '--expires', '1d');
    const { url } = payloadOf(created.link);
    assert.equal((await manifest(url, { recipient: 'On time' })).status, 200);
    clockOffset = 86_400_000 + 60_000;
    try {
      assert.equal((await manifest(url, { recipient: 'Too late' })).status, 404);
    } finally {
      clockOffset = 0;
    }
  });

  it('refuses a forged and a replayed signed request', async () => {
    const patient = await system.vaultFor('patient', 'patient');
    const stranger = await system.vaultFor('stranger', 'patient');
    const forged = { ...(await signOwnerRequest(stranger.chain, 'list', '*', {})), owner: patient.chain.account };
    const post = (body: unknown) =>
      fetch(`${app.url}/api/shl`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post(forged)).status, 403);
    const genuine = await signOwnerRequest(patient.chain, 'list', '*', {});
    assert.equal((await post(genuine)).status, 200);
    const replay = await post(genuine);
    assert.equal(replay.status, 403);
    assert.match(((await replay.json()) as { error: string }).error, /already used/);
  });

  it('says what is wrong with the options, in a sentence', async () => {
    const run = await cli('share', 'create', '--categories', 'document,x', '--expires', '7d');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /"document", "x" cannot be shared/);
  });
});
