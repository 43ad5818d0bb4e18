/**
 * Event lists verified against the contract's event hash chains, read from the node and through an
 * indexer — an honest one, one that lags behind the head, and hostile ones that drop, alter, invent or
 * reorder events. The indexer here is a small HTTP server speaking the indexer's API (`/indexed`,
 * `/logs`) from the devnet's own logs, so each attack is one precise change to a true answer.
 */
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { type Address, type Hex, type Log, keccak256, toHex, zeroAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { type Devnet, startDevnet } from '../../scripts/devnet';
import { IntegrityError } from '../errors';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import { patientActivity, providerActivity } from './activity';
import { RECORD_CATEGORIES, readScope, writeScope } from './categories';
import { CHAINED_EVENTS, foldChain, verifiedChainEvents } from './chains';
import { type ChainContext, connectChain } from './client';
import { eventsInChainOrder } from './events';
import { readMedLedger, writeMedLedger } from './medledger';
import { listRecordHeaders, packRecordHeaders } from './records';

const cid = (label: string) => `0x01551220${keccak256(toHex(label)).slice(2)}` as const;
const hash = (label: string) => keccak256(toHex(`ciphertext ${label}`));
const address = (key: keyof typeof DEVNET_KEYS) => privateKeyToAccount(DEVNET_KEYS[key]).address;

type Tamper = (logs: IndexedLog[], query: URLSearchParams) => IndexedLog[];
interface IndexedLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: string;
  logIndex: number;
  transactionHash: Hex;
  blockHash: Hex;
}

/** An indexer API over the devnet's logs, `lag` blocks behind the head (or down, or empty), answering through `tamper`. */
async function startIndexer(
  devnet: Devnet,
  state: { lag: bigint; tamper: Tamper; status?: 'down' | 'empty' },
): Promise<{ url: string; server: Server }> {
  const node = await connectChain({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://indexer');
    if (state.status === 'down') {
      response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'starting' }));
      return;
    }
    void (async () => {
      const head = await node.publicClient.getBlockNumber({ cacheTime: 0 });
      if (url.pathname === '/indexed') {
        const block = state.status === 'empty' ? null : (head - state.lag).toString();
        return { chainId: devnet.deployment.chainId, block };
      }
      const toBlock = BigInt(url.searchParams.get('toBlock')!);
      const logs = (await node.publicClient.getLogs({
        address: devnet.deployment.medLedger,
        fromBlock: 0n,
        toBlock,
      })) as Log[];
      const eventNames = url.searchParams.getAll('event') as 'AccessGranted'[];
      const decoded = await eventsInChainOrder(node, eventNames, {}, toBlock);
      const wanted = new Set(decoded.map((log) => `${log.blockNumber}-${log.logIndex}`));
      const filters = [...url.searchParams.entries()].filter(([name]) =>
        ['patient', 'provider', 'author', 'by'].includes(name),
      );
      const matching = logs
        .filter((log) => wanted.has(`${log.blockNumber}-${log.logIndex}`))
        .filter((log) => {
          const args = decoded.find(
            (entry) => entry.blockNumber === log.blockNumber && entry.logIndex === log.logIndex,
          )!.args as Record<string, string>;
          const byName = new Map<string, string[]>();
          for (const [name, value] of filters) byName.set(name, [...(byName.get(name) ?? []), value.toLowerCase()]);
          return [...byName].every(([name, values]) => values.includes(String(args[name]).toLowerCase()));
        })
        .map((log) => ({
          address: log.address,
          topics: [...log.topics] as Hex[],
          data: log.data,
          blockNumber: log.blockNumber!.toString(),
          logIndex: log.logIndex!,
          transactionHash: log.transactionHash!,
          blockHash: log.blockHash!,
        }));
      return { logs: state.tamper(matching, url.searchParams), next: null };
    })().then(
      (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      (error: unknown) => response.writeHead(500).end(JSON.stringify({ error: String(error) })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

describe('event lists proven by the contract’s event chains', () => {
  let devnet: Devnet;
  let indexer: { url: string; server: Server };
  const indexerState: { lag: bigint; tamper: Tamper; status?: 'down' | 'empty' } = {
    lag: 0n,
    tamper: (logs) => logs,
  };
  let as: (key: `0x${string}`, viaIndexer?: boolean) => Promise<ChainContext>;
  const patient = address('patient');
  const doctor = address('doctor');
  const lab = address('lab');
  const expiry = Math.floor(Date.now() / 1000) + 30 * 86_400;

  before(async () => {
    devnet = await startDevnet();
    indexer = await startIndexer(devnet, indexerState);
    as = (privateKey, viaIndexer = false) =>
      connectChain({
        rpcUrl: devnet.rpcUrl,
        privateKey,
        deployment: devnet.deployment,
        ...(viaIndexer ? { indexerUrl: indexer.url } : {}),
      });
    const admin = await as(DEVNET_KEYS.admin);
    const asPatient = await as(DEVNET_KEYS.patient);
    const asDoctor = await as(DEVNET_KEYS.doctor);
    const asLab = await as(DEVNET_KEYS.lab);
    await writeMedLedger(asPatient, 'registerPatient', [keccak256(toHex('patient key')), cid('profile')]);
    await writeMedLedger(admin, 'registerProvider', [doctor, 1, keccak256(toHex('doctor licence'))]);
    await writeMedLedger(admin, 'registerProvider', [lab, 2, keccak256(toHex('lab licence'))]);
    await writeMedLedger(asDoctor, 'setProviderKey', [keccak256(toHex('doctor key'))]);
    await writeMedLedger(admin, 'setProviderProfile', [lab, cid('lab profile'), hash('lab profile')]);
    await writeMedLedger(asDoctor, 'requestAccess', [patient, readScope(RECORD_CATEGORIES.observation)]);
    await writeMedLedger(asLab, 'requestAccess', [patient, writeScope(RECORD_CATEGORIES.observation)]);
    await writeMedLedger(asPatient, 'denyRequest', [lab]);
    const scopes = readScope(RECORD_CATEGORIES.observation) | readScope(RECORD_CATEGORIES.condition);
    await writeMedLedger(asPatient, 'grant', [doctor, scopes, expiry, cid('keyring 1')]);
    await writeMedLedger(asPatient, 'grant', [lab, writeScope(RECORD_CATEGORIES.observation), expiry, '0x']);
    const batch = packRecordHeaders(
      ['a', 'b', 'c'].map((label) => ({
        cid: cid(label),
        ciphertextHash: hash(label),
        category: RECORD_CATEGORIES.observation,
        supersedes: 0n,
      })),
    );
    await writeMedLedger(asLab, 'addRecords', [patient, batch]);
    await writeMedLedger(asPatient, 'addRecord', [patient, cid('d'), hash('d'), RECORD_CATEGORIES.condition, 0n]);
    await writeMedLedger(asDoctor, 'logAccess', [patient, [1n, 4n], 1]);
    // A narrowing grant: AccessRevoked and AccessGranted in one transaction.
    await writeMedLedger(asPatient, 'grant', [
      doctor,
      readScope(RECORD_CATEGORIES.observation),
      expiry,
      cid('keyring 2'),
    ]);
    await writeMedLedger(asPatient, 'shareKeyring', [lab, cid('keyring 3')]);
    await writeMedLedger(admin, 'suspendProvider', [lab]);
    await writeMedLedger(admin, 'reinstateProvider', [lab]);
  });

  after(async () => {
    indexer.server.close();
    await devnet.stop();
  });

  it('folds the node’s events into exactly the chains the contract holds', async () => {
    const node = await as(DEVNET_KEYS.patient);
    for (const [kind, account, expected] of [
      ['patient', patient, 9n],
      ['provider', doctor, 4n],
      ['directory', zeroAddress, 6n],
    ] as const) {
      const logs = await verifiedChainEvents(node, kind, account);
      const [length, head] = await readMedLedger(node, 'activityChain', [kind === 'directory' ? zeroAddress : account]);
      assert.equal(length, expected, `${kind} chain length`);
      assert.deepEqual(foldChain(logs), { length, head });
      assert.ok(logs.every((log) => (CHAINED_EVENTS[kind] as readonly string[]).includes(log.eventName)));
    }
  });

  it('reads the same lists through an honest indexer, including blocks it has not indexed yet', async () => {
    const node = await as(DEVNET_KEYS.patient);
    const viaIndexer = await as(DEVNET_KEYS.patient, true);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => warnings.push(message);
    try {
      for (const lag of [0n, 3n]) {
        indexerState.lag = lag;
        assert.deepEqual(await patientActivity(viaIndexer, patient), await patientActivity(node, patient));
        assert.deepEqual(await providerActivity(viaIndexer, doctor), await providerActivity(node, doctor));
        assert.deepEqual(await listRecordHeaders(viaIndexer, patient), await listRecordHeaders(node, patient));
      }
    } finally {
      console.warn = warn;
      indexerState.lag = 0n;
    }
    assert.deepEqual(warnings, [], 'an honest indexer is never second-guessed');
  });

  it('reads from the node while the indexer is down or has indexed nothing yet', async () => {
    const node = await as(DEVNET_KEYS.patient);
    const viaIndexer = await as(DEVNET_KEYS.patient, true);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => warnings.push(message);
    try {
      for (const status of ['down', 'empty'] as const) {
        indexerState.status = status;
        assert.deepEqual(await patientActivity(viaIndexer, patient), await patientActivity(node, patient));
        assert.deepEqual(await listRecordHeaders(viaIndexer, patient), await listRecordHeaders(node, patient));
      }
    } finally {
      console.warn = warn;
      indexerState.status = undefined;
    }
    // Down is reported once per indexer, however many queries a screen makes; empty is no fault.
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /answered 503.*Reading events from the node/);
  });

  const attacks: [string, Tamper][] = [
    [
      'drops the revocation a narrowing grant emitted',
      (logs) => logs.filter((log, index) => index !== 0 || logs.length < 2),
    ],
    [
      'alters a grant’s scopes',
      (logs, query) =>
        query.getAll('event').includes('AccessGranted')
          ? logs.map((log, index) =>
              index === 0 ? { ...log, data: `0x${'00'.repeat(31)}ff${log.data.slice(66)}` as Hex } : log,
            )
          : logs,
    ],
    ['repeats an event', (logs) => (logs.length > 0 ? [...logs, logs[logs.length - 1]!] : logs)],
  ];
  for (const [name, tamper] of attacks) {
    it(`catches an indexer that ${name}, and reads the node instead`, async () => {
      const node = await as(DEVNET_KEYS.patient);
      const viaIndexer = await as(DEVNET_KEYS.patient, true);
      indexerState.tamper = tamper;
      const warnings: string[] = [];
      const warn = console.warn;
      console.warn = (message: string) => warnings.push(message);
      try {
        assert.deepEqual(await patientActivity(viaIndexer, patient), await patientActivity(node, patient));
        assert.deepEqual(await providerActivity(viaIndexer, doctor), await providerActivity(node, doctor));
      } finally {
        console.warn = warn;
        indexerState.tamper = (logs) => logs;
      }
      assert.ok(
        warnings.length > 0 && warnings.every((message) => /failed verification/.test(message)),
        warnings.join('\n'),
      );
    });
  }

  it('catches an indexer that hides a batch of records', async () => {
    const viaIndexer = await as(DEVNET_KEYS.patient, true);
    const node = await as(DEVNET_KEYS.patient);
    indexerState.tamper = (logs, query) => (query.getAll('event').includes('RecordsAdded') ? logs.slice(1) : logs);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => warnings.push(message);
    try {
      assert.deepEqual(await listRecordHeaders(viaIndexer, patient), await listRecordHeaders(node, patient));
    } finally {
      console.warn = warn;
      indexerState.tamper = (logs) => logs;
    }
    assert.match(warnings.join('\n'), /Record 1 is anchored on-chain but its event is missing/);
  });

  it('rejects logs of another event or another contract outright', async () => {
    const viaIndexer = await as(DEVNET_KEYS.patient, true);
    indexerState.tamper = (logs) => logs.map((log) => ({ ...log, address: zeroAddress as Address }));
    try {
      await assert.rejects(
        eventsInChainOrder(viaIndexer, ['AccessGranted'], { patient }),
        (error: unknown) => error instanceof IntegrityError && /did not ask for/.test(error.message),
      );
    } finally {
      indexerState.tamper = (logs) => logs;
    }
  });
});
