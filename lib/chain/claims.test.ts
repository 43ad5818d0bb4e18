import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type Hex, keccak256, toHex } from 'viem';

import { ServiceUnavailableError } from '../errors';
import {
  type ChainClaim,
  type ClaimRef,
  CLAIM_STATUSES,
  claimStateOf,
  claimStatusCode,
  paymentReferenceHash,
  paymentReferenceMatches,
  sealClaim,
} from './claims';
import type { ChainContext } from './client';
import { claimsEventsInChainOrder } from './events';

const ref: ClaimRef = {
  claimId: 7n,
  patient: '0x00000000000000000000000000000000000000aa',
  provider: '0x00000000000000000000000000000000000000bb',
  insurer: '0x00000000000000000000000000000000000000cc',
  recordId: 12n,
  ciphertextHash: keccak256(toHex('ciphertext')),
};

/** What the contract stores for `ref` in `status`, disputed or not. */
const stored = (claim: ClaimRef, status: number, disputed = false): Hex =>
  `0x${(BigInt(sealClaim(claim)) | BigInt(status | (disputed ? 0x80 : 0))).toString(16).padStart(64, '0')}`;

const context = (chainId: number, claims: Hex) =>
  ({ deployment: { chainId, claims, medLedger: claims, modelRegistry: claims, startBlock: 0 } }) as ChainContext;

describe('claim seals', () => {
  it('leave the low byte to the state', () => {
    assert.equal(BigInt(sealClaim(ref)) & 0xffn, 0n);
    assert.notEqual(sealClaim(ref), sealClaim({ ...ref, claimId: 8n }));
  });

  it('tell every status and the dispute flag', () => {
    for (const status of CLAIM_STATUSES.slice(1)) {
      for (const disputed of [false, true]) {
        assert.deepEqual(claimStateOf(ref, stored(ref, claimStatusCode(status), disputed)), { status, disputed });
      }
    }
  });

  it('refuse a claim the seal is not of, and a claim the contract does not hold', () => {
    for (const altered of [
      { ...ref, recordId: 13n },
      { ...ref, insurer: ref.provider },
      { ...ref, claimId: 1n },
    ]) {
      assert.equal(claimStateOf(altered, stored(ref, 2)), undefined);
    }
    assert.equal(claimStateOf(ref, `0x${'0'.repeat(64)}`), undefined);
    assert.equal(claimStateOf(ref, stored(ref, 0)), undefined, 'a status the contract never stores');
  });
});

describe('payment references', () => {
  const claims = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';

  it('are bound to the chain, the contract and the claim, and ignore surrounding space', () => {
    const hash = paymentReferenceHash(context(31337, claims), 7n, 'SEPA-0042');
    assert.equal(paymentReferenceHash(context(31337, claims), 7n, ' SEPA-0042\n'), hash);
    assert.notEqual(paymentReferenceHash(context(31337, claims), 8n, 'SEPA-0042'), hash);
    assert.notEqual(paymentReferenceHash(context(1, claims), 7n, 'SEPA-0042'), hash);
    assert.notEqual(paymentReferenceHash(context(31337, ref.insurer), 7n, 'SEPA-0042'), hash);
    assert.ok(!hash.includes(toHex('SEPA-0042').slice(2)));
  });

  it('match only the text the insurer recorded', () => {
    const chain = context(31337, claims);
    const paid = {
      ref,
      status: 'paid',
      disputed: false,
      history: [],
      paymentReference: paymentReferenceHash(chain, ref.claimId, 'SEPA-0042'),
    } satisfies ChainClaim;
    assert.ok(paymentReferenceMatches(chain, paid, 'SEPA-0042'));
    assert.ok(!paymentReferenceMatches(chain, paid, 'SEPA-0043'));
    assert.ok(!paymentReferenceMatches(chain, { ...paid, paymentReference: undefined }, 'SEPA-0042'));
  });
});

describe('claim events', () => {
  it('come from the node page by page, never from the indexer (which indexes MedLedger only)', async () => {
    const asked: { address: string; fromBlock: bigint; toBlock: bigint }[] = [];
    const node = {
      ...context(31337, '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0'),
      indexerUrl: 'http://127.0.0.1:9',
      logBlockRange: 10,
      publicClient: {
        getBlockNumber: async () => 25n,
        getContractEvents: async (query: { address: string; fromBlock: bigint; toBlock: bigint }) => {
          asked.push(query);
          return [];
        },
      },
    } as unknown as ChainContext;
    assert.deepEqual(await claimsEventsInChainOrder(node, ['ClaimSubmitted'], {}), []);
    assert.deepEqual(
      asked.map(({ address, fromBlock, toBlock }) => [address, fromBlock, toBlock]),
      [
        ['0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', 0n, 9n],
        ['0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', 10n, 19n],
        ['0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', 20n, 25n],
      ],
    );
  });

  it('need a deployment that has the claims contract', async () => {
    const old = { ...context(31337, '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0') };
    const withoutClaims = { ...old, deployment: { ...old.deployment, claims: undefined } } as unknown as ChainContext;
    await assert.rejects(
      claimsEventsInChainOrder(
        { ...withoutClaims, publicClient: { getBlockNumber: async () => 1n } } as unknown as ChainContext,
        ['ClaimSubmitted'],
        {},
      ),
      (error: unknown) =>
        !(error instanceof ServiceUnavailableError) && /claims contract is not deployed/.test(String(error)),
    );
  });
});
