/**
 * The SMART Health Link server over real HTTP (the app's routes, served by the handlers they call),
 * with a clock the tests move: owners' signed requests, the manifest protocol, passcode attempts,
 * expiry, revocation and single-use file URLs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hardhat } from 'viem/chains';

import type { ChainContext } from '../chain';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import { type ShlApp, startShlApp } from '../testing/shl-app';
import { encryptJwe } from './jwe';
import { manifestUrl, random256 } from './payload';
import { PASSCODE_ATTEMPTS, TICKET_LIFETIME_MS, checkPasscode, hashPasscode } from './server';
import { signOwnerRequest } from './signed-request';
import type { LinkSummary } from './types';

function signer(key: `0x${string}`): ChainContext {
  const account = privateKeyToAccount(key);
  const walletClient = createWalletClient({ account, chain: hardhat, transport: http('http://127.0.0.1:1') });
  return { walletClient, account: account.address } as unknown as ChainContext;
}

const patient = signer(DEVNET_KEYS.patient);
const stranger = signer(DEVNET_KEYS.stranger);
const BUNDLE = new TextEncoder().encode(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] }));

let clock = Date.parse('2030-01-01T00:00:00Z');
let dir: string;
let app: ShlApp;

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function owner(request: unknown) {
  return post(`${app.url}/api/shl`, request);
}

/** Creates a link through the API; returns its id and the key a link would carry. */
async function createLink(options: { passcode?: string; days?: number } = {}) {
  const id = random256();
  const key = random256();
  const jwe = await encryptJwe(BUNDLE, key, { cty: 'application/fhir+json', zip: true });
  const exp = Math.floor(clock / 1000) + (options.days ?? 7) * 86_400;
  const request = await signOwnerRequest(
    patient,
    'create',
    id,
    {
      exp,
      categories: ['allergy'],
      jwe,
      label: 'Allergies',
      ...(options.passcode ? { passcode: options.passcode } : {}),
    },
    clock,
  );
  const answer = await owner(request);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return { id, key, jwe, url: manifestUrl(app.url, id) };
}

async function list(): Promise<LinkSummary[]> {
  const answer = await owner(await signOwnerRequest(patient, 'list', '*', {}, clock));
  assert.equal(answer.status, 200);
  return answer.body.links as LinkSummary[];
}

describe('SMART Health Link server', () => {
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'medledger-shl-'));
    app = await startShlApp({ dir, now: () => clock });
  });
  after(async () => {
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clock += 60 * 60_000;
  });

  describe('manifest', () => {
    it('serves the file embedded, and logs who asked', async () => {
      const { id, jwe, url } = await createLink();
      const answer = await post(url, { recipient: 'Dr. Rivera, Riverside Clinic' });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.files, [
        {
          contentType: 'application/fhir+json',
          embedded: jwe,
          lastUpdated: new Date(clock).toISOString().replace(/\.\d+Z$/, '.000Z'),
          status: 'finalized',
          fhirVersion: '4.0.1',
        },
      ]);
      const link = (await list()).find((entry) => entry.id === id)!;
      assert.deepEqual(link.accesses, [
        { time: new Date(clock).toISOString(), recipient: 'Dr. Rivera, Riverside Clinic', outcome: 'served' },
      ]);
      assert.equal(link.status, 'active');
    });

    it('hands out a single-use location when the file is over embeddedLengthMax', async () => {
      const { jwe, url } = await createLink();
      const answer = await post(url, { recipient: 'Viewer', embeddedLengthMax: 10 });
      const [file] = answer.body.files as { location: string }[];
      assert.ok(file!.location.startsWith(`${url}/file/`));
      const first = await fetch(file!.location);
      assert.equal(first.headers.get('content-type'), 'application/jose');
      assert.equal(await first.text(), jwe);
      assert.equal((await fetch(file!.location)).status, 404, 'used once');
      const again = await post(url, { recipient: 'Viewer', embeddedLengthMax: 10 });
      const [late] = again.body.files as { location: string }[];
      clock += TICKET_LIFETIME_MS + 1;
      assert.equal((await fetch(late!.location)).status, 404, 'expired');
    });

    it('answers a request without a recipient with 400', async () => {
      const { url } = await createLink();
      assert.equal((await post(url, { passcode: 1 })).status, 400);
    });

    it('answers 404 for a link that never existed', async () => {
      assert.equal((await post(manifestUrl(app.url, random256()), { recipient: 'x' })).status, 404);
    });

    it('answers CORS preflights so browser viewers can ask', async () => {
      const { url } = await createLink();
      const answer = await fetch(url, { method: 'OPTIONS' });
      assert.equal(answer.status, 204);
      assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    });
  });

  describe('passcode', () => {
    it('keeps only a salted scrypt hash', async () => {
      const { id } = await createLink({ passcode: 'tulip-4721' });
      const stored = await readFile(path.join(dir, 'links', `${id}.json`), 'utf8');
      assert.ok(!stored.includes('tulip-4721'));
      const hash = (JSON.parse(stored) as { passcodeHash: string }).passcodeHash;
      assert.match(hash, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      assert.notEqual(hash, await hashPasscode('tulip-4721'), 'fresh salt');
      assert.ok(await checkPasscode('tulip-4721', hash));
    });

    it('counts wrong passcodes down, then disables the link and deletes its file', async () => {
      const { id, url } = await createLink({ passcode: 'tulip-4721' });
      const missing = await post(url, { recipient: 'Guess' });
      assert.deepEqual([missing.status, missing.body.remainingAttempts], [401, PASSCODE_ATTEMPTS]);
      const wrong = await post(url, { recipient: 'Guess', passcode: 'tulip-0000' });
      assert.deepEqual([wrong.status, wrong.body.remainingAttempts], [401, PASSCODE_ATTEMPTS - 1]);
      const right = await post(url, { recipient: 'Dr. Rivera', passcode: 'tulip-4721' });
      assert.equal(right.status, 200);
      // The rest at once: the counter holds against parallel guesses.
      const guesses = await Promise.all(
        Array.from({ length: PASSCODE_ATTEMPTS + 2 }, (_, index) =>
          post(url, { recipient: 'Guess', passcode: `wrong-${index}` }),
        ),
      );
      const counts = guesses.filter((answer) => answer.status === 401).map((answer) => answer.body.remainingAttempts);
      assert.deepEqual(
        counts.sort((a, b) => Number(b) - Number(a)),
        Array.from({ length: PASSCODE_ATTEMPTS - 1 }, (_, index) => PASSCODE_ATTEMPTS - 2 - index),
      );
      assert.equal(guesses.filter((answer) => answer.status === 404).length, 3);
      assert.equal((await post(url, { recipient: 'Dr. Rivera', passcode: 'tulip-4721' })).status, 404, 'disabled');
      const link = (await list()).find((entry) => entry.id === id)!;
      assert.deepEqual([link.status, link.remainingAttempts], ['disabled', 0]);
      assert.equal(
        (JSON.parse(await readFile(path.join(dir, 'links', `${id}.json`), 'utf8')) as { jwe?: string }).jwe,
        undefined,
      );
    });
  });

  describe('expiry and revocation', () => {
    it('answers 404 once the link expired, and deletes its file', async () => {
      const { id, url } = await createLink({ days: 1 });
      clock += 86_400_000;
      assert.equal((await post(url, { recipient: 'Late' })).status, 404);
      assert.equal(
        (JSON.parse(await readFile(path.join(dir, 'links', `${id}.json`), 'utf8')) as { jwe?: string }).jwe,
        undefined,
      );
      assert.equal((await list()).find((entry) => entry.id === id)!.status, 'expired');
    });

    it('answers 404 once the owner revoked the link; nobody else can revoke it', async () => {
      const { id, url } = await createLink();
      const forged = await owner(await signOwnerRequest(stranger, 'revoke', id, {}, clock));
      assert.equal(forged.status, 404);
      assert.equal((await post(url, { recipient: 'Still works' })).status, 200);
      assert.equal((await owner(await signOwnerRequest(patient, 'revoke', id, {}, clock))).status, 200);
      assert.equal((await post(url, { recipient: 'After' })).status, 404);
      assert.equal((await list()).find((entry) => entry.id === id)!.status, 'revoked');
    });
  });

  describe('signed owner requests', () => {
    it('refuses a replay', async () => {
      const request = await signOwnerRequest(patient, 'list', '*', {}, clock);
      assert.equal((await owner(request)).status, 200);
      const replay = await owner(request);
      assert.equal(replay.status, 403);
      assert.match(String(replay.body.error), /already used/);
    });

    it('refuses a stale or future time', async () => {
      assert.equal((await owner(await signOwnerRequest(patient, 'list', '*', {}, clock - 6 * 60_000))).status, 403);
      assert.equal((await owner(await signOwnerRequest(patient, 'list', '*', {}, clock + 6 * 60_000))).status, 403);
    });

    it('refuses a request signed by someone else than the owner it names, and altered parameters', async () => {
      const request = await signOwnerRequest(stranger, 'list', '*', {}, clock);
      const forged = await owner({ ...request, owner: patient.account });
      assert.equal(forged.status, 403);
      assert.match(String(forged.body.error), /not signed by/);
      const id = random256();
      const jwe = await encryptJwe(BUNDLE, random256(), { cty: 'application/fhir+json' });
      const create = await signOwnerRequest(
        patient,
        'create',
        id,
        { exp: Math.floor(clock / 1000) + 60, categories: ['allergy'], jwe },
        clock,
      );
      const altered = await owner({ ...create, params: { ...create.params, exp: create.params.exp + 86_400 * 300 } });
      assert.equal(altered.status, 403);
    });

    it('lists only the owner’s links', async () => {
      await createLink();
      const theirs = await owner(await signOwnerRequest(stranger, 'list', '*', {}, clock));
      assert.deepEqual(theirs.body.links, []);
    });

    it('refuses a create whose file is not a dir/A256GCM JWE, naming every problem', async () => {
      const request = await signOwnerRequest(
        patient,
        'create',
        random256(),
        { exp: 1, categories: [], jwe: 'plain text' },
        clock,
      );
      const answer = await owner(request);
      assert.equal(answer.status, 400);
      assert.deepEqual(
        (answer.body.issues as { path: string }[]).map((issue) => issue.path),
        ['exp', 'categories', 'jwe'],
      );
    });

    it('writes links atomically: no temporary files are left', async () => {
      await createLink();
      assert.ok((await readdir(path.join(dir, 'links'))).every((name) => name.endsWith('.json')));
    });
  });
});
