import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Address, Hex } from 'viem';

import { RECORD_CATEGORIES, readMedLedger, scopesFor } from '../chain';
import { AccessDeniedError, ValidationError } from '../errors';
import { type TestSystem, addressOf, inDays, startTestSystem } from '../testing/system';
import type { SignedConsent } from './consent';
import {
  type ConsentLink,
  consentLink,
  consentLinkProblem,
  createConsentLink,
  parseConsentFragment,
  parseConsentLink,
  submitConsentLink,
} from './consent-link';
import type { Vault } from './vault';

const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;
const PROVIDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const CONTRACT = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address;
const NOW = 1_800_000_000;

const consent: SignedConsent = {
  patient: PATIENT,
  provider: PROVIDER,
  scopes: scopesFor([RECORD_CATEGORIES.profile, RECORD_CATEGORIES.observation], { read: true }),
  expiry: NOW + 30 * 86_400,
  keyring: '0x01551220aa',
  revocations: 1,
  nonce: 4n,
  deadline: BigInt(NOW + 86_400),
  signature: `0x${'12'.repeat(65)}` as Hex,
};
const signed: ConsentLink = { consent, chainId: 31337, contract: CONTRACT };
const here = { chainId: 31337, contract: CONTRACT, account: PROVIDER, nonce: 4n, now: NOW };

describe('consent links', () => {
  it('round-trip through the link, its fragment, or the link as pasted with spaces around it', () => {
    const link = consentLink('https://records.example', signed);
    assert.match(link, /^https:\/\/records\.example\/consent#[A-Za-z0-9_-]+$/);
    assert.deepEqual(parseConsentLink(link), signed);
    assert.deepEqual(parseConsentLink(`  ${link}\n`), signed);
    assert.deepEqual(parseConsentLink(link.slice(link.indexOf('#') + 1)), signed);
    assert.deepEqual(parseConsentFragment(link.slice(link.indexOf('#'))), signed);
  });

  it('names what is wrong with a damaged link', () => {
    const link = consentLink('https://records.example', signed);
    assert.throws(() => parseConsentLink(link.slice(0, -20)), ValidationError);
    assert.throws(() => parseConsentLink('https://records.example/consent#'), /nothing after “#”/);
  });

  it('say why a link cannot be submitted here, and nothing when it can', () => {
    assert.equal(consentLinkProblem(signed, here), undefined);
    assert.match(consentLinkProblem(signed, { ...here, chainId: 1 }) ?? '', /another MedLedger \(chain 31337/);
    assert.match(consentLinkProblem(signed, { ...here, account: PATIENT }) ?? '', /is for provider 0x7099/);
    assert.match(consentLinkProblem(signed, { ...here, now: NOW + 2 * 86_400 }) ?? '', /has expired/);
    assert.match(consentLinkProblem(signed, { ...here, nonce: 5n }) ?? '', /already used, cancelled/);
  });
});

describe('createConsentLink / submitConsentLink (devnet + IPFS)', () => {
  let system: TestSystem;
  let vaults: Record<string, Vault>;

  before(async () => {
    ({ system, vaults } = await startTestSystem({ providers: [['doctor', 'doctor']], patients: ['patient'] }));
  });
  after(() => system?.stop());

  it('the patient signs a link, the provider submits it and then has access; a second submit is refused', async () => {
    const scopes = scopesFor([RECORD_CATEGORIES.profile], { read: true });
    const { link } = await createConsentLink(
      vaults.patient!,
      { provider: addressOf('doctor'), scopes, expiry: inDays(30) },
      { deadline: inDays(1), origin: 'http://127.0.0.1:3000/' },
    );
    assert.match(link, /^http:\/\/127\.0\.0\.1:3000\/consent#/);
    await assert.rejects(submitConsentLink(vaults.patient!, link), AccessDeniedError, 'only the named provider');

    await submitConsentLink(vaults.doctor!, link);
    assert.equal(
      await readMedLedger(system.admin, 'hasAccess', [addressOf('patient'), addressOf('doctor'), scopes]),
      true,
    );
    await assert.rejects(submitConsentLink(vaults.doctor!, link), /already used/);
  });
});
