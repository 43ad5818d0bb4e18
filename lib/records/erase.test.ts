import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Attachment, DocumentReference } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { RECORD_CATEGORIES, scopesFor, writeMedLedger } from '../chain';
import { ENCRYPTED_ATTACHMENT_URL } from '../fhir';
import { type TestSystem, addressOf as address, inDays, startTestSystem } from '../testing/system';
import {
  type AnchoredRecord,
  type OpenRecord,
  type Vault,
  addFile,
  addRecords,
  cidToBytes,
  eraseRecords,
  grantAccess,
  openAttachment,
  readRecords,
} from '.';

const { document } = RECORD_CATEGORIES;

/**
 * Erasure against hostile participants (issue 14, attack 4): a provider with write scope on a
 * patient's documents anchors records whose attachments, or whose envelope, are someone else's blobs.
 * The patient erasing such a record must not delete what it does not own.
 */
describe('eraseRecords against planted CIDs (devnet + embedded IPFS node)', () => {
  let system: TestSystem;
  let vaults: Record<'patient' | 'otherPatient' | 'lab', Vault>;
  const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`);

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
    ({ system, vaults } = (await startTestSystem({
      providers: [['lab', 'lab']],
      patients: ['patient', 'otherPatient'],
    })) as { system: TestSystem; vaults: typeof vaults });
    await grantAccess(vaults.patient, {
      provider: address('lab'),
      scopes: scopesFor([document], { write: true }),
      expiry: inDays(30),
    });
  });

  after(() => system.stop());

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
    // CIDs are public (RecordsAdded events); the lab needs no key to name them.
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
