import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { startDevnet, type Devnet } from '../../scripts/devnet';
import { IntegrityError, TransactionError } from '../errors';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import { RECORD_CATEGORIES, readScope } from './categories';
import { type ChainContext, connectChain } from './client';
import {
  grantsOf,
  listModels,
  listProviders,
  patientActivity,
  patientsOf,
  pendingRequests,
  providerActivity,
  requestsSent,
} from './activity';
import { readMedLedger, writeMedLedger, writeModelRegistry } from './medledger';
import { listRecordHeaders, sealBatch } from './records';

const cid = (label: string) => `0x01551220${keccak256(toHex(label)).slice(2)}` as const;
const hash = (label: string) => keccak256(toHex(`ciphertext ${label}`));

describe('lib/chain against a devnet', () => {
  let devnet: Devnet;
  let as: (key: `0x${string}`) => Promise<ChainContext>;
  const patient = privateKeyToAccount(DEVNET_KEYS.patient).address;
  const doctor = privateKeyToAccount(DEVNET_KEYS.doctor).address;

  before(async () => {
    devnet = await startDevnet();
    as = (privateKey) => connectChain({ rpcUrl: devnet.rpcUrl, privateKey, deployment: devnet.deployment });
    const admin = await as(DEVNET_KEYS.admin);
    const asPatient = await as(DEVNET_KEYS.patient);
    await writeMedLedger(asPatient, 'registerPatient', [keccak256(toHex('patient key')), cid('profile')]);
    await writeMedLedger(admin, 'registerProvider', [doctor, 1, keccak256(toHex('licence'))]);
  });

  after(async () => devnet.stop());

  it('reports each stage of a transaction and decodes a revert into a sentence', async () => {
    const asPatient = await as(DEVNET_KEYS.patient);
    await assert.rejects(
      writeMedLedger(asPatient, 'registerPatient', [keccak256(toHex('k')), cid('p')]),
      (error: unknown) => error instanceof TransactionError && /is already registered as a patient/.test(error.message),
    );
    const stages: string[] = [];
    await writeMedLedger(asPatient, 'addRecord', [patient, cid('r1'), hash('r1'), RECORD_CATEGORIES.observation, 0n], {
      onStage: (stage) => stages.push(stage.stage),
    });
    assert.deepEqual(stages, ['simulating', 'signing', 'pending', 'confirmed']);
  });

  it('lists record headers from events and proves them against storage', async () => {
    const asPatient = await as(DEVNET_KEYS.patient);
    await writeMedLedger(asPatient, 'addRecord', [patient, cid('r2'), hash('r2'), RECORD_CATEGORIES.condition, 0n]);
    const headers = await listRecordHeaders(asPatient, patient);
    assert.deepEqual(
      headers.map((header) => [header.recordId, header.category, header.cid]),
      [
        [1n, RECORD_CATEGORIES.observation, cid('r1')],
        [2n, RECORD_CATEGORIES.condition, cid('r2')],
      ],
    );
    const [digests, states] = await readMedLedger(asPatient, 'recordDigests', [patient, 1n, 10n]);
    // Each was appended alone: its digest holds its state byte (present | category), no packed states.
    assert.deepEqual(
      digests.map((digest) => BigInt(digest) | 0xffn),
      headers.map((header) => BigInt(sealBatch(header.batch)) | 0xffn),
    );
    assert.deepEqual(
      digests.map((digest) => Number(BigInt(digest) & 0xffn)),
      headers.map((header) => 0x20 | header.category),
    );
    assert.equal(states, '0x0000');
  });

  it('raises IntegrityError when events do not match what the contract stored', async () => {
    const asPatient = await as(DEVNET_KEYS.patient);
    // Skipping the blocks that hold the events leaves anchored records without headers.
    const blind = { ...asPatient, deployment: { ...asPatient.deployment, startBlock: 1_000_000 } };
    await assert.rejects(listRecordHeaders(blind, patient), IntegrityError);
  });

  it('refuses the record list to a provider without a read grant, then allows it once granted', async () => {
    const asDoctor = await as(DEVNET_KEYS.doctor);
    await assert.rejects(listRecordHeaders(asDoctor, patient), /may not list the records/);
    await writeMedLedger(asDoctor, 'requestAccess', [patient, readScope(RECORD_CATEGORIES.observation)]);
    const asPatient = await as(DEVNET_KEYS.patient);
    assert.equal(pendingRequests(await patientActivity(asPatient, patient)).length, 1);
    const expiry = Math.floor(Date.now() / 1000) + 86_400;
    await writeMedLedger(asPatient, 'grant', [
      doctor,
      readScope(RECORD_CATEGORIES.observation),
      expiry,
      cid('keyring'),
    ]);
    assert.equal((await listRecordHeaders(asDoctor, patient)).length, 2);
    const activity = await patientActivity(asPatient, patient);
    assert.deepEqual(pendingRequests(activity), []);
    const [access] = await grantsOf(asPatient, patient, activity);
    assert.equal(access?.provider, doctor);
    assert.equal(access?.active, true);
    assert.equal(access?.keyring, cid('keyring'));
  });

  it("folds a provider's consent events into its patients and requests", async () => {
    const asDoctor = await as(DEVNET_KEYS.doctor);
    const asOther = await as(DEVNET_KEYS.otherPatient);
    const otherPatient = asOther.account!;
    await writeMedLedger(asOther, 'registerPatient', [keccak256(toHex('other key')), cid('other profile')]);
    await writeMedLedger(asDoctor, 'requestAccess', [otherPatient, readScope(RECORD_CATEGORIES.condition)]);
    const activity = await providerActivity(asDoctor, doctor);
    assert.deepEqual(
      requestsSent(activity).map((request) => [request.patient, request.outcome]),
      [
        [patient, 'granted'],
        [otherPatient, 'pending'],
      ],
    );
    assert.deepEqual(
      (await patientsOf(asDoctor, doctor, activity)).map((grant) => [grant.patient, grant.status]),
      [[patient, 'active']],
    );
    await writeMedLedger(await as(DEVNET_KEYS.patient), 'revoke', [doctor]);
    const [revoked] = await patientsOf(asDoctor, doctor, await providerActivity(asDoctor, doctor));
    assert.equal(revoked?.status, 'revoked');
    assert.equal(revoked?.scopes, readScope(RECORD_CATEGORIES.observation));
  });

  it('lists registered providers and approved models with their current standing', async () => {
    const admin = await as(DEVNET_KEYS.admin);
    await writeMedLedger(admin, 'suspendProvider', [doctor]);
    assert.deepEqual(
      (await listProviders(admin)).map((provider) => [
        provider.provider,
        provider.kind,
        provider.suspended,
        provider.hasKey,
      ]),
      [[doctor, 1, true, false]],
    );
    await writeModelRegistry(admin, 'approveModel', [hash('model'), 'demo-model', 1, cid('card')]);
    await writeModelRegistry(admin, 'deprecateModel', [hash('model')]);
    assert.deepEqual(
      (await listModels(admin)).map((model) => [model.sha256Hash, model.name, model.version, model.deprecated]),
      [[hash('model'), 'demo-model', 1, true]],
    );
  });
});
