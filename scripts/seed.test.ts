/**
 * The demo `npm start` seeds, on a real devnet and IPFS node: every identity it prints exists on-chain
 * in its role, and the billing demo works for each party — the insurer's queue holds the lab's claim,
 * decrypted and reviewed, and Maria sees it beside her coverage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { PROVIDER_KINDS, readMedLedger } from '../lib/chain';
import { listClaims, readRecords } from '../lib/records';
import { type TestSystem, startTestSystem } from '../lib/testing/system';
import { type DemoIdentity, seedDemo } from './seed';

describe('the npm start demo seed (devnet + embedded IPFS node)', () => {
  let system: TestSystem;
  let identities: DemoIdentity[];

  before(async () => {
    ({ system } = await startTestSystem());
    identities = await seedDemo(system.devnet.rpcUrl, system.ipfsNode.apiUrl, system.devnet.deployment);
  });
  after(() => system?.stop());

  it('registers every provider it prints in its role, the insurer included', async () => {
    const providers = identities.filter((identity) => identity.role !== 'admin' && identity.role !== 'patient');
    assert.deepEqual(providers.map((identity) => identity.role).sort(), ['doctor', 'doctor', 'insurer', 'lab']);
    for (const identity of providers) {
      const info = await readMedLedger(system.admin, 'providerInfo', [identity.address]);
      assert.equal(PROVIDER_KINDS[info.kind], identity.role, identity.name);
    }
  });

  it("fills the insurer's queue with the lab's claim for Maria, decrypted and reviewed", async () => {
    const insurer = await system.vaultFor('insurer', 'provider');
    const { claims, refused } = await listClaims(insurer, { as: 'insurer' });
    assert.deepEqual(refused, []);
    assert.equal(claims.length, 1);
    const [claim] = claims;
    assert.equal(claim!.status, 'submitted');
    assert.equal(claim!.ref.provider, system.address('lab'));
    assert.ok(claim!.claim.ok, 'the insurer opens the claim');
    assert.equal(claim!.claim.resource.total?.value, 48.2);
    assert.ok(claim!.review, 'the queue is reviewed');
    assert.deepEqual(
      claim!.review.flags.map((flag) => flag.kind),
      [],
      'the demo claim is an ordinary bill: nothing to flag',
    );
  });

  it('shows Maria her coverage and the claim filed for her', async () => {
    const maria = await system.vaultFor('patient', 'patient');
    const records = await readRecords(maria, system.address('patient'));
    const coverage = records.filter((record) => record.ok && record.payload.resource.resourceType === 'Coverage');
    assert.equal(coverage.length, 1);
    const { claims } = await listClaims(maria, { as: 'patient' });
    assert.deepEqual(
      claims.map((claim) => [claim.claimId, claim.status, claim.claim.ok]),
      [[1n, 'submitted', true]],
    );
  });
});
