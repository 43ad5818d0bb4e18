/**
 * The indexer against a real devnet: MedLedger transactions before it starts (Ponder's backfill) and
 * after it is ready (its realtime sync), then every answer of `/logs` compared with what `eth_getLogs`
 * returns for the same logs — topics, data and order exactly, since the client hashes them — across
 * filters, pages and `toBlock`, and the 400s of bad queries. `PONDER_LOG_LEVEL=debug` shows Ponder's log.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  type Abi,
  type AbiEvent,
  type Address,
  type Hex,
  createPublicClient,
  decodeEventLog,
  getAbiItem,
  http,
  toEventSelector,
} from 'viem';

import { RECORD_CATEGORIES, readScope } from '../../lib/chain';
import { medLedgerAbi } from '../../lib/chain/deployments';
import { type TestSystem, addressOf as address, inDays, startTestSystem } from '../../lib/testing/system';
import { type Vault, addRecords, grantAccess, readRecords, revokeAccess } from '../../lib/records';
import { type RunningIndexer, startIndexer } from '../../scripts/indexer';
import { freePort } from '../../scripts/web';

/** A log as `/logs` returns it. */
interface ApiLog {
  address: string;
  topics: Hex[];
  data: Hex;
  blockNumber: string;
  logIndex: number;
  transactionHash: Hex;
  blockHash: Hex;
}

/** A log as `eth_getLogs` returns it, in the `/logs` shape, with its decoded name and arguments. */
interface ChainLog {
  log: ApiLog;
  eventName: string;
  args: Record<string, unknown>;
}

interface RpcLog {
  address: string;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  logIndex: Hex;
  transactionHash: Hex;
  blockHash: Hex;
}

let system: TestSystem;
let vaults: Record<string, Vault>;
let indexer: RunningIndexer;
let dataDir: string;
let publicClient: ReturnType<typeof createPublicClient>;

/** The chain's latest block; viem would otherwise answer from its cache for a few seconds. */
const head = () => publicClient.getBlockNumber({ cacheTime: 0 });

const toApiLog = (log: RpcLog): ApiLog => ({
  address: log.address.toLowerCase(),
  topics: log.topics,
  data: log.data,
  blockNumber: BigInt(log.blockNumber).toString(),
  logIndex: Number(log.logIndex),
  transactionHash: log.transactionHash,
  blockHash: log.blockHash,
});

async function ethGetLogs(filter: { topics?: (Hex | Hex[] | null)[]; toBlock?: bigint } = {}): Promise<ApiLog[]> {
  const logs = (await publicClient.request({
    method: 'eth_getLogs',
    params: [
      {
        address: system.devnet.deployment.medLedger,
        fromBlock: `0x${system.devnet.deployment.startBlock.toString(16)}`,
        toBlock: filter.toBlock === undefined ? 'latest' : `0x${filter.toBlock.toString(16)}`,
        ...(filter.topics ? { topics: filter.topics } : {}),
      },
    ],
  } as never)) as RpcLog[];
  return logs.map(toApiLog);
}

async function chainLogs(): Promise<ChainLog[]> {
  return (await ethGetLogs()).map((log) => {
    const decoded = decodeEventLog({ abi: medLedgerAbi, topics: log.topics as [Hex], data: log.data });
    return { log, eventName: decoded.eventName, args: (decoded.args ?? {}) as Record<string, unknown> };
  });
}

async function get(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${indexer.url}${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function logs(query: string): Promise<{ logs: ApiLog[]; next: string | null }> {
  const { status, body } = await get(query);
  assert.equal(status, 200, JSON.stringify(body));
  return body as unknown as { logs: ApiLog[]; next: string | null };
}

/** Every page of a query, following `next`. */
async function allPages(query: string): Promise<{ logs: ApiLog[]; pages: number }> {
  const all: ApiLog[] = [];
  let pages = 0;
  let next: string | null = null;
  do {
    const page = await logs(`${query}${next === null ? '' : `&after=${next}`}`);
    all.push(...page.logs);
    pages++;
    next = page.next;
  } while (next !== null);
  return { logs: all, pages };
}

async function waitUntilIndexed(block: bigint): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { body } = await get('/indexed');
    if (body.block !== null && BigInt(body.block as string) >= block) return Date.now() - started;
    assert.ok(Date.now() - started < 30_000, `/indexed stayed at ${JSON.stringify(body)}, the head is ${block}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const selectorOf = (eventName: string) =>
  toEventSelector(getAbiItem({ abi: medLedgerAbi as Abi, name: eventName }) as AbiEvent);
const lower = (value: Address) => value.toLowerCase();
const argOf = (log: ChainLog, name: string) => {
  const value = log.args[name];
  return typeof value === 'string' ? value.toLowerCase() : value;
};

describe('the MedLedger indexer', { timeout: 120_000 }, () => {
  before(async () => {
    ({ system, vaults } = await startTestSystem({
      providers: [
        ['doctor', 'doctor'],
        ['lab', 'lab'],
      ],
      patients: ['patient', 'otherPatient'],
    }));
    publicClient = createPublicClient({ transport: http(system.devnet.rpcUrl) });
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'weight' } } as const;
    await grantAccess(vaults.patient!, {
      provider: address('doctor'),
      scopes: readScope(RECORD_CATEGORIES.observation),
      expiry: inDays(30),
    });
    await addRecords(vaults.patient!, address('patient'), [
      { payload: { resource: observation } },
      { payload: { resource: { ...observation, code: { text: 'height' } } } },
    ]);
    await readRecords(vaults.doctor!, address('patient'));
    await addRecords(vaults.otherPatient!, address('otherPatient'), [{ payload: { resource: observation } }]);
    // Ponder backfills only blocks it deems final (30 behind the head on an unknown chain) and follows
    // the rest live: empty blocks on top put the logs above in the backfill.
    // One at a time: hardhat_mine's lazily made blocks change hash when first read, which Ponder
    // rightly takes for a reorg below its finalized block.
    for (let block = 0; block < 40; block++) await publicClient.request({ method: 'evm_mine' } as never);

    dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-indexer-'));
    const started = Date.now();
    indexer = await startIndexer({
      port: await freePort(),
      rpcUrl: system.devnet.rpcUrl,
      chainId: 31337,
      medLedger: system.devnet.deployment.medLedger,
      startBlock: system.devnet.deployment.startBlock,
      dataDir: path.join(dataDir, 'pglite'),
      quiet: !process.env.PONDER_LOG_LEVEL,
    });
    // startIndexer resolves once /indexed reaches the head: nothing to wait for here.
    console.log(`# indexer started and caught up with ${await head()} blocks in ${Date.now() - started} ms`);

    // After /ready: these reach the tables through Ponder's realtime sync, block by block.
    await grantAccess(vaults.patient!, {
      provider: address('lab'),
      scopes: readScope(RECORD_CATEGORIES.observation),
      expiry: inDays(30),
    });
    await revokeAccess(vaults.patient!, address('doctor'));
    await addRecords(vaults.patient!, address('patient'), [{ payload: { resource: observation } }]);
    const realtimeMs = await waitUntilIndexed(await head());
    console.log(`# new blocks indexed ${realtimeMs} ms after their transactions`);
  });

  after(async () => {
    await indexer?.stop();
    await system?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reports the chain and the highest block it has fully indexed', async () => {
    const { status, body } = await get('/indexed');
    assert.equal(status, 200);
    assert.deepEqual(body, { chainId: 31337, block: (await head()).toString() });
  });

  it('returns every log exactly as eth_getLogs does, in chain order', async () => {
    const expected = await ethGetLogs();
    assert.ok(expected.length >= 15, `only ${expected.length} logs on the devnet`);
    const page = await logs('/logs');
    assert.deepEqual(page.logs, expected);
    assert.equal(page.next, null);
  });

  it('filters by event as eth_getLogs filters by topic0', async () => {
    const events = ['RecordsAdded', 'AccessLogged'];
    const expected = await ethGetLogs({
      topics: [events.map(selectorOf)],
    });
    assert.ok(expected.length >= 4);
    assert.deepEqual((await logs(`/logs?event=${events.join('&event=')}`)).logs, expected);
  });

  it("filters a patient's records by the indexed patient topic", async () => {
    const patientTopic = `0x${lower(address('patient')).slice(2).padStart(64, '0')}` as Hex;
    const expected = await ethGetLogs({ topics: [selectorOf('RecordsAdded'), patientTopic] });
    assert.equal(expected.length, 2, 'two batches of the patient');
    // Addresses are case-insensitive.
    const checksummed = await logs(`/logs?event=RecordsAdded&patient=${address('patient')}`);
    assert.deepEqual(checksummed.logs, expected);
    assert.deepEqual((await logs(`/logs?event=RecordsAdded&patient=${lower(address('patient'))}`)).logs, expected);
  });

  it('reads a repeated filter as "any of" and different filters as "all of"', async () => {
    const all = await chainLogs();
    const providers = [lower(address('doctor')), lower(address('lab'))];
    const expected = all
      .filter((log) => providers.includes(argOf(log, 'provider') as string))
      .filter((log) => argOf(log, 'patient') === lower(address('patient')))
      .map(({ log }) => log);
    assert.ok(new Set(expected.map((log) => log.topics[0])).size >= 3, 'grants, reads and a revocation');
    const query = `/logs?provider=${providers[0]}&provider=${providers[1]}&patient=${address('patient')}`;
    assert.deepEqual((await logs(query)).logs, expected);

    const byAuthor = all.filter((log) => argOf(log, 'author') === lower(address('otherPatient'))).map(({ log }) => log);
    assert.equal(byAuthor.length, 1);
    assert.deepEqual((await logs(`/logs?author=${address('otherPatient')}`)).logs, byAuthor);

    const firstIds = all.flatMap((log) => (log.eventName === 'RecordsAdded' ? [log.args.firstId as bigint] : []));
    const second = all.filter((log) => log.eventName === 'RecordsAdded' && log.args.firstId === firstIds[1]);
    assert.deepEqual(
      (await logs(`/logs?event=RecordsAdded&firstId=${firstIds[1]}`)).logs,
      second.map(({ log }) => log),
    );
  });

  it('pages with limit and after, and the last page has no next', async () => {
    const expected = await ethGetLogs();
    const { logs: paged, pages } = await allPages('/logs?limit=4');
    assert.deepEqual(paged, expected);
    assert.equal(pages, Math.ceil(expected.length / 4));
    const first = await logs('/logs?limit=4');
    const last = first.logs.at(-1)!;
    assert.equal(first.next, `${last.blockNumber}-${last.logIndex}`);
  });

  it('stops at toBlock', async () => {
    const expected = await ethGetLogs();
    const middle = BigInt(expected[Math.floor(expected.length / 2)]!.blockNumber);
    const upToMiddle = await ethGetLogs({ toBlock: middle });
    assert.ok(upToMiddle.length > 0 && upToMiddle.length < expected.length);
    assert.deepEqual((await logs(`/logs?toBlock=${middle}`)).logs, upToMiddle);
    assert.deepEqual((await allPages(`/logs?toBlock=${middle}&limit=3`)).logs, upToMiddle);
  });

  it('answers a bad query with 400 and a sentence naming each problem', async () => {
    const bad: [string, RegExp][] = [
      ['/logs?event=RecordAdded', /event="RecordAdded" is not an event of MedLedger/],
      ['/logs?patient=0x1234', /patient="0x1234" is not an address/],
      ['/logs?limit=0', /limit="0" must be a whole number from 1 to 10000/],
      ['/logs?limit=10001', /limit="10001"/],
      ['/logs?toBlock=-1', /toBlock="-1" is not a block number/],
      ['/logs?after=latest', /after="latest" is not a cursor/],
      ['/logs?firstId=1.5', /firstId="1.5" is not a record id/],
      ['/logs?patients=0x0000000000000000000000000000000000000000', /Unknown parameter "patients"/],
      ['/logs?limit=1&limit=2', /limit may be given once/],
    ];
    for (const [query, message] of bad) {
      const { status, body } = await get(query);
      assert.equal(status, 400, query);
      assert.match(String(body.error), message, query);
    }
    const both = await get('/logs?event=Nope&provider=0x1');
    assert.match(String(both.body.error), /event="Nope".*provider="0x1"/);
  });

  it("keeps Ponder's own health endpoints", async () => {
    assert.equal((await fetch(`${indexer.url}/health`)).status, 200);
    assert.equal((await fetch(`${indexer.url}/ready`)).status, 200);
    const status = (await (await fetch(`${indexer.url}/status`)).json()) as Record<string, { id: number }>;
    assert.equal(status.medledger?.id, 31337);
  });
});
