import { expect } from 'chai';

import {
  CONDITION,
  DOCUMENT,
  OBSERVATION,
  READ_OBSERVATION,
  cidOf,
  ethers,
  grantedFixture,
  hashOf,
  networkHelpers,
  recordsFixture,
  registeredFixture,
} from './fixtures';
import type { MedLedger } from '../../typechain-types';

const { loadFixture, time } = networkHelpers;

/** Rebuilds the sealed digests of a patient's records from RecordAdded events alone. */
async function sealedFromEvents(medLedger: MedLedger, patient: string): Promise<string[]> {
  const events = await medLedger.queryFilter(medLedger.filters.RecordAdded(patient));
  return Promise.all(
    events.map((event) => {
      const { recordId, author, category, supersedes, createdAt, ciphertextHash, cid } = event.args;
      return medLedger.sealHeader(patient, recordId, author, category, supersedes, createdAt, ciphertextHash, cid);
    }),
  );
}

describe('MedLedger records', function () {
  describe('seed step 3: addRecord', function () {
    it('appends a header as the patient and emits RecordAdded with the full header', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      const tx = medLedger.connect(patient).addRecord(patient.address, cidOf('a'), hashOf('a'), OBSERVATION, 0);
      const createdAt = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(createdAt);
      await expect(tx)
        .to.emit(medLedger, 'RecordAdded')
        .withArgs(patient.address, 1n, patient.address, OBSERVATION, 0n, createdAt, hashOf('a'), cidOf('a'));
      expect((await medLedger.patientInfo(patient.address)).recordCount).to.equal(1n);
    });

    it('lets a provider with write scope for the category append to the patient', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('lab'), hashOf('lab'), OBSERVATION, 0))
        .to.emit(medLedger, 'RecordAdded')
        .withArgs(patient.address, 1n, lab.address, OBSERVATION, 0n, anyTime, hashOf('lab'), cidOf('lab'));
    });

    it('reverts ScopeNotGranted for a provider without write scope for the category', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      const grant = await medLedger.grantOf(patient.address, lab.address);
      const writeCondition = 1n << BigInt(32 + CONDITION);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('x'), hashOf('x'), CONDITION, 0))
        .to.be.revertedWithCustomError(medLedger, 'ScopeNotGranted')
        .withArgs(patient.address, lab.address, writeCondition, grant.scopes);
    });

    it('reverts ProviderNotRegistered for anyone else', async function () {
      const { medLedger, patient, stranger } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(stranger).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
        .withArgs(stranger.address);
    });

    it('reverts NoGrant for a registered provider without a grant', async function () {
      const { medLedger, patient, insurer } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(insurer).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'NoGrant')
        .withArgs(patient.address, insurer.address);
    });

    it('reverts ConsentExpired for a provider whose grant expired', async function () {
      const { medLedger, patient, lab, expiry } = await loadFixture(grantedFixture);
      await time.increaseTo(expiry);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'ConsentExpired')
        .withArgs(patient.address, lab.address, expiry);
    });

    it('reverts ProviderIsSuspended for a suspended provider', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      await medLedger.suspendProvider(lab.address);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'ProviderIsSuspended')
        .withArgs(lab.address);
    });

    it('reverts PatientNotRegistered for an unregistered patient', async function () {
      const { medLedger, stranger } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(stranger).addRecord(stranger.address, cidOf('x'), hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });

    it('reverts InvalidCategory for a category of 32 or more', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).addRecord(patient.address, cidOf('x'), hashOf('x'), 32, 0))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCategory')
        .withArgs(32);
    });

    it('reverts InvalidCiphertextHash for a zero hash', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      await expect(
        medLedger.connect(patient).addRecord(patient.address, cidOf('x'), ethers.ZeroHash, OBSERVATION, 0),
      ).to.be.revertedWithCustomError(medLedger, 'InvalidCiphertextHash');
    });

    it('reverts InvalidCid for an empty CID', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).addRecord(patient.address, '0x', hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
        .withArgs(0n);
    });

    it('appends a correction that supersedes an earlier record of the same category', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 1))
        .to.emit(medLedger, 'RecordAdded')
        .withArgs(patient.address, 4n, patient.address, OBSERVATION, 1n, anyTime, hashOf('fix'), cidOf('fix'));
    });

    it('reverts InvalidSupersedes for a record that does not exist yet', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(patient).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 4))
        .to.be.revertedWithCustomError(medLedger, 'InvalidSupersedes')
        .withArgs(patient.address, 4n);
    });

    it('reverts InvalidSupersedes for a record of another category', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(patient).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 2))
        .to.be.revertedWithCustomError(medLedger, 'InvalidSupersedes')
        .withArgs(patient.address, 2n);
    });

    it('lets the patient correct a record a provider wrote', async function () {
      const { medLedger, patient, lab } = await loadFixture(recordsFixture);
      await medLedger.connect(lab).addRecord(patient.address, cidOf('lab'), hashOf('lab'), OBSERVATION, 0);
      await expect(
        medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 4),
      ).to.emit(medLedger, 'RecordAdded');
    });

    it('reverts NotRecordAuthor when a provider supersedes a record through addRecord', async function () {
      const { medLedger, patient, lab } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 1))
        .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
        .withArgs(patient.address, 1n, lab.address);
    });

    it('reverts RecordAlreadySuperseded for a second correction of the same version', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      await medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 1);
      await expect(medLedger.connect(patient).addRecord(patient.address, cidOf('again'), hashOf('again'), OBSERVATION, 1))
        .to.be.revertedWithCustomError(medLedger, 'RecordAlreadySuperseded')
        .withArgs(patient.address, 1n);
    });

    it('marks the corrected record with bit 7 of its stored digest, and changes nothing else', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      const [before] = await medLedger.connect(patient).recordDigests(patient.address, 1, 1);
      await medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 1);
      const [after] = await medLedger.connect(patient).recordDigests(patient.address, 1, 1);
      expect(BigInt(after!)).to.equal(BigInt(before!) | 0x80n);
    });
  });

  describe('correctRecord', function () {
    /** The lab's own observation (record 4) and the header that proves it wrote it. */
    async function labRecordFixture() {
      const fixture = await recordsFixture();
      const { medLedger, patient, lab } = fixture;
      await medLedger.connect(lab).addRecord(patient.address, cidOf('lab'), hashOf('lab'), OBSERVATION, 0);
      const [event] = await medLedger.queryFilter(medLedger.filters.RecordAdded(patient.address, 4n));
      const { supersedes, createdAt, ciphertextHash, cid } = event!.args;
      const prior = { supersedes, createdAt, ciphertextHash, cidHash: ethers.keccak256(cid) };
      const input = { cid: cidOf('lab fix'), ciphertextHash: hashOf('lab fix'), category: OBSERVATION, supersedes: 4n };
      return { ...fixture, prior, input };
    }

    it('lets the author correct its own record with its header as proof', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      await expect(medLedger.connect(lab).correctRecord(patient.address, input, prior))
        .to.emit(medLedger, 'RecordAdded')
        .withArgs(patient.address, 5n, lab.address, OBSERVATION, 4n, anyTime, hashOf('lab fix'), cidOf('lab fix'));
    });

    it('lets the patient correct through it without a proof', async function () {
      const { medLedger, patient, input } = await loadFixture(labRecordFixture);
      const none = { supersedes: 0n, createdAt: 0n, ciphertextHash: ethers.ZeroHash, cidHash: ethers.ZeroHash };
      await expect(medLedger.connect(patient).correctRecord(patient.address, input, none)).to.emit(medLedger, 'RecordAdded');
    });

    it('reverts NotRecordAuthor for a provider presenting another author’s header', async function () {
      const { medLedger, patient, lab, input } = await loadFixture(labRecordFixture);
      const [event] = await medLedger.queryFilter(medLedger.filters.RecordAdded(patient.address, 1n));
      const { supersedes, createdAt, ciphertextHash, cid } = event!.args;
      const claimed = { supersedes, createdAt, ciphertextHash, cidHash: ethers.keccak256(cid) };
      await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, supersedes: 1n }, claimed))
        .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
        .withArgs(patient.address, 1n, lab.address);
    });

    it('reverts NotRecordAuthor for a forged header', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      await expect(
        medLedger.connect(lab).correctRecord(patient.address, input, { ...prior, ciphertextHash: hashOf('forged') }),
      ).to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor');
    });

    it('reverts RecordAlreadySuperseded when the patient corrected the record first', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      await medLedger.connect(patient).addRecord(patient.address, cidOf('p fix'), hashOf('p fix'), OBSERVATION, 4);
      await expect(medLedger.connect(lab).correctRecord(patient.address, input, prior))
        .to.be.revertedWithCustomError(medLedger, 'RecordAlreadySuperseded')
        .withArgs(patient.address, 4n);
    });

    it('reverts InvalidSupersedes when nothing is corrected', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, supersedes: 0n }, prior))
        .to.be.revertedWithCustomError(medLedger, 'InvalidSupersedes')
        .withArgs(patient.address, 0n);
    });

    it('reverts InvalidCategory and ScopeNotGranted like addRecord', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      await expect(
        medLedger.connect(lab).correctRecord(patient.address, { ...input, category: 32 }, prior),
      ).to.be.revertedWithCustomError(medLedger, 'InvalidCategory');
      await expect(
        medLedger.connect(lab).correctRecord(patient.address, { ...input, category: CONDITION }, prior),
      ).to.be.revertedWithCustomError(medLedger, 'ScopeNotGranted');
    });
  });

  describe('addRecords', function () {
    it('appends a batch with consecutive ids, one RecordAdded each', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      const batch = [
        { cid: cidOf('b1'), ciphertextHash: hashOf('b1'), category: DOCUMENT, supersedes: 0 },
        { cid: cidOf('b2'), ciphertextHash: hashOf('b2'), category: DOCUMENT, supersedes: 4 },
      ];
      const tx = medLedger.connect(patient).addRecords(patient.address, batch);
      await expect(tx)
        .to.emit(medLedger, 'RecordAdded')
        .withArgs(patient.address, 4n, patient.address, DOCUMENT, 0n, anyTime, hashOf('b1'), cidOf('b1'));
      await expect(tx)
        .to.emit(medLedger, 'RecordAdded')
        .withArgs(patient.address, 5n, patient.address, DOCUMENT, 4n, anyTime, hashOf('b2'), cidOf('b2'));
      expect((await medLedger.patientInfo(patient.address)).recordCount).to.equal(5n);
    });

    it('lets a write-scoped provider append a batch', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      const batch = [{ cid: cidOf('l1'), ciphertextHash: hashOf('l1'), category: OBSERVATION, supersedes: 0 }];
      await expect(medLedger.connect(lab).addRecords(patient.address, batch)).to.emit(medLedger, 'RecordAdded');
    });

    it('reverts ScopeNotGranted when one record of the batch is outside the write scope', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      const batch = [
        { cid: cidOf('l1'), ciphertextHash: hashOf('l1'), category: OBSERVATION, supersedes: 0 },
        { cid: cidOf('l2'), ciphertextHash: hashOf('l2'), category: CONDITION, supersedes: 0 },
      ];
      await expect(medLedger.connect(lab).addRecords(patient.address, batch)).to.be.revertedWithCustomError(
        medLedger,
        'ScopeNotGranted',
      );
    });

    it('reverts EmptyBatch for no records', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).addRecords(patient.address, [])).to.be.revertedWithCustomError(
        medLedger,
        'EmptyBatch',
      );
    });

    it('reverts EmptyBatch for more than MAX_BATCH records', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      const input = { cid: cidOf('x'), ciphertextHash: hashOf('x'), category: OBSERVATION, supersedes: 0 };
      const batch = Array.from({ length: Number(await medLedger.MAX_BATCH()) + 1 }, () => input);
      await expect(medLedger.connect(patient).addRecords(patient.address, batch)).to.be.revertedWithCustomError(
        medLedger,
        'EmptyBatch',
      );
    });

    it('reverts InvalidCategory for a category of 32 or more', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      const batch = [{ cid: cidOf('x'), ciphertextHash: hashOf('x'), category: 40, supersedes: 0 }];
      await expect(medLedger.connect(patient).addRecords(patient.address, batch))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCategory')
        .withArgs(40);
    });
  });

  describe('seed step 6: recordDigests', function () {
    it('lets the patient verify every header rebuilt from events against chain storage', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      const stored = await medLedger.connect(patient).recordDigests(patient.address, 1, 100);
      expect(stored).to.have.length(3);
      expect(stored).to.deep.equal(await sealedFromEvents(medLedger, patient.address));
    });

    it('keeps the category in the low byte of each sealed digest', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      const stored = await medLedger.connect(patient).recordDigests(patient.address, 1, 3);
      expect(stored.map((digest) => Number(BigInt(digest) & 0xffn))).to.deep.equal([OBSERVATION, CONDITION, OBSERVATION]);
    });

    it('pages through the records and clips the last page', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      const all = await medLedger.connect(patient).recordDigests(patient.address, 1, 3);
      expect(await medLedger.connect(patient).recordDigests(patient.address, 1, 2)).to.deep.equal(all.slice(0, 2));
      expect(await medLedger.connect(patient).recordDigests(patient.address, 3, 2)).to.deep.equal(all.slice(2));
      expect(await medLedger.connect(patient).recordDigests(patient.address, 4, 2)).to.deep.equal([]);
      expect(await medLedger.connect(patient).recordDigests(patient.address, 0, 2)).to.deep.equal([]);
    });

    it('answers a provider holding a live read scope', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      expect(await medLedger.connect(doctor).recordDigests(patient.address, 1, 10)).to.have.length(3);
    });

    it('reverts RecordListDenied for someone without access', async function () {
      const { medLedger, patient, stranger } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(stranger).recordDigests(patient.address, 1, 10))
        .to.be.revertedWithCustomError(medLedger, 'RecordListDenied')
        .withArgs(patient.address, stranger.address);
    });

    it('reverts RecordListDenied for a provider whose grant was revoked', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      await medLedger.connect(patient).revoke(doctor.address);
      await expect(medLedger.connect(doctor).recordDigests(patient.address, 1, 10))
        .to.be.revertedWithCustomError(medLedger, 'RecordListDenied')
        .withArgs(patient.address, doctor.address);
    });

    it('reverts RecordListDenied for a provider with only write scope', async function () {
      const { medLedger, patient, insurer } = await loadFixture(recordsFixture);
      const writeOnly = 1n << BigInt(32 + OBSERVATION);
      await medLedger.connect(patient).grant(insurer.address, writeOnly, (await time.latest()) + 3600, '0x');
      await expect(medLedger.connect(insurer).recordDigests(patient.address, 1, 10))
        .to.be.revertedWithCustomError(medLedger, 'RecordListDenied')
        .withArgs(patient.address, insurer.address);
    });

    it('reverts RecordListDenied for a suspended provider and for an expired grant', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(recordsFixture);
      await medLedger.suspendProvider(doctor.address);
      await expect(medLedger.connect(doctor).recordDigests(patient.address, 1, 10)).to.be.revertedWithCustomError(
        medLedger,
        'RecordListDenied',
      );
      await medLedger.reinstateProvider(doctor.address);
      await time.increaseTo(expiry);
      await expect(medLedger.connect(doctor).recordDigests(patient.address, 1, 10)).to.be.revertedWithCustomError(
        medLedger,
        'RecordListDenied',
      );
    });

    it('reverts PatientNotRegistered when asked about someone who is not a patient', async function () {
      const { medLedger, stranger } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(stranger).recordDigests(stranger.address, 1, 10))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });
  });

  describe('logAccess', function () {
    it('logs which records a provider with read access opened, and why', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(doctor).logAccess(patient.address, [1n, 2n, 3n], 9))
        .to.emit(medLedger, 'AccessLogged')
        .withArgs(patient.address, doctor.address, [1n, 2n, 3n], 9);
    });

    it('reverts InvalidPurpose for purpose 0', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(doctor).logAccess(patient.address, [1n], 0))
        .to.be.revertedWithCustomError(medLedger, 'InvalidPurpose')
        .withArgs(0);
    });

    it('reverts ScopeNotGranted when a record is in a category the provider cannot read', async function () {
      const { medLedger, patient, lab } = await loadFixture(recordsFixture);
      const grant = await medLedger.grantOf(patient.address, lab.address);
      await expect(medLedger.connect(lab).logAccess(patient.address, [1n, 2n], 1))
        .to.be.revertedWithCustomError(medLedger, 'ScopeNotGranted')
        .withArgs(patient.address, lab.address, READ_OBSERVATION | (1n << BigInt(CONDITION)), grant.scopes);
    });

    it('reverts RecordNotFound for an id that does not exist', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(doctor).logAccess(patient.address, [9n], 1))
        .to.be.revertedWithCustomError(medLedger, 'RecordNotFound')
        .withArgs(patient.address, 9n);
    });

    it('reverts EmptyBatch for no ids', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(doctor).logAccess(patient.address, [], 1)).to.be.revertedWithCustomError(
        medLedger,
        'EmptyBatch',
      );
    });

    it('reverts EmptyBatch for more than MAX_BATCH ids', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      const ids = Array.from({ length: Number(await medLedger.MAX_BATCH()) + 1 }, () => 1n);
      await expect(medLedger.connect(doctor).logAccess(patient.address, ids, 1)).to.be.revertedWithCustomError(
        medLedger,
        'EmptyBatch',
      );
    });

    it('reverts NoGrant for a provider the patient never granted', async function () {
      const { medLedger, patient, insurer } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(insurer).logAccess(patient.address, [1n], 1))
        .to.be.revertedWithCustomError(medLedger, 'NoGrant')
        .withArgs(patient.address, insurer.address);
    });
  });
});

function anyTime(): boolean {
  return true;
}
