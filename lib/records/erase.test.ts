import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Attachment, DocumentReference } from '@medplum/fhirtypes';
import { keccak256, toHex, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { startDevnet, type Devnet } from '../../scripts/devnet';
import { RECORD_CATEGORIES, connectChain, scopesFor, writeMedLedger } from '../chain';
import { ENCRYPTED_ATTACHMENT_URL } from '../fhir';
import { createIpfsClient } from '../ipfs';
import { startIpfsNode, type RunningIpfsNode } from '../ipfs/node';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import {
  type AnchoredRecord,
  type OpenRecord,
  type Vault,
  addFile,
  addRecords,
  cidToBytes,
  enrollWallet,
  eraseRecords,
  grantAccess,
  openAttachment,
  publishProviderKey,
  readRecords,
  registerPatient,
} from '.';

const { document } = RECORD_CATEGORIES;

/**
 * Erasure against hostile participants (issue 14, attack 4): a provider with write scope on a
 * patient's documents anchors records whose attachments, or whose envelope, are someone else's blobs.
 * The patient erasing such a record must not delete what it does not own.
 */
describe('eraseRecords against planted CIDs (devnet + embedded IPFS node)', () => {
  let devnet: Devnet;
  let ipfsNode: RunningIpfsNode;
  let dataDir: string;
  const vaults = {} as Record<'patient' | 'otherPatient' | 'lab', Vault>;
  const address = (key: keyof typeof DEVNET_KEYS): Address => privateKeyToAccount(DEVNET_KEYS[key]).address;
  const inDays = (days: number) => Math.floor(Date.now() / 1000) + days * 86_400;
  const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`);

  async function vaultFor(key: keyof typeof vaults, role: 'patient' | 'provider'): Promise<Vault> {
    const chain = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS[key],
      deployment: devnet.deployment,
    });
    const { key: identity } = await enrollWallet(chain, { role });
    return { chain, ipfs: createIpfsClient(ipfsNode.apiUrl), identity };
  }

  async function pinned(cid: string): Promise<boolean> {
    for await (const pin of vaults.patient.ipfs.pin.ls({ type: 'recursive' })) {
      if (pin.cid.toString() === cid) return true;
    }
    return false;
  }

  async function readRecord(vault: Vault, patient: Address, recordId: bigint): Promise<OpenRecord> {
    const result = (await readRecords(vault, patient)).find(({ header }) => header.recordId === recordId);
    assert.ok(result?.ok, `record ${recordId} of ${patient} reads`);
    return result;
  }

  /** An attachment that claims to be a MedLedger-encrypted file at `cid`, as a hostile client writes it. */
  const encryptedAt = (cid: string): Attachment => ({
    contentType: 'application/pdf',
    url: `ipfs://${cid}`,
    extension: [
      {
        url: ENCRYPTED_ATTACHMENT_URL,
        extension: [
          { url: 'format', valueCode: 'MLFS/1' },
          { url: 'index', valueUnsignedInt: 0 },
        ],
      },
    ],
  });

  before(async () => {
    devnet = await startDevnet();
    dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-erase-'));
    ipfsNode = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    const admin = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: devnet.deployment,
    });
    await writeMedLedger(admin, 'registerProvider', [address('lab'), 2, keccak256(toHex('lab'))]);
    vaults.lab = await vaultFor('lab', 'provider');
    await publishProviderKey(vaults.lab);
    for (const key of ['patient', 'otherPatient'] as const) {
      vaults[key] = await vaultFor(key, 'patient');
      await registerPatient(vaults[key], { resourceType: 'Patient', name: [{ text: key }] });
    }
    await grantAccess(vaults.patient, {
      provider: address('lab'),
      scopes: scopesFor([document], { write: true }),
      expiry: inDays(30),
    });
  });

  after(async () => {
    await ipfsNode.stop();
    await devnet.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps another patient's record and the patient's other files when a planted DocumentReference names them", async () => {
    const patient = address('patient');
    const otherPatient = address('otherPatient');
    const { record: victim, attachmentCid: victimFile } = await addFile(vaults.otherPatient, otherPatient, {
      source: pdf('B: scan'),
      title: 'B scan',
    });
    const { record: ownFile, attachmentCid: ownAttachment } = await addFile(vaults.patient, patient, {
      source: pdf('A: other scan'),
      title: 'A scan',
    });
    // CIDs are public (RecordAdded events); the lab needs no key to name them.
    const planted: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      subject: { reference: `Patient/${patient}` },
      content: [victim.cid, victimFile, ownAttachment].map((cid) => ({ attachment: encryptedAt(cid) })),
    };
    const [plantedRecord] = await addRecords(vaults.lab, patient, [{ payload: { resource: planted } }]);

    const report = await eraseRecords(vaults.patient, [plantedRecord!.recordId]);

    for (const cid of [victim.cid, victimFile, ownAttachment]) assert.ok(await pinned(cid), `${cid} is still pinned`);
    const stillThere = await readRecord(vaults.otherPatient, otherPatient, victim.recordId);
    assert.match(new TextDecoder().decode((await openAttachment(vaults.otherPatient, stillThere)).bytes), /B: scan/);
    const own = await readRecord(vaults.patient, patient, ownFile.recordId);
    assert.match(new TextDecoder().decode((await openAttachment(vaults.patient, own)).bytes), /A: other scan/);

    assert.deepEqual(report.unpinned, [plantedRecord!.cid]);
    assert.deepEqual(
      report.refused.map(({ cid }) => cid),
      [victim.cid, victimFile, ownAttachment],
    );
    assert.match(report.refused[0]!.reason, /bad magic bytes/);
    assert.match(report.refused[1]!.reason, /patient/);
    assert.match(report.refused[2]!.reason, /recordUid/);
    assert.equal(await pinned(plantedRecord!.cid), false);
  });

  it("keeps a blob whose CID a provider anchored as a record of this patient's: another patient's or a live record's", async () => {
    const patient = address('patient');
    const otherPatient = address('otherPatient');
    const { record: victim } = await addFile(vaults.otherPatient, otherPatient, {
      source: pdf('B: x-ray'),
      title: 'B',
    });
    const { record: ownFile, attachmentCid: ownAttachment } = await addFile(vaults.patient, patient, {
      source: pdf('A: x-ray'),
      title: 'A',
    });
    // A modified client anchors existing envelopes directly: the contract checks the CID's length only.
    const anchorCopy = async (record: AnchoredRecord) => {
      await writeMedLedger(vaults.lab.chain, 'addRecord', [
        patient,
        cidToBytes(record.cid),
        record.ciphertextHash,
        document,
        0n,
      ]);
      const copies = (await readRecords(vaults.patient, patient)).filter(({ cid }) => cid === record.cid);
      return copies.at(-1)!.header.recordId;
    };
    const foreignCopy = await anchorCopy(victim);
    const ownCopy = await anchorCopy(ownFile);

    const report = await eraseRecords(vaults.patient, [foreignCopy, ownCopy]);

    for (const cid of [victim.cid, ownFile.cid, ownAttachment]) assert.ok(await pinned(cid), `${cid} is still pinned`);
    await readRecord(vaults.otherPatient, otherPatient, victim.recordId);
    const own = await readRecord(vaults.patient, patient, ownFile.recordId);
    assert.match(new TextDecoder().decode((await openAttachment(vaults.patient, own)).bytes), /A: x-ray/);
    assert.deepEqual(report.unpinned, []);
    assert.deepEqual(new Set(report.refused.map(({ cid }) => cid)), new Set([victim.cid, ownFile.cid, ownAttachment]));
    const reasons = new Map(report.refused.map(({ cid, reason }) => [cid, reason]));
    assert.match(reasons.get(victim.cid)!, /patient/);
    assert.match(reasons.get(ownFile.cid)!, new RegExp(`record #${ownFile.recordId} .*not being erased`));
    assert.match(reasons.get(ownAttachment)!, new RegExp(`record #${ownFile.recordId} .*not being erased`));
  });

  it("still erases the patient's own files, a provider's file and a correction that keeps its predecessor's file", async () => {
    const patient = address('patient');
    const { record: original, attachmentCid: sharedFile } = await addFile(vaults.patient, patient, {
      source: pdf('A: report v1'),
      title: 'Report',
    });
    const opened = await readRecord(vaults.patient, patient, original.recordId);
    const corrected = { ...(opened.payload.resource as DocumentReference), description: 'corrected title' };
    // The correction points at the same encrypted file, sealed for version 1 under version 1's key.
    const [correction] = await addRecords(vaults.patient, patient, [
      {
        payload: { resource: corrected },
        supersedes: { recordId: original.recordId, recordUid: original.recordUid, version: original.version },
        dataKey: opened.dataKey,
      },
    ]);
    const { record: labFile, attachmentCid: labAttachment } = await addFile(vaults.lab, patient, {
      source: pdf('lab: result'),
      title: 'Lab result',
    });

    const report = await eraseRecords(vaults.patient, [correction!.recordId, labFile.recordId]);

    assert.deepEqual(report.refused, []);
    assert.deepEqual(report.recordIds, [original.recordId, correction!.recordId, labFile.recordId]);
    assert.deepEqual(
      new Set(report.unpinned),
      new Set([sharedFile, labAttachment, original.cid, correction!.cid, labFile.cid]),
    );
    for (const cid of report.unpinned) assert.equal(await pinned(cid), false, `${cid} is unpinned`);
  });
});
