import { expect } from 'chai';

import {
  CONDITION,
  DOCUMENT,
  OBSERVATION,
  READ_CONDITION,
  READ_OBSERVATION,
  WRITE_OBSERVATION,
  cidOf,
  ethers,
  grantedFixture,
  hashOf,
  networkHelpers,
  recordsFixture,
  registeredFixture,
} from './fixtures';
import {
  BATCH,
  PRESENT,
  SUPERSEDED,
  type RecordHeader,
  packHeader,
  packHeaders,
  priorBatchOf,
  verifiedHistory,
} from './history';

const { loadFixture, time } = networkHelpers;

const WRITE_CONDITION = 1n << BigInt(32 + CONDITION);
const WRITE_DOCUMENT = 1n << BigInt(32 + DOCUMENT);
const READ_DOCUMENT = 1n << BigInt(DOCUMENT);

/** A record header for `addRecords`, with a CID and hash unique to `label`. */
function header(label: string, category: number, supersedes: bigint | number = 0n): RecordHeader {
  return { category, supersedes, ciphertextHash: hashOf(label), cid: cidOf(label) };
}

/** `count` observations labelled `prefix 0`, `prefix 1`, …, none superseding anything. */
function observations(prefix: string, count: number): RecordHeader[] {
  return Array.from({ length: count }, (_, i) => header(`${prefix} ${i}`, OBSERVATION));
}

/** The timestamp the next transaction gets, fixed so events can be matched exactly. */
async function nextTimestamp(): Promise<bigint> {
  const at = BigInt(await time.latest()) + 1n;
  await time.setNextBlockTimestamp(at);
  return at;
}

describe('MedLedger records', function () {
  describe('seed step 3: addRecord', function () {
    it('appends a header as the patient and emits RecordsAdded with it packed', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      const createdAt = await nextTimestamp();
      await expect(medLedger.connect(patient).addRecord(patient.address, cidOf('a'), hashOf('a'), OBSERVATION, 0))
        .to.emit(medLedger, 'RecordsAdded')
        .withArgs(patient.address, 1n, patient.address, createdAt, packHeader(header('a', OBSERVATION)));
      expect((await medLedger.patientInfo(patient.address)).recordCount).to.equal(1n);
    });

    it('returns the new record id', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      expect(
        await medLedger.connect(patient).addRecord.staticCall(patient.address, cidOf('a'), hashOf('a'), OBSERVATION, 0),
      ).to.equal(4n);
    });

    it('lets a provider with write scope for the category append to the patient', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      const createdAt = await nextTimestamp();
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('lab'), hashOf('lab'), OBSERVATION, 0))
        .to.emit(medLedger, 'RecordsAdded')
        .withArgs(patient.address, 1n, lab.address, createdAt, packHeader(header('lab', OBSERVATION)));
    });

    it('stores the seal with the state byte (present | category) as its low byte and no packed state', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      const createdAt = await nextTimestamp();
      await medLedger.connect(patient).addRecord(patient.address, cidOf('a'), hashOf('a'), CONDITION, 0);
      const [[digest], states] = await medLedger.connect(patient).recordDigests(patient.address, 1n, 1n);
      const sealed = await medLedger.sealBatch(
        patient.address,
        1n,
        patient.address,
        createdAt,
        packHeader(header('a', CONDITION)),
      );
      expect(BigInt(digest!)).to.equal(BigInt(sealed) | BigInt(PRESENT | CONDITION));
      expect(states).to.equal('0x00');
    });

    it('reverts ScopeNotGranted for a provider without write scope for the category', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      const grant = await medLedger.grantOf(patient.address, lab.address);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('x'), hashOf('x'), CONDITION, 0))
        .to.be.revertedWithCustomError(medLedger, 'ScopeNotGranted')
        .withArgs(patient.address, lab.address, WRITE_CONDITION, grant.scopes);
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

    it('reverts InvalidCid for an empty CID and for one longer than MAX_CID_LENGTH', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).addRecord(patient.address, '0x', hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
        .withArgs(0n);
      const long = ethers.hexlify(new Uint8Array(129).fill(1));
      await expect(medLedger.connect(patient).addRecord(patient.address, long, hashOf('x'), OBSERVATION, 0))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
        .withArgs(129n);
    });

    it('appends a correction that supersedes an earlier record of the same category', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 1))
        .to.emit(medLedger, 'RecordsAdded')
        .withArgs(patient.address, 4n, patient.address, anyTime, packHeader(header('fix', OBSERVATION, 1n)));
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
      ).to.emit(medLedger, 'RecordsAdded');
    });

    it('reverts NotRecordAuthor when a provider supersedes a record through addRecord', async function () {
      const { medLedger, patient, lab } = await loadFixture(recordsFixture);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 1))
        .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
        .withArgs(patient.address, 1n, lab.address);
    });

    it('reverts NotRecordAuthor even for a provider superseding its own record through addRecord', async function () {
      const { medLedger, patient, lab } = await loadFixture(recordsFixture);
      await medLedger.connect(lab).addRecord(patient.address, cidOf('lab'), hashOf('lab'), OBSERVATION, 0);
      await expect(medLedger.connect(lab).addRecord(patient.address, cidOf('x'), hashOf('x'), OBSERVATION, 4))
        .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
        .withArgs(patient.address, 4n, lab.address);
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
      const [[before]] = await medLedger.connect(patient).recordDigests(patient.address, 1, 1);
      await medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 1);
      const [[after], states] = await medLedger.connect(patient).recordDigests(patient.address, 1, 1);
      expect(BigInt(after!)).to.equal(BigInt(before!) | BigInt(SUPERSEDED));
      expect(states).to.equal('0x00');
    });
  });

  describe('correctRecord', function () {
    /** The lab's own observation (record 4) and the batch that proves it wrote it. */
    async function labRecordFixture() {
      const fixture = await recordsFixture();
      const { medLedger, patient, lab } = fixture;
      await medLedger.connect(lab).addRecord(patient.address, cidOf('lab'), hashOf('lab'), OBSERVATION, 0);
      const prior = await priorBatchOf(medLedger, patient.address, 4n);
      const input = { cid: cidOf('lab fix'), ciphertextHash: hashOf('lab fix'), category: OBSERVATION, supersedes: 4n };
      return { ...fixture, prior, input };
    }

    /** The lab wrote records 4-6 (observations) in one addRecords batch. */
    async function labBatchFixture() {
      const fixture = await recordsFixture();
      const { medLedger, patient, lab } = fixture;
      await medLedger.connect(lab).addRecords(patient.address, packHeaders(observations('lab batch', 3)));
      const prior = await priorBatchOf(medLedger, patient.address, 5n);
      const input = { cid: cidOf('lab fix'), ciphertextHash: hashOf('lab fix'), category: OBSERVATION, supersedes: 5n };
      return { ...fixture, prior, input };
    }

    const noProof = { firstId: 0n, createdAt: 0n, headers: '0x' };

    it('lets the author correct its own record with the batch holding it as proof', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      const createdAt = await nextTimestamp();
      await expect(medLedger.connect(lab).correctRecord(patient.address, input, prior))
        .to.emit(medLedger, 'RecordsAdded')
        .withArgs(patient.address, 5n, lab.address, createdAt, packHeader(header('lab fix', OBSERVATION, 4n)));
      const history = await verifiedHistory(medLedger, patient.address, patient);
      expect(history.map((record) => record.superseded)).to.deep.equal([false, false, false, true, false]);
    });

    it('returns the new record id', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      expect(await medLedger.connect(lab).correctRecord.staticCall(patient.address, input, prior)).to.equal(5n);
    });

    it('lets the patient correct through it without a proof', async function () {
      const { medLedger, patient, input } = await loadFixture(labRecordFixture);
      await expect(medLedger.connect(patient).correctRecord(patient.address, input, noProof)).to.emit(
        medLedger,
        'RecordsAdded',
      );
    });

    it('reverts NotRecordAuthor for a provider presenting another author’s batch', async function () {
      const { medLedger, patient, lab, input } = await loadFixture(labRecordFixture);
      const claimed = await priorBatchOf(medLedger, patient.address, 1n);
      await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, supersedes: 1n }, claimed))
        .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
        .withArgs(patient.address, 1n, lab.address);
    });

    it('reverts NotRecordAuthor for forged headers', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      const forged = packHeader(header('forged', OBSERVATION));
      await expect(medLedger.connect(lab).correctRecord(patient.address, input, { ...prior, headers: forged }))
        .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
        .withArgs(patient.address, 4n, lab.address);
    });

    it('reverts NotRecordAuthor for a proof naming an id that starts no batch', async function () {
      const { medLedger, patient, lab, input } = await loadFixture(labBatchFixture);
      const inside = { firstId: 5n, createdAt: 0n, headers: packHeader(header('lab batch 1', OBSERVATION)) };
      await expect(medLedger.connect(lab).correctRecord(patient.address, input, inside))
        .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
        .withArgs(patient.address, 5n, lab.address);
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

    it('reverts InvalidSupersedes when the patient names a record that does not exist yet', async function () {
      const { medLedger, patient, input } = await loadFixture(labRecordFixture);
      await expect(medLedger.connect(patient).correctRecord(patient.address, { ...input, supersedes: 5n }, noProof))
        .to.be.revertedWithCustomError(medLedger, 'InvalidSupersedes')
        .withArgs(patient.address, 5n);
    });

    it('reverts InvalidCategory and ScopeNotGranted like addRecord', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, category: 32 }, prior))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCategory')
        .withArgs(32);
      const grant = await medLedger.grantOf(patient.address, lab.address);
      await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, category: CONDITION }, prior))
        .to.be.revertedWithCustomError(medLedger, 'ScopeNotGranted')
        .withArgs(patient.address, lab.address, WRITE_CONDITION, grant.scopes);
    });

    it('reverts InvalidCid and InvalidCiphertextHash like addRecord', async function () {
      const { medLedger, patient, lab, prior, input } = await loadFixture(labRecordFixture);
      await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, cid: '0x' }, prior))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
        .withArgs(0n);
      await expect(
        medLedger.connect(lab).correctRecord(patient.address, { ...input, ciphertextHash: ethers.ZeroHash }, prior),
      ).to.be.revertedWithCustomError(medLedger, 'InvalidCiphertextHash');
    });

    describe('of a record inside an addRecords batch', function () {
      it('accepts the batch as its RecordsAdded event tells it', async function () {
        const { medLedger, patient, lab, prior, input } = await loadFixture(labBatchFixture);
        await expect(medLedger.connect(lab).correctRecord(patient.address, input, prior))
          .to.emit(medLedger, 'RecordsAdded')
          .withArgs(patient.address, 7n, lab.address, anyTime, packHeader(header('lab fix', OBSERVATION, 5n)));
        const history = await verifiedHistory(medLedger, patient.address, patient);
        expect(history.filter((record) => record.superseded).map((record) => record.id)).to.deep.equal([5n]);
      });

      it('accepts corrections of its first and last records too', async function () {
        const { medLedger, patient, lab, prior, input } = await loadFixture(labBatchFixture);
        await medLedger.connect(lab).correctRecord(patient.address, { ...input, supersedes: 4n }, prior);
        await medLedger.connect(lab).correctRecord(patient.address, { ...input, supersedes: 6n }, prior);
        const history = await verifiedHistory(medLedger, patient.address, patient);
        expect(history.filter((record) => record.superseded).map((record) => record.id)).to.deep.equal([4n, 6n]);
      });

      it('reverts NotRecordAuthor for a batch another account wrote', async function () {
        const { medLedger, patient, lab, input } = await loadFixture(labBatchFixture);
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(observations('patient batch', 2)));
        const patientBatch = await priorBatchOf(medLedger, patient.address, 7n);
        await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, supersedes: 8n }, patientBatch))
          .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
          .withArgs(patient.address, 8n, lab.address);
      });

      it('reverts NotRecordAuthor for a wrong createdAt', async function () {
        const { medLedger, patient, lab, prior, input } = await loadFixture(labBatchFixture);
        await expect(
          medLedger.connect(lab).correctRecord(patient.address, input, { ...prior, createdAt: prior.createdAt - 1n }),
        )
          .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
          .withArgs(patient.address, 5n, lab.address);
      });

      it('reverts NotRecordAuthor for tampered headers', async function () {
        const { medLedger, patient, lab, prior, input } = await loadFixture(labBatchFixture);
        const tampered = packHeaders([...observations('lab batch', 2), header('lab batch 2', CONDITION)]);
        await expect(medLedger.connect(lab).correctRecord(patient.address, input, { ...prior, headers: tampered }))
          .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
          .withArgs(patient.address, 5n, lab.address);
      });

      it('reverts NotRecordAuthor for a record id outside the batch', async function () {
        const { medLedger, patient, lab, prior, input } = await loadFixture(labBatchFixture);
        await medLedger.connect(lab).addRecord(patient.address, cidOf('lab 7'), hashOf('lab 7'), OBSERVATION, 0);
        for (const outside of [3n, 7n]) {
          await expect(medLedger.connect(lab).correctRecord(patient.address, { ...input, supersedes: outside }, prior))
            .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
            .withArgs(patient.address, outside, lab.address);
        }
      });
    });
  });

  describe('addRecords', function () {
    it('appends a batch with consecutive ids and one RecordsAdded carrying every header packed', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      const batch = [header('b1', DOCUMENT), header('b2', DOCUMENT, 4n), header('b3', OBSERVATION)];
      const createdAt = await nextTimestamp();
      const tx = medLedger.connect(patient).addRecords(patient.address, packHeaders(batch));
      await expect(tx)
        .to.emit(medLedger, 'RecordsAdded')
        .withArgs(patient.address, 4n, patient.address, createdAt, packHeaders(batch));
      const receipt = await (await tx).wait();
      expect(receipt!.logs).to.have.length(1);
      expect((await medLedger.patientInfo(patient.address)).recordCount).to.equal(6n);
      const history = await verifiedHistory(medLedger, patient.address, patient);
      expect(history.slice(3).map(({ id, firstId, batched }) => ({ id, firstId, batched }))).to.deep.equal([
        { id: 4n, firstId: 4n, batched: true },
        { id: 5n, firstId: 4n, batched: true },
        { id: 6n, firstId: 4n, batched: true },
      ]);
    });

    it('returns the first id of the batch', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      expect(
        await medLedger.connect(patient).addRecords.staticCall(patient.address, packHeaders(observations('b', 2))),
      ).to.equal(4n);
    });

    it('stores one digest for the batch, marked 0x40, and a state byte per record', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      const headers = packHeaders([header('b1', OBSERVATION), header('b2', CONDITION)]);
      const createdAt = await nextTimestamp();
      await medLedger.connect(patient).addRecords(patient.address, headers);
      const [digests, states] = await medLedger.connect(patient).recordDigests(patient.address, 1n, 2n);
      const sealed = await medLedger.sealBatch(patient.address, 1n, patient.address, createdAt, headers);
      expect(digests).to.deep.equal([ethers.toBeHex(BigInt(sealed) | BigInt(BATCH), 32), ethers.ZeroHash]);
      expect(states).to.equal(ethers.hexlify(new Uint8Array([PRESENT | OBSERVATION, PRESENT | CONDITION])));
    });

    it('lets a write-scoped provider append a batch', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(lab).addRecords(patient.address, packHeaders(observations('l', 2))))
        .to.emit(medLedger, 'RecordsAdded')
        .withArgs(patient.address, 1n, lab.address, anyTime, packHeaders(observations('l', 2)));
    });

    it('reverts ScopeNotGranted naming every write scope a mixed batch needs', async function () {
      const { medLedger, patient, lab } = await loadFixture(grantedFixture);
      const headers = packHeaders([header('l1', OBSERVATION), header('l2', CONDITION), header('l3', DOCUMENT)]);
      const grant = await medLedger.grantOf(patient.address, lab.address);
      await expect(medLedger.connect(lab).addRecords(patient.address, headers))
        .to.be.revertedWithCustomError(medLedger, 'ScopeNotGranted')
        .withArgs(patient.address, lab.address, WRITE_OBSERVATION | WRITE_CONDITION | WRITE_DOCUMENT, grant.scopes);
    });

    it('accepts a mixed batch from a provider holding every write scope it needs', async function () {
      const { medLedger, patient, lab, expiry } = await loadFixture(grantedFixture);
      await medLedger
        .connect(patient)
        .grant(lab.address, READ_OBSERVATION | WRITE_OBSERVATION | WRITE_CONDITION | WRITE_DOCUMENT, expiry, '0x');
      const batch = [header('l1', OBSERVATION), header('l2', CONDITION), header('l3', DOCUMENT)];
      await medLedger.connect(lab).addRecords(patient.address, packHeaders(batch));
      const history = await verifiedHistory(medLedger, patient.address, patient);
      expect(history.map((record) => record.category)).to.deep.equal([OBSERVATION, CONDITION, DOCUMENT]);
    });

    it('reverts NoGrant, ProviderNotRegistered and PatientNotRegistered like addRecord', async function () {
      const { medLedger, patient, insurer, stranger } = await loadFixture(grantedFixture);
      const headers = packHeaders(observations('x', 1));
      await expect(medLedger.connect(insurer).addRecords(patient.address, headers))
        .to.be.revertedWithCustomError(medLedger, 'NoGrant')
        .withArgs(patient.address, insurer.address);
      await expect(medLedger.connect(stranger).addRecords(patient.address, headers))
        .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
        .withArgs(stranger.address);
      await expect(medLedger.connect(stranger).addRecords(stranger.address, headers))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });

    describe('superseding', function () {
      it('lets a record supersede an earlier record of the same batch, even a provider’s', async function () {
        const { medLedger, patient, lab } = await loadFixture(recordsFixture);
        const batch = [header('l1', OBSERVATION), header('l2', OBSERVATION), header('l1 fix', OBSERVATION, 4n)];
        await medLedger.connect(lab).addRecords(patient.address, packHeaders(batch));
        const history = await verifiedHistory(medLedger, patient.address, patient);
        expect(history.filter((record) => record.superseded).map((record) => record.id)).to.deep.equal([4n]);
      });

      it('lets the patient supersede a record of an earlier batch in the same state word', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(observations('first', 3)));
        await medLedger
          .connect(patient)
          .addRecords(patient.address, packHeaders([header('fix 5', OBSERVATION, 5n), header('fix 4', OBSERVATION, 4n)]));
        const history = await verifiedHistory(medLedger, patient.address, patient);
        expect(history.filter((record) => record.superseded).map((record) => record.id)).to.deep.equal([4n, 5n]);
      });

      it('lets the patient supersede a record appended alone, marking its digest', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        const [[before]] = await medLedger.connect(patient).recordDigests(patient.address, 3n, 1n);
        await medLedger
          .connect(patient)
          .addRecords(patient.address, packHeaders([header('c', CONDITION, 2n), header('o', OBSERVATION, 3n)]));
        const [digests] = await medLedger.connect(patient).recordDigests(patient.address, 2n, 2n);
        expect(BigInt(digests[1]!)).to.equal(BigInt(before!) | BigInt(SUPERSEDED));
        const history = await verifiedHistory(medLedger, patient.address, patient);
        expect(history.filter((record) => record.superseded).map((record) => record.id)).to.deep.equal([2n, 3n]);
      });

      it('supersedes across a 32-record word boundary, within and between batches', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        // Records 4-43 straddle ids 32/33: 40 supersedes 10 (an earlier word of the same batch), 35 supersedes
        // 33 (after the boundary), 31 supersedes 2 (a single record) and 32 supersedes 31 (same word).
        const first = observations('w', 40);
        first[40 - 4] = header('w fix 10', OBSERVATION, 10n);
        first[35 - 4] = header('w fix 33', OBSERVATION, 33n);
        first[31 - 4] = header('w fix 2', CONDITION, 2n);
        first[32 - 4] = header('w fix 31', CONDITION, 31n);
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(first));
        // Records 44-100 straddle 64/65 and 96/97 and reach back into both earlier words.
        const second = observations('v', 57);
        second[0] = header('v fix 30', OBSERVATION, 30n);
        second[64 - 44] = header('v fix 63', OBSERVATION, 63n);
        second[65 - 44] = header('v fix 43', OBSERVATION, 43n);
        second[97 - 44] = header('v fix 96', OBSERVATION, 96n);
        second[100 - 44] = header('v fix 1', OBSERVATION, 1n);
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(second));
        const history = await verifiedHistory(medLedger, patient.address, patient);
        expect(history).to.have.length(100);
        expect(history.filter((record) => record.superseded).map((record) => record.id)).to.deep.equal([
          1n, 2n, 10n, 30n, 31n, 33n, 43n, 63n, 96n,
        ]);
      });

      it('reverts RecordAlreadySuperseded for a second supersede in the same batch', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        const batch = [header('o', OBSERVATION), header('fix', OBSERVATION, 4n), header('again', OBSERVATION, 4n)];
        await expect(medLedger.connect(patient).addRecords(patient.address, packHeaders(batch)))
          .to.be.revertedWithCustomError(medLedger, 'RecordAlreadySuperseded')
          .withArgs(patient.address, 4n);
      });

      it('reverts RecordAlreadySuperseded for a second supersede in the same batch of a stored record', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        const batch = [header('fix', OBSERVATION, 1n), header('again', OBSERVATION, 1n)];
        await expect(medLedger.connect(patient).addRecords(patient.address, packHeaders(batch)))
          .to.be.revertedWithCustomError(medLedger, 'RecordAlreadySuperseded')
          .withArgs(patient.address, 1n);
      });

      it('reverts RecordAlreadySuperseded for a record an earlier batch superseded', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(observations('b', 2)));
        await medLedger.connect(patient).addRecords(patient.address, packHeaders([header('fix', OBSERVATION, 5n)]));
        await expect(medLedger.connect(patient).addRecords(patient.address, packHeaders([header('again', OBSERVATION, 5n)])))
          .to.be.revertedWithCustomError(medLedger, 'RecordAlreadySuperseded')
          .withArgs(patient.address, 5n);
      });

      it('reverts NotRecordAuthor for a provider superseding a record it did not author', async function () {
        const { medLedger, patient, lab } = await loadFixture(recordsFixture);
        await expect(medLedger.connect(lab).addRecords(patient.address, packHeaders([header('x', OBSERVATION, 1n)])))
          .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
          .withArgs(patient.address, 1n, lab.address);
      });

      it('reverts NotRecordAuthor for a provider superseding its own record of an earlier batch', async function () {
        const { medLedger, patient, lab } = await loadFixture(recordsFixture);
        await medLedger.connect(lab).addRecords(patient.address, packHeaders(observations('l', 2)));
        await expect(medLedger.connect(lab).addRecords(patient.address, packHeaders([header('x', OBSERVATION, 5n)])))
          .to.be.revertedWithCustomError(medLedger, 'NotRecordAuthor')
          .withArgs(patient.address, 5n, lab.address);
      });

      it('reverts InvalidSupersedes for itself, a later record or another category', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        for (const [supersedes, category] of [
          [4n, OBSERVATION],
          [5n, OBSERVATION],
          [2n, OBSERVATION],
        ] as const) {
          const batch = [header('x', category, supersedes), header('y', OBSERVATION)];
          await expect(medLedger.connect(patient).addRecords(patient.address, packHeaders(batch)))
            .to.be.revertedWithCustomError(medLedger, 'InvalidSupersedes')
            .withArgs(patient.address, supersedes);
        }
      });

      it('reverts InvalidSupersedes for a record of the same batch in another category', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        const batch = [header('x', CONDITION), header('y', OBSERVATION, 4n)];
        await expect(medLedger.connect(patient).addRecords(patient.address, packHeaders(batch)))
          .to.be.revertedWithCustomError(medLedger, 'InvalidSupersedes')
          .withArgs(patient.address, 4n);
      });
    });

    describe('malformed headers', function () {
      const valid = packHeader(header('ok', OBSERVATION));
      const validLength = BigInt(ethers.dataLength(valid));

      it('reverts MalformedRecordHeaders for a fixed part cut short', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        const cut = ethers.concat([valid, ethers.dataSlice(packHeader(header('cut', OBSERVATION)), 0, 41)]);
        await expect(medLedger.connect(patient).addRecords(patient.address, cut))
          .to.be.revertedWithCustomError(medLedger, 'MalformedRecordHeaders')
          .withArgs(validLength);
      });

      it('reverts InvalidCid for a CID length of 0', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        const empty = ethers.solidityPacked(['uint8', 'uint64', 'bytes32', 'uint8'], [OBSERVATION, 0, hashOf('e'), 0]);
        await expect(medLedger.connect(patient).addRecords(patient.address, ethers.concat([valid, empty, valid])))
          .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
          .withArgs(0n);
      });

      it('reverts InvalidCid for a CID length over MAX_CID_LENGTH', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        const long = ethers.hexlify(new Uint8Array(129).fill(7));
        const headers = packHeaders([header('ok', OBSERVATION), { ...header('long', OBSERVATION), cid: long }]);
        await expect(medLedger.connect(patient).addRecords(patient.address, headers))
          .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
          .withArgs(129n);
      });

      it('reverts MalformedRecordHeaders for a CID length past the end', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        const headers = ethers.dataSlice(packHeaders([header('ok', OBSERVATION), header('short', OBSERVATION)]), 0, -1);
        await expect(medLedger.connect(patient).addRecords(patient.address, headers))
          .to.be.revertedWithCustomError(medLedger, 'MalformedRecordHeaders')
          .withArgs(validLength);
      });

      it('reverts MalformedRecordHeaders for trailing garbage', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        const headers = ethers.concat([valid, valid, '0xdeadbeef']);
        await expect(medLedger.connect(patient).addRecords(patient.address, headers))
          .to.be.revertedWithCustomError(medLedger, 'MalformedRecordHeaders')
          .withArgs(2n * validLength);
      });

      it('reverts InvalidCategory for a category of 32 or more', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).addRecords(patient.address, packHeaders([header('x', 40)])))
          .to.be.revertedWithCustomError(medLedger, 'InvalidCategory')
          .withArgs(40);
      });

      it('reverts InvalidCiphertextHash for a zero hash', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        const headers = packHeaders([header('ok', OBSERVATION), { ...header('x', OBSERVATION), ciphertextHash: ethers.ZeroHash }]);
        await expect(medLedger.connect(patient).addRecords(patient.address, headers)).to.be.revertedWithCustomError(
          medLedger,
          'InvalidCiphertextHash',
        );
      });
    });

    describe('batch size', function () {
      it('reverts EmptyBatch for no records', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).addRecords(patient.address, '0x')).to.be.revertedWithCustomError(
          medLedger,
          'EmptyBatch',
        );
      });

      it('accepts MAX_BATCH records', async function () {
        const { medLedger, patient } = await loadFixture(recordsFixture);
        const max = Number(await medLedger.MAX_BATCH());
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(observations('max', max)));
        expect(await verifiedHistory(medLedger, patient.address, patient)).to.have.length(3 + max);
      });

      it('reverts EmptyBatch for more than MAX_BATCH records', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        const tooMany = packHeaders(observations('x', Number(await medLedger.MAX_BATCH()) + 1));
        await expect(medLedger.connect(patient).addRecords(patient.address, tooMany)).to.be.revertedWithCustomError(
          medLedger,
          'EmptyBatch',
        );
      });
    });
  });

  describe('sealBatch', function () {
    it('is keccak-256 of the ABI-encoded patient, first id, author, time and header hash, low byte zeroed', async function () {
      const { medLedger, patient, lab } = await loadFixture(registeredFixture);
      const headers = packHeaders(observations('s', 2));
      const full = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ['address', 'uint64', 'address', 'uint40', 'bytes32'],
          [patient.address, 7n, lab.address, 1234n, ethers.keccak256(headers)],
        ),
      );
      expect(await medLedger.sealBatch(patient.address, 7n, lab.address, 1234n, headers)).to.equal(
        ethers.toBeHex((BigInt(full) >> 8n) << 8n, 32),
      );
    });
  });

  describe('seed step 6: recordDigests', function () {
    it('lets the patient verify every record rebuilt from RecordsAdded events against chain storage', async function () {
      const { medLedger, patient, lab } = await loadFixture(recordsFixture);
      await medLedger.connect(lab).addRecords(patient.address, packHeaders(observations('lab', 2)));
      await medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 4);
      const history = await verifiedHistory(medLedger, patient.address, patient);
      expect(history.map(({ id, author, batched, superseded }) => ({ id, author, batched, superseded }))).to.deep.equal([
        { id: 1n, author: patient.address, batched: false, superseded: false },
        { id: 2n, author: patient.address, batched: false, superseded: false },
        { id: 3n, author: patient.address, batched: false, superseded: false },
        { id: 4n, author: lab.address, batched: true, superseded: true },
        { id: 5n, author: lab.address, batched: true, superseded: false },
        { id: 6n, author: patient.address, batched: false, superseded: false },
      ]);
    });

    it('keeps the state byte (present | category) of records appended alone in the low byte of each digest', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      const [digests, states] = await medLedger.connect(patient).recordDigests(patient.address, 1, 3);
      expect(digests.map((digest) => Number(BigInt(digest) & 0xffn))).to.deep.equal([
        PRESENT | OBSERVATION,
        PRESENT | CONDITION,
        PRESENT | OBSERVATION,
      ]);
      expect(states).to.equal('0x000000');
    });

    it('pages through the records and clips the last page', async function () {
      const { medLedger, patient } = await loadFixture(recordsFixture);
      await medLedger.connect(patient).addRecords(patient.address, packHeaders(observations('b', 2)));
      const [digests, states] = await medLedger.connect(patient).recordDigests(patient.address, 1, 5);
      const page = async (from: number, limit: number) => {
        const [d, s] = await medLedger.connect(patient).recordDigests(patient.address, from, limit);
        return [[...d], s];
      };
      expect(await page(1, 2)).to.deep.equal([digests.slice(0, 2), ethers.dataSlice(states, 0, 2)]);
      expect(await page(3, 2)).to.deep.equal([digests.slice(2, 4), ethers.dataSlice(states, 2, 4)]);
      expect(await page(5, 2)).to.deep.equal([digests.slice(4), ethers.dataSlice(states, 4)]);
      expect(await page(6, 2)).to.deep.equal([[], '0x']);
      expect(await page(0, 2)).to.deep.equal([[], '0x']);
    });

    it('answers a provider holding a live read scope', async function () {
      const { medLedger, patient, doctor } = await loadFixture(recordsFixture);
      const [digests, states] = await medLedger.connect(doctor).recordDigests(patient.address, 1, 10);
      expect(digests).to.have.length(3);
      expect(ethers.dataLength(states)).to.equal(3);
      expect(await verifiedHistory(medLedger, patient.address, doctor)).to.have.length(3);
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
      await medLedger.connect(patient).grant(insurer.address, WRITE_OBSERVATION, (await time.latest()) + 3600, '0x');
      await expect(medLedger.connect(insurer).recordDigests(patient.address, 1, 10))
        .to.be.revertedWithCustomError(medLedger, 'RecordListDenied')
        .withArgs(patient.address, insurer.address);
    });

    it('reverts RecordListDenied for a suspended provider and for an expired grant', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(recordsFixture);
      await medLedger.suspendProvider(doctor.address);
      await expect(medLedger.connect(doctor).recordDigests(patient.address, 1, 10))
        .to.be.revertedWithCustomError(medLedger, 'RecordListDenied')
        .withArgs(patient.address, doctor.address);
      await medLedger.reinstateProvider(doctor.address);
      await time.increaseTo(expiry);
      await expect(medLedger.connect(doctor).recordDigests(patient.address, 1, 10))
        .to.be.revertedWithCustomError(medLedger, 'RecordListDenied')
        .withArgs(patient.address, doctor.address);
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
        .withArgs(patient.address, lab.address, READ_OBSERVATION | READ_CONDITION, grant.scopes);
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

    describe('of records appended in batches', function () {
      /** Records 4-6 (observation, condition, document) in one batch, 7-40 observations across id 32. */
      async function batchedFixture() {
        const fixture = await recordsFixture();
        const { medLedger, patient } = fixture;
        const mixed = [header('m o', OBSERVATION), header('m c', CONDITION), header('m d', DOCUMENT)];
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(mixed));
        await medLedger.connect(patient).addRecords(patient.address, packHeaders(observations('w', 34)));
        return fixture;
      }

      it('finds each record’s category in the packed states, the batch’s first record included', async function () {
        const { medLedger, patient, doctor } = await loadFixture(batchedFixture);
        await expect(medLedger.connect(doctor).logAccess(patient.address, [4n, 5n, 7n, 31n, 32n, 40n], 2))
          .to.emit(medLedger, 'AccessLogged')
          .withArgs(patient.address, doctor.address, [4n, 5n, 7n, 31n, 32n, 40n], 2);
      });

      it('reverts ScopeNotGranted for a batched record of a category the provider cannot read', async function () {
        const { medLedger, patient, doctor } = await loadFixture(batchedFixture);
        const grant = await medLedger.grantOf(patient.address, doctor.address);
        await expect(medLedger.connect(doctor).logAccess(patient.address, [4n, 6n], 2))
          .to.be.revertedWithCustomError(medLedger, 'ScopeNotGranted')
          .withArgs(patient.address, doctor.address, READ_OBSERVATION | READ_DOCUMENT, grant.scopes);
      });

      it('still logs a superseded batched record', async function () {
        const { medLedger, patient, doctor } = await loadFixture(batchedFixture);
        await medLedger.connect(patient).addRecords(patient.address, packHeaders([header('fix', CONDITION, 5n)]));
        await expect(medLedger.connect(doctor).logAccess(patient.address, [5n], 2)).to.emit(medLedger, 'AccessLogged');
      });

      it('reverts RecordNotFound for an id past the last batch, in the same state word', async function () {
        const { medLedger, patient, doctor } = await loadFixture(batchedFixture);
        await expect(medLedger.connect(doctor).logAccess(patient.address, [41n], 2))
          .to.be.revertedWithCustomError(medLedger, 'RecordNotFound')
          .withArgs(patient.address, 41n);
      });
    });
  });
});

function anyTime(): boolean {
  return true;
}
