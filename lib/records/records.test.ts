import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Observation, Patient } from '@medplum/fhirtypes';
import { createTestClient, http, keccak256, toHex, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { startDevnet, type Devnet } from '../../scripts/devnet';
import {
  RECORD_CATEGORIES,
  connectChain,
  medLedgerAbi,
  purposeNamed,
  readMedLedger,
  readScope,
  scopesFor,
  writeMedLedger,
} from '../chain';
import { openRecord, patientKekResolver } from '../crypto';
import {
  AccessDeniedError,
  NotFoundError,
  ServiceUnavailableError,
  TransactionError,
  ValidationError,
} from '../errors';
import { createIpfsClient, fetchVerified, lruBlobCache, memoryBlobStorage } from '../ipfs';
import { startIpfsNode, type RunningIpfsNode } from '../ipfs/node';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import { sampleBundle } from '../testing/fixtures';
import {
  type Vault,
  addFile,
  addRecords,
  cidToBytes,
  createReadLog,
  decodePayload,
  enrollWallet,
  eraseRecords,
  exportBundleRecords,
  grantAccess,
  importBundleRecords,
  loadKeyring,
  openAttachment,
  publishProviderKey,
  readRecords,
  registerPatient,
  revokeAccess,
  staleKeyHolders,
  storeRecords,
  verifyRecords,
} from '.';

const { observation, condition, medication, document } = RECORD_CATEGORIES;
const MARKER = 'CANARY-7d1f3e9a-MEDLEDGER';

describe('lib/records end to end (devnet + embedded IPFS node)', () => {
  let devnet: Devnet;
  let ipfsNode: RunningIpfsNode;
  let dataDir: string;
  const vaults: Record<keyof typeof DEVNET_KEYS, Vault> = {} as never;
  const address = (key: keyof typeof DEVNET_KEYS): Address => privateKeyToAccount(DEVNET_KEYS[key]).address;
  const inDays = (days: number) => Math.floor(Date.now() / 1000) + days * 86_400;

  async function vaultFor(key: keyof typeof DEVNET_KEYS, role: 'patient' | 'provider'): Promise<Vault> {
    const chain = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS[key],
      deployment: devnet.deployment,
    });
    const { key: identity } = await enrollWallet(chain, { role });
    return { chain, ipfs: createIpfsClient(ipfsNode.apiUrl), identity };
  }

  before(async () => {
    devnet = await startDevnet();
    dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-records-'));
    ipfsNode = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    const admin = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: devnet.deployment,
    });
    for (const [key, kind] of [
      ['doctor', 1],
      ['lab', 2],
      ['secondDoctor', 1],
    ] as const) {
      await writeMedLedger(admin, 'registerProvider', [address(key), kind, keccak256(toHex(key))]);
      vaults[key] = await vaultFor(key, 'provider');
      await publishProviderKey(vaults[key]);
    }
    for (const key of ['patient', 'otherPatient'] as const) {
      vaults[key] = await vaultFor(key, 'patient');
      // The bundle's own Patient as the profile: imports check that a bundle is about the owner.
      await registerPatient(vaults[key], sampleBundle(MARKER).entry![0]!.resource as Patient);
    }
  });

  after(async () => {
    await ipfsNode.stop();
    await devnet.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('imports a bundle, and the patient reads every record back and exports it losslessly', async () => {
    const bundle = sampleBundle(MARKER);
    const steps = new Set<string>();
    const report = await importBundleRecords(vaults.patient, address('patient'), bundle, {
      onProgress: ({ step }) => steps.add(step),
    });
    assert.equal(report.added.length, bundle.entry!.length);
    assert.deepEqual([...steps], ['list', 'validate', 'encrypt', 'upload', 'sign', 'pending', 'confirmed']);
    const results = await readRecords(vaults.patient, address('patient'));
    assert.ok(results.every((result) => result.ok));
    const { bundle: exported } = await exportBundleRecords(vaults.patient, address('patient'));
    assert.deepEqual(
      exported.entry!.map(({ resource, fullUrl }) => ({ resource, fullUrl })),
      bundle.entry!.map(({ resource, fullUrl }) => ({ resource, fullUrl })),
    );
  });

  it('re-derives the published encryption key when a patient or provider enrolls again (a reload)', async () => {
    for (const [key, role] of [
      ['patient', 'patient'],
      ['doctor', 'provider'],
    ] as const) {
      const again = await vaultFor(key, role);
      assert.deepEqual(again.identity.publicKey, vaults[key].identity.publicKey, `${key} derived a different key`);
    }
  });

  it('writes nothing when one resource of a bundle is invalid', async () => {
    const before = (await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount;
    const bundle = sampleBundle(MARKER);
    (bundle.entry![1]!.resource as { status: string }).status = 'finished-ish';
    await assert.rejects(importBundleRecords(vaults.patient, address('patient'), bundle), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /Bundle\.entry\[1\]\.resource\.status/);
      return true;
    });
    assert.equal((await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount, before);
  });

  it('refuses a record too large for any reader to accept, before uploading anything', async () => {
    const pinsBefore = await countPins(vaults.patient);
    const huge = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x'.repeat(33 * 1024 * 1024) },
    } as const;
    await assert.rejects(
      addRecords(vaults.patient, address('patient'), [{ payload: { resource: huge } }]),
      (error: unknown) =>
        error instanceof ValidationError && /too large/.test(error.message) && /records\[0\]/.test(error.message),
    );
    assert.equal(await countPins(vaults.patient), pinsBefore);
  });

  it('lets a granted doctor read exactly the granted categories and logs the access for the patient', async () => {
    await grantAccess(vaults.patient, {
      provider: address('doctor'),
      scopes: scopesFor([observation, condition], { read: true }),
      expiry: inDays(30),
    });
    const results = await readRecords(vaults.doctor, address('patient'));
    const readable = results.filter((result) => result.ok).map((result) => result.header.category);
    assert.deepEqual(new Set(readable), new Set([observation, condition]));
    const medicationRecord = results.find((result) => result.header.category === medication);
    assert.ok(medicationRecord && !medicationRecord.ok && medicationRecord.error instanceof AccessDeniedError);
    const logs = await vaults.patient.chain.publicClient.getContractEvents({
      address: devnet.deployment.medLedger,
      abi: medLedgerAbi,
      eventName: 'AccessLogged',
      args: { patient: address('patient'), provider: address('doctor') },
      fromBlock: 0n,
    });
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.args.recordIds!.length, readable.length);
  });

  it('lets a lab with write scope add a result that the patient and the doctor can read', async () => {
    await grantAccess(vaults.patient, {
      provider: address('lab'),
      scopes: scopesFor([observation], { read: true, write: true }),
      expiry: inDays(30),
    });
    const keyring = await loadKeyring(vaults.lab, address('patient'));
    const [result] = await addRecords(
      vaults.lab,
      address('patient'),
      [
        {
          payload: {
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] },
              valueQuantity: { value: 6.1, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
            },
          },
        },
      ],
      { keyring },
    );
    const forPatient = await readRecords(vaults.patient, address('patient'));
    assert.ok(forPatient.find((record) => record.header.recordId === result!.recordId)?.ok);
    const forDoctor = await readRecords(vaults.doctor, address('patient'), { logAccess: false });
    assert.ok(forDoctor.find((record) => record.header.recordId === result!.recordId)?.ok);
  });

  it("logs a provider's reading session once: a repeated read logs nothing, a new record alone, another purpose anew", async () => {
    const storage = memoryBlobStorage();
    const session: Vault = { ...vaults.doctor, readLog: createReadLog(), cache: lruBlobCache(storage) };
    const accessLogs = async () =>
      (
        await vaults.patient.chain.publicClient.getContractEvents({
          address: devnet.deployment.medLedger,
          abi: medLedgerAbi,
          eventName: 'AccessLogged',
          args: { patient: address('patient'), provider: address('doctor') },
          fromBlock: 0n,
        })
      ).map((log) => ({ recordIds: [...log.args.recordIds!], purpose: log.args.purpose }));
    const before = (await accessLogs()).length;

    const first = await readRecords(session, address('patient'));
    const opened = first.filter((result) => result.ok).map((result) => result.header.recordId);
    assert.deepEqual((await accessLogs()).slice(before), [{ recordIds: opened, purpose: 1 }]);
    assert.ok(storage.blobs.size > 0, 'the envelopes read are cached');

    const again = await readRecords(session, address('patient'));
    assert.equal(again.filter((result) => result.ok).length, opened.length, 'the cached read opens the same records');
    assert.equal((await accessLogs()).length, before + 1, 'the same read again sends no transaction');

    const [added] = await addRecords(vaults.patient, address('patient'), [
      { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text: 'pulse' } } } },
    ]);
    await readRecords(session, address('patient'));
    assert.deepEqual((await accessLogs()).slice(before + 1), [{ recordIds: [added!.recordId], purpose: 1 }]);

    await readRecords(session, address('patient'), { purpose: purposeNamed('emergency')! });
    const emergency = (await accessLogs()).slice(before + 2);
    assert.deepEqual(emergency, [{ recordIds: [...opened, added!.recordId], purpose: 2 }]);
  });

  it('refuses a provider without write scope and leaves no pinned blob behind', async () => {
    const pinsBefore = await countPins(vaults.doctor);
    await assert.rejects(
      addRecords(vaults.doctor, address('patient'), [
        { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } } },
      ]),
      (error: unknown) => error instanceof TransactionError && /needs "write observation"/.test(error.message),
    );
    assert.equal(await countPins(vaults.doctor), pinsBefore);
  });

  it('after a revocation the doctor cannot open anything written later, while other grantees can', async () => {
    await grantAccess(vaults.patient, {
      provider: address('secondDoctor'),
      scopes: scopesFor([observation], { read: true }),
      expiry: inDays(30),
    });
    const oldKeyring = await loadKeyring(vaults.doctor, address('patient'));
    await revokeAccess(vaults.patient, address('doctor'));
    const [fresh] = await addRecords(vaults.patient, address('patient'), [
      { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text: 'after revoke' } } } },
    ]);
    await assert.rejects(readRecords(vaults.doctor, address('patient')), /may not list the records/);
    const envelope = await fetchVerified(vaults.doctor.ipfs, fresh!.cid, fresh!.ciphertextHash.slice(2));
    await assert.rejects(
      openRecord(envelope, { kek: oldKeyring.kek, identity: vaults.doctor.identity }),
      AccessDeniedError,
    );
    const forSecond = await readRecords(vaults.secondDoctor, address('patient'), { logAccess: false });
    assert.ok(forSecond.find((record) => record.header.recordId === fresh!.recordId)?.ok);
  });

  it('stops reading once a grant expires or the provider is suspended', async () => {
    const shortLived = Math.floor(Date.now() / 1000) + 3_600;
    const latest = await vaults.patient.chain.publicClient.getBlock();
    await grantAccess(vaults.patient, {
      provider: address('doctor'),
      scopes: readScope(observation),
      expiry: Math.max(shortLived, Number(latest.timestamp) + 3_600),
    });
    assert.ok((await readRecords(vaults.doctor, address('patient'), { logAccess: false })).some((r) => r.ok));
    const admin = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: devnet.deployment,
    });
    await writeMedLedger(admin, 'suspendProvider', [address('doctor')]);
    await assert.rejects(readRecords(vaults.doctor, address('patient')), /may not list the records/);
    await writeMedLedger(admin, 'reinstateProvider', [address('doctor')]);
    const testClient = createTestClient({ mode: 'hardhat', transport: http(devnet.rpcUrl) });
    await testClient.increaseTime({ seconds: 2 * 3_600 });
    await testClient.mine({ blocks: 1 });
    await assert.rejects(readRecords(vaults.doctor, address('patient')), /may not list the records/);
  });

  it("starts a new key epoch before the patient's next write while an ended grant still holds the current keys", async () => {
    // Continues from the expired grant above: the doctor still holds this epoch's keys.
    const patient = address('patient');
    const epochOf = async () => (await readMedLedger(vaults.patient.chain, 'patientInfo', [patient])).keyEpoch;
    const epochBefore = await epochOf();
    assert.deepEqual(await staleKeyHolders(vaults.patient, patient), [address('doctor')]);
    const expiredKeyring = await loadKeyring(vaults.doctor, patient);

    const steps: string[] = [];
    const note = (text: string) => ({
      payload: { resource: { resourceType: 'Observation' as const, status: 'final' as const, code: { text } } },
    });
    const [fresh] = await addRecords(vaults.patient, patient, [note('after expiry')], {
      onProgress: ({ step }) => steps.push(step),
    });
    assert.equal(steps[0], 'rotate');
    assert.equal(await epochOf(), epochBefore + 1);
    assert.deepEqual(await staleKeyHolders(vaults.patient, patient), []);
    const envelope = await fetchVerified(vaults.doctor.ipfs, fresh!.cid, fresh!.ciphertextHash.slice(2));
    await assert.rejects(
      openRecord(envelope, { kek: expiredKeyring.kek, identity: vaults.doctor.identity }),
      AccessDeniedError,
    );
    const forSecond = await readRecords(vaults.secondDoctor, patient, { logAccess: false });
    assert.ok(forSecond.find((record) => record.header.recordId === fresh!.recordId)?.ok);

    // Fresh keys: the next write sends no revocation.
    steps.length = 0;
    await addRecords(vaults.patient, patient, [note('second write')], { onProgress: ({ step }) => steps.push(step) });
    assert.ok(!steps.includes('rotate'));
    assert.equal(await epochOf(), epochBefore + 1);

    // A suspended provider's live keys count as stale too, until it is reinstated.
    const admin = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: devnet.deployment,
    });
    await writeMedLedger(admin, 'suspendProvider', [address('secondDoctor')]);
    assert.deepEqual(await staleKeyHolders(vaults.patient, patient), [address('secondDoctor')]);
    await writeMedLedger(admin, 'reinstateProvider', [address('secondDoctor')]);
    assert.deepEqual(await staleKeyHolders(vaults.patient, patient), []);
  });

  it('detects a CID swapped on-chain for another valid blob as an integrity failure', async () => {
    const [a, b] = await addRecords(vaults.otherPatient, address('otherPatient'), [
      { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text: 'a' } } } },
      { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text: 'b' } } } },
    ]);
    await writeMedLedger(vaults.otherPatient.chain, 'addRecord', [
      address('otherPatient'),
      cidToBytes(a!.cid),
      b!.ciphertextHash,
      observation,
      0n,
    ]);
    const report = await verifyRecords(vaults.otherPatient, address('otherPatient'));
    const swapped = report.at(-1)!;
    assert.equal(swapped.status, 'failed');
    assert.match(swapped.reason ?? '', /hash|ciphertext/i);
    assert.deepEqual(
      report.slice(0, -1).map((line) => line.status),
      report.slice(0, -1).map(() => 'ok'),
    );
  });

  it('stores a PDF as a DocumentReference whose encrypted attachment decrypts to the same bytes', async () => {
    const pdf = new TextEncoder().encode(`%PDF-1.4\n% discharge letter ${MARKER}\n%%EOF\n`);
    const { record } = await addFile(vaults.patient, address('patient'), { source: pdf, title: 'Discharge letter' });
    const results = await readRecords(vaults.patient, address('patient'));
    const opened = results.find((result) => result.header.recordId === record.recordId);
    assert.ok(opened?.ok && opened.header.category === document);
    const { attachment, bytes } = await openAttachment(vaults.patient, opened);
    assert.equal(attachment.contentType, 'application/pdf');
    assert.deepEqual(bytes, pdf);
  });

  it('stores records off-chain in upload order without anchoring them', async () => {
    const before = (await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount;
    const codes = Array.from({ length: 20 }, (_, index) => `code-${index}`);
    const stored = await storeRecords(
      vaults.patient,
      address('patient'),
      codes.map((text) => ({
        payload: { resource: { resourceType: 'Observation', status: 'final', code: { text } } },
      })),
    );
    const keys = { kek: patientKekResolver(vaults.patient.identity, address('patient')) };
    const opened = await Promise.all(
      stored.map(async ({ cid }) => openRecord(await fetchVerified(vaults.patient.ipfs, cid), keys)),
    );
    assert.deepEqual(
      opened.map(({ plaintext }) => (decodePayload(plaintext).resource as Observation).code.text),
      codes,
    );
    assert.equal((await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount, before);
  });

  it('sends no transaction when the IPFS node is down', async () => {
    const before = (await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount;
    const down: Vault = { ...vaults.patient, ipfs: createIpfsClient('http://127.0.0.1:9') };
    await assert.rejects(
      addRecords(down, address('patient'), [
        { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } } },
      ]),
      ServiceUnavailableError,
    );
    assert.equal((await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount, before);
  });

  it('erases a record with every version and its file: blocks deleted, other records untouched', async () => {
    const patient = address('patient');
    const observation = (text: string): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: { text },
    });
    const pdf = new TextEncoder().encode(`%PDF-1.4\n% scan to erase ${MARKER}\n%%EOF\n`);
    const { record: file, attachmentCid } = await addFile(vaults.patient, patient, { source: pdf, title: 'Scan' });
    const [first] = await addRecords(vaults.patient, patient, [{ payload: { resource: observation('erase v1') } }]);
    const [second] = await addRecords(vaults.patient, patient, [
      { payload: { resource: observation('erase v2') }, supersedes: { ...first!, version: first!.version } },
    ]);
    const [kept] = await addRecords(vaults.patient, patient, [{ payload: { resource: observation('kept') } }]);
    const pinsBefore = await countPins(vaults.patient);

    // An unknown id erases nothing at all, and a provider erases nothing of a patient's.
    await assert.rejects(eraseRecords(vaults.patient, [second!.recordId, 9_999n]), NotFoundError);
    await assert.rejects(eraseRecords(vaults.doctor, [second!.recordId]), AccessDeniedError);
    assert.equal(await countPins(vaults.patient), pinsBefore);

    // Asking for the correction erases the version it corrects too.
    const report = await eraseRecords(vaults.patient, [file.recordId, second!.recordId]);
    assert.deepEqual(report.recordIds, [file.recordId, first!.recordId, second!.recordId]);
    assert.deepEqual(new Set(report.unpinned), new Set([attachmentCid, file.cid, first!.cid, second!.cid]));
    assert.deepEqual([report.notPinned, report.unopened], [[], []]);
    assert.ok(report.blocksCollected! >= 4, `collected ${report.blocksCollected} blocks`);
    assert.equal(await countPins(vaults.patient), pinsBefore - 4);
    await assert.rejects(fetchVerified(vaults.patient.ipfs, attachmentCid), NotFoundError);

    const results = await readRecords(vaults.patient, patient);
    for (const id of report.recordIds) {
      const result = results.find(({ header }) => header.recordId === id);
      assert.ok(result && !result.ok && result.error instanceof NotFoundError, `record ${id} is gone`);
    }
    const survivor = results.find(({ header }) => header.recordId === kept!.recordId);
    assert.ok(survivor?.ok && (survivor.payload.resource as Observation).code.text === 'kept');

    // A retry (say, after a crash half-way) finishes the job without failing on what is gone.
    const again = await eraseRecords(vaults.patient, [first!.recordId], { collectGarbage: false });
    assert.deepEqual(again.recordIds, [first!.recordId, second!.recordId]);
    assert.deepEqual(again.unpinned, []);
    assert.deepEqual(again.notPinned, [first!.cid, second!.cid]);
    assert.deepEqual(again.unopened, [first!.cid, second!.cid]);
    assert.equal(again.blocksCollected, undefined);
  });

  it('never puts the marker text on-chain: no transaction input or log holds it, in text or hex', async () => {
    const client = vaults.patient.chain.publicClient;
    const head = await client.getBlockNumber();
    const needles = [MARKER, toHex(MARKER).slice(2), Buffer.from(MARKER).toString('base64')].map((s) =>
      s.toLowerCase(),
    );
    let scanned = 0;
    for (let number = 0n; number <= head; number++) {
      const block = await client.getBlock({ blockNumber: number, includeTransactions: true });
      for (const tx of block.transactions) {
        const receipt = await client.getTransactionReceipt({ hash: tx.hash });
        const haystack = [tx.input, ...receipt.logs.flatMap((log) => [log.data, ...log.topics])]
          .join(' ')
          .toLowerCase();
        for (const needle of needles) assert.ok(!haystack.includes(needle), `found the marker in ${tx.hash}`);
        scanned++;
      }
    }
    assert.ok(scanned > 20, `scanned ${scanned} transactions`);
  });
});

async function countPins(vault: Vault): Promise<number> {
  let count = 0;
  for await (const _pin of vault.ipfs.pin.ls()) count++;
  return count;
}
