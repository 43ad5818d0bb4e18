import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ServiceUnavailableError } from '../errors';
import { addRecords, grantAccess, readRecords } from '../records';
import { type TestSystem, addressOf as address, inDays, startTestSystem } from '../testing/system';
import { RECORD_CATEGORIES, readScope } from './categories';
import type { ChainContext } from './client';
import { blockPages, contractEvents, isRangeRefusal } from './events';
import { patientActivity } from './activity';

/** A node that answers `eth_getLogs` for at most `maxRange` blocks, like a public RPC, and counts requests. */
function cappedNode(maxRange: bigint, head: bigint, logsAt: readonly bigint[]) {
  const requests: [bigint, bigint][] = [];
  const context = {
    deployment: {
      chainId: 1,
      medLedger: '0x0000000000000000000000000000000000000001',
      modelRegistry: '0x',
      startBlock: 0,
    },
    publicClient: {
      getBlockNumber: async () => head,
      getContractEvents: async ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) => {
        requests.push([fromBlock, toBlock]);
        if (toBlock - fromBlock + 1n > maxRange) {
          throw Object.assign(new Error('RPC Request failed.'), {
            details: `query exceeds max block range ${maxRange}`,
          });
        }
        return logsAt
          .filter((block) => block >= fromBlock && block <= toBlock)
          .map((block) => ({ blockNumber: block, logIndex: 0, eventName: 'RecordsAdded', args: {} }));
      },
    },
  } as unknown as ChainContext;
  return { context, requests };
}

describe('contractEvents against a node with a range cap', () => {
  it('pages a query by block range', () => {
    assert.deepEqual(blockPages(0n, 24n, 10n), [
      [0n, 9n],
      [10n, 19n],
      [20n, 24n],
    ]);
    assert.deepEqual(blockPages(5n, 4n, 10n), []);
  });

  it('knows the ways nodes say a range is too large, and nothing else', () => {
    for (const details of [
      'query exceeds max block range 1000',
      'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range',
      'query returned more than 10000 results',
      'eth_getLogs is limited to a 10,000 range',
      'block range is too wide',
    ]) {
      assert.equal(isRangeRefusal(Object.assign(new Error('RPC error'), { details })), true, details);
    }
    assert.equal(isRangeRefusal(new Error('execution reverted')), false);
    assert.equal(isRangeRefusal(new Error('fetch failed')), false);
  });

  it('halves a refused page until the node answers, and keeps the logs in order', async () => {
    const logsAt = [3n, 1_500n, 9_999n, 25_000n];
    const { context, requests } = cappedNode(2_000n, 30_000n, logsAt);
    const logs = await contractEvents(context, { eventName: 'RecordsAdded' });
    assert.deepEqual(
      logs.map((log) => log.blockNumber),
      logsAt,
    );
    // The answered pages tile the whole range in order, none wider than the node allows.
    const answered = requests.filter(([from, to]) => to - from + 1n <= 2_000n);
    assert.equal(answered[0]![0], 0n);
    answered.slice(1).forEach(([from], index) => assert.equal(from, answered[index]![1] + 1n));
    assert.equal(answered.at(-1)![1], 30_000n, 'reaches the head');
  });

  it('takes the range a context sets', async () => {
    const { context, requests } = cappedNode(100n, 299n, []);
    await contractEvents({ ...context, logBlockRange: 100 }, { eventName: 'RecordsAdded' });
    assert.deepEqual(requests, [
      [0n, 99n],
      [100n, 199n],
      [200n, 299n],
    ]);
  });

  it('says so when even one block is refused', async () => {
    const { context } = cappedNode(0n, 10n, []);
    await assert.rejects(contractEvents(context, { eventName: 'RecordsAdded' }), ServiceUnavailableError);
  });

  it('passes on any other failure as it is', async () => {
    const context = {
      deployment: { startBlock: 0, medLedger: '0x0000000000000000000000000000000000000001' },
      publicClient: {
        getBlockNumber: async () => 10n,
        getContractEvents: async () => {
          throw new Error('fetch failed');
        },
      },
    } as unknown as ChainContext;
    await assert.rejects(contractEvents(context, { eventName: 'RecordsAdded' }), /fetch failed/);
  });
});

describe('event paging on a devnet', () => {
  let system: TestSystem;
  let vaults: Awaited<ReturnType<typeof startTestSystem>>['vaults'];

  before(async () => {
    ({ system, vaults } = await startTestSystem({ providers: [['doctor', 'doctor']], patients: ['patient'] }));
    await grantAccess(vaults.patient!, {
      provider: address('doctor'),
      scopes: readScope(RECORD_CATEGORIES.observation),
      expiry: inDays(30),
    });
    for (const text of ['one', 'two', 'three']) {
      await addRecords(vaults.patient!, address('patient'), [
        { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text } } } },
      ]);
    }
    await readRecords(vaults.doctor!, address('patient'));
  });

  after(() => system.stop());

  it('gives the same audit trail in pages of one block as in one query', async () => {
    const whole = await patientActivity(vaults.patient!.chain, address('patient'));
    const paged = await patientActivity({ ...vaults.patient!.chain, logBlockRange: 1 }, address('patient'));
    assert.deepEqual(paged, whole);
    assert.deepEqual(
      whole.map((event) => event.kind),
      ['registered', 'accessGranted', 'recordAdded', 'recordAdded', 'recordAdded', 'accessLogged'],
    );
  });

  it('reads only this patient’s events, not the whole contract log', async () => {
    const others = await patientActivity(vaults.patient!.chain, address('otherPatient'));
    assert.deepEqual(others, []);
  });
});
