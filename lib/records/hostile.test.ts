/**
 * Hostile participants against the real devnet and embedded IPFS node: each test is an attack a
 * provider could mount on today's rules (issue 14), and each must fail. Every one of them succeeded
 * before the fix it guards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Condition, Observation } from '@medplum/fhirtypes';

import {
  RECORD_CATEGORIES,
  type RecordHeader,
  listRecordHeaders,
  readMedLedger,
  recordHeader,
  scopesFor,
  writeMedLedger,
} from '../chain';
import { openRecord } from '../crypto';
import { AccessDeniedError, IntegrityError, TransactionError } from '../errors';
import { fetchVerified } from '../ipfs';
import { type TestSystem, addressOf as address, inDays, startTestSystem } from '../testing/system';
import {
  type Vault,
  addRecords,
  grantAccess,
  loadKeyring,
  readRecords,
  revokeAccess,
  signConsent,
  submitConsent,
} from '.';

const { observation, condition } = RECORD_CATEGORIES;

/** The authorship proof `correctRecord` takes: the batch that anchored `header`. */
const proofOf = ({ batch }: RecordHeader) => ({ firstId: batch.firstId, createdAt: batch.createdAt, headers: batch.headers });

const hba1c = (value: number): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
  valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
});

const diagnosis = (text: string): Condition => ({
  resourceType: 'Condition',
  code: { text },
  subject: { reference: 'Patient/p' },
});

describe('hostile participants (devnet + embedded IPFS node)', () => {
  let system: TestSystem;
  let vaults: Record<'patient' | 'otherPatient' | 'doctor' | 'lab' | 'secondDoctor', Vault>;

  /** The newest HbA1c values a reader shows the patient: superseded versions hidden. */
  async function currentHba1c(vault: Vault): Promise<number[]> {
    const results = await readRecords(vault, address('patient'), { logAccess: false });
    return results.flatMap((result) =>
      result.ok && !result.superseded && result.payload.resource.resourceType === 'Observation'
        ? [(result.payload.resource as Observation).valueQuantity?.value ?? NaN]
        : [],
    );
  }

  before(async () => {
    ({ system, vaults } = (await startTestSystem({
      providers: [
        ['doctor', 'doctor'],
        ['lab', 'lab'],
        ['secondDoctor', 'doctor'],
      ],
      patients: ['patient', 'otherPatient'],
    })) as { system: TestSystem; vaults: typeof vaults });
  });

  after(() => system.stop());

  it('attack 1: a narrowed grant leaves the doctor no key to conditions written afterwards', async () => {
    const patient = address('otherPatient');
    const both = scopesFor([observation, condition], { read: true });
    await grantAccess(vaults.otherPatient, { provider: address('doctor'), scopes: both, expiry: inDays(30) });
    await grantAccess(vaults.otherPatient, { provider: address('secondDoctor'), scopes: both, expiry: inDays(30) });
    const firstKeyring = await loadKeyring(vaults.doctor, patient);

    const narrowed = await grantAccess(vaults.otherPatient, {
      provider: address('doctor'),
      scopes: scopesFor([observation], { read: true }),
      expiry: inDays(30),
    });
    assert.deepEqual(narrowed, { newEpoch: true, reshared: [address('secondDoctor')] });
    const [newDiagnosis, newResult] = await addRecords(vaults.otherPatient, patient, [
      { payload: { resource: diagnosis('written after the doctor lost condition access') } },
      { payload: { resource: hba1c(6.4) } },
    ]);

    const envelope = await fetchVerified(vaults.doctor.ipfs, newDiagnosis!.cid, newDiagnosis!.ciphertextHash.slice(2));
    const doctorKeys = { kek: firstKeyring.kek, identity: vaults.doctor.identity };
    await assert.rejects(openRecord(envelope, doctorKeys), AccessDeniedError);
    const latestKeyring = await loadKeyring(vaults.doctor, patient);
    await assert.rejects(
      openRecord(envelope, { kek: latestKeyring.kek, identity: vaults.doctor.identity }),
      AccessDeniedError,
    );

    const forDoctor = await readRecords(vaults.doctor, patient, { logAccess: false });
    assert.ok(
      forDoctor.find((record) => record.header.recordId === newResult!.recordId)?.ok,
      'kept category still reads',
    );
    const forSecond = await readRecords(vaults.secondDoctor, patient, { logAccess: false });
    assert.ok(
      forSecond.find((record) => record.header.recordId === newDiagnosis!.recordId)?.ok,
      'others got the new keys',
    );
  });

  it('attack 2: a consent signed before a revocation cannot bring the doctor back', async () => {
    const patient = address('patient');
    const terms = { provider: address('doctor'), scopes: scopesFor([observation], { read: true }), expiry: inDays(30) };
    const saved = await signConsent(vaults.patient, terms, inDays(7));
    await grantAccess(vaults.patient, terms);
    await revokeAccess(vaults.patient, address('doctor'));

    await assert.rejects(
      submitConsent(vaults.doctor, saved),
      (error: unknown) =>
        error instanceof TransactionError && /revoked .* after signing this consent/.test(error.message),
    );
    assert.equal(
      await readMedLedger(vaults.doctor.chain, 'hasAccess', [patient, address('doctor'), terms.scopes]),
      false,
    );

    const fresh = await signConsent(vaults.patient, terms, inDays(7));
    await submitConsent(vaults.doctor, fresh);
    assert.equal(
      await readMedLedger(vaults.doctor.chain, 'hasAccess', [patient, address('doctor'), terms.scopes]),
      true,
    );
  });

  it('attack 3: a lab cannot roll back the patient’s correction or bury it under a replay', async () => {
    const patient = address('patient');
    await grantAccess(vaults.patient, {
      provider: address('lab'),
      scopes: scopesFor([observation], { read: true, write: true }),
      expiry: inDays(30),
    });
    const keyring = await loadKeyring(vaults.lab, patient);
    const [wrong] = await addRecords(vaults.lab, patient, [{ payload: { resource: hba1c(9.1) } }], { keyring });
    const [corrected] = await addRecords(vaults.patient, patient, [
      {
        payload: { resource: hba1c(5.2) },
        supersedes: { recordId: wrong!.recordId, recordUid: wrong!.recordUid, version: 1 },
      },
    ]);
    assert.deepEqual(await currentHba1c(vaults.patient), [5.2]);

    // The lab re-anchors its 9.1 ciphertext as a "correction" of the patient's 5.2.
    const wrongHeader = await recordHeader(vaults.lab.chain, patient, wrong!.recordId);
    await assert.rejects(
      writeMedLedger(vaults.lab.chain, 'addRecord', [
        patient,
        wrongHeader.cid,
        wrongHeader.ciphertextHash,
        observation,
        corrected!.recordId,
      ]),
      (error: unknown) =>
        error instanceof TransactionError && /only the patient or the record's author/.test(error.message),
    );
    // Claiming authorship with the header of the patient's record does not help.
    const correctedHeader = await recordHeader(vaults.lab.chain, patient, corrected!.recordId);
    const claimed = proofOf(correctedHeader);
    const input = {
      cid: wrongHeader.cid,
      ciphertextHash: wrongHeader.ciphertextHash,
      category: observation,
      supersedes: corrected!.recordId,
    };
    await assert.rejects(
      writeMedLedger(vaults.lab.chain, 'correctRecord', [patient, input, claimed]),
      (error: unknown) => error instanceof TransactionError && /did not write record/.test(error.message),
    );
    // Nor does correcting its own, already corrected record a second time (a fork beside the patient's).
    const ownHeader = proofOf(wrongHeader);
    await assert.rejects(
      writeMedLedger(vaults.lab.chain, 'correctRecord', [
        patient,
        { ...input, supersedes: wrong!.recordId },
        ownHeader,
      ]),
      (error: unknown) => error instanceof TransactionError && /already corrected/.test(error.message),
    );
    assert.deepEqual(await currentHba1c(vaults.patient), [5.2]);
  });

  it('attack 3, read side: re-anchored ciphertext hides nothing, even where the chain lets the author correct', async () => {
    const patient = address('patient');
    const keyring = await loadKeyring(vaults.lab, patient);
    const [own] = await addRecords(vaults.lab, patient, [{ payload: { resource: hba1c(7.7) } }], { keyring });
    const header = await recordHeader(vaults.lab.chain, patient, own!.recordId);
    // The lab may correct its own newest record on-chain, but the "correction" is its old ciphertext.
    await writeMedLedger(vaults.lab.chain, 'correctRecord', [
      patient,
      { cid: header.cid, ciphertextHash: header.ciphertextHash, category: observation, supersedes: own!.recordId },
      proofOf(header),
    ]);
    const results = await readRecords(vaults.patient, patient);
    const original = results.find((result) => result.header.recordId === own!.recordId);
    const replayed = results.find((result) => result.header.supersedes === own!.recordId);
    assert.ok(original?.ok && !original.superseded, 'the original stays current');
    assert.ok(replayed && !replayed.ok && replayed.error instanceof IntegrityError);
    assert.match(replayed.error.message, /re-anchors the ciphertext of record/);
    assert.deepEqual((await currentHba1c(vaults.patient)).sort(), [5.2, 7.7]);
    assert.equal((await listRecordHeaders(vaults.patient.chain, patient)).length, results.length);
  });

  it('attack 3, read side: a correction whose envelope belongs to another record hides nothing', async () => {
    const patient = address('patient');
    const keyring = await loadKeyring(vaults.lab, patient);
    const [first, second] = await addRecords(
      vaults.lab,
      patient,
      [{ payload: { resource: hba1c(8.8) } }, { payload: { resource: hba1c(6.6) } }],
      { keyring },
    );
    // A fresh envelope, but sealed as version 1 of an unrelated record, anchored as a correction of `first`.
    const [stray] = await addRecords(
      vaults.lab,
      patient,
      [
        {
          payload: { resource: hba1c(4.0) },
          supersedes: { recordId: first!.recordId, recordUid: second!.recordUid, version: 0 },
        },
      ],
      { keyring },
    );
    const results = await readRecords(vaults.patient, patient);
    const original = results.find((result) => result.header.recordId === first!.recordId);
    const refused = results.find((result) => result.header.recordId === stray!.recordId);
    assert.ok(original?.ok && !original.superseded);
    assert.ok(refused && !refused.ok && /not version 2 of it/.test(refused.error.message));
  });
});
