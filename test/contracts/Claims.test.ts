import { expect } from 'chai';
import type { Signer } from 'ethers';

import { RECORD_CATEGORIES, readScope, writeScope } from '../../lib/chain/categories';
import type { Claims, MedLedger } from '../../typechain-types';
import type { IClaims } from '../../typechain-types/Claims';
import {
  OBSERVATION,
  ONE_DAY,
  ProviderKind,
  WRITE_OBSERVATION,
  cidOf,
  ethers,
  hashOf,
  networkHelpers,
  registeredFixture,
} from './fixtures';
import { type RecordHeader, packHeader, packHeaders, priorBatchOf } from './history';

const { loadFixture, time } = networkHelpers;

const BILLING = RECORD_CATEGORIES.billing;
const READ_BILLING = readScope(BILLING);
const WRITE_BILLING = writeScope(BILLING);
const Status = { None: 0n, Submitted: 1n, Approved: 2n, Denied: 3n, Paid: 4n } as const;
const DISPUTED = 0x80n;
const PAYMENT_REFERENCE = ethers.id('payment reference 2026-0042');

/** A `RecordProof` as the tests build it: the record id and its batch as `RecordsAdded` told it. */
interface RecordProof {
  recordId: bigint;
  firstId: bigint;
  createdAt: bigint;
  headers: string;
}
type ClaimRef = IClaims.ClaimRefStruct & { claimId: bigint; recordId: bigint; ciphertextHash: string };

/** Appends record `label` to `patient`'s history as `author`, and returns the proof of it the claims module takes. */
async function recordOf(
  medLedger: MedLedger,
  author: Signer,
  patient: string,
  label: string,
  category: number = BILLING,
): Promise<RecordProof> {
  await medLedger.connect(author).addRecord(patient, cidOf(label), hashOf(label), category, 0);
  const recordId = (await medLedger.patientInfo(patient)).recordCount;
  return { recordId, ...(await priorBatchOf(medLedger, patient, recordId)) };
}

/** The low byte a stored claim holds: its status, and 0x80 once disputed. */
async function stateByte(claims: Claims, ref: ClaimRef): Promise<bigint> {
  return BigInt(await claims.claimState(ref.provider, ref.ciphertextHash)) & 0xffn;
}

/** `claimStatus` as a plain [status, disputed] pair. */
async function statusOf(claims: Claims, ref: ClaimRef): Promise<[bigint, boolean]> {
  const [status, disputed] = await claims.claimStatus(ref);
  return [status, disputed];
}

/** The seal of a claim as the contract computes it, written out independently. */
function sealOf(ref: ClaimRef): bigint {
  const digest = ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ['uint64', 'address', 'address', 'address', 'uint64', 'bytes32'],
      [ref.claimId, ref.patient, ref.provider, ref.insurer, ref.recordId, ref.ciphertextHash],
    ),
  );
  return (BigInt(digest) >> 8n) << 8n;
}

/**
 * Two registered patients; the lab (the billing provider) and the doctor may write billing records of
 * both; the insurer and another insurer may read and write them; the lab wrote the patient's claim record.
 */
async function claimsFixture() {
  const fixture = await registeredFixture();
  const { medLedger, patient, otherPatient, doctor, lab, insurer } = fixture;
  const otherInsurer = (await ethers.getSigners())[8]!;
  await medLedger.registerProvider(otherInsurer.address, ProviderKind.Insurer, ethers.id('licence:other insurer'));
  const expiry = BigInt(await time.latest()) + 30n * ONE_DAY;
  for (const who of [patient, otherPatient]) {
    await medLedger.connect(who).grant(lab.address, WRITE_BILLING | WRITE_OBSERVATION, expiry, '0x');
    await medLedger.connect(who).grant(doctor.address, WRITE_BILLING, expiry, '0x');
    await medLedger.connect(who).grant(insurer.address, READ_BILLING | WRITE_BILLING, expiry, '0x');
    await medLedger.connect(who).grant(otherInsurer.address, READ_BILLING | WRITE_BILLING, expiry, '0x');
  }
  const claimRecord = await recordOf(medLedger, lab, patient.address, 'claim');
  return { ...fixture, otherInsurer, expiry, claimRecord };
}

/** The lab filed claim 1 against the insurer. */
async function submittedFixture() {
  const fixture = await claimsFixture();
  const { claims, patient, lab, insurer, claimRecord } = fixture;
  await claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord);
  const ref: ClaimRef = {
    claimId: 1n,
    patient: patient.address,
    provider: lab.address,
    insurer: insurer.address,
    recordId: claimRecord.recordId,
    ciphertextHash: hashOf('claim'),
  };
  const response = await recordOf(fixture.medLedger, insurer, patient.address, 'explanation of benefit');
  return { ...fixture, ref, response };
}

/** The insurer approved claim 1; the patient wrote the reasons for a dispute. */
async function approvedFixture() {
  const fixture = await submittedFixture();
  const { claims, medLedger, patient, insurer, ref, response } = fixture;
  await claims.connect(insurer).adjudicateClaim(ref, true, response);
  const reason = await recordOf(medLedger, patient, patient.address, 'dispute reason');
  return { ...fixture, reason };
}

/** The insurer denied claim 1; the patient wrote the reasons for a dispute. */
async function deniedFixture() {
  const fixture = await submittedFixture();
  const { claims, medLedger, patient, insurer, ref, response } = fixture;
  await claims.connect(insurer).adjudicateClaim(ref, false, response);
  const reason = await recordOf(medLedger, patient, patient.address, 'dispute reason');
  return { ...fixture, reason };
}

/** The insurer approved and paid claim 1. */
async function paidFixture() {
  const fixture = await approvedFixture();
  await fixture.claims.connect(fixture.insurer).payClaim(fixture.ref, PAYMENT_REFERENCE);
  return fixture;
}

/** Every way of changing one field of a claim reference. */
function forgeries(ref: ClaimRef, someone: string): [string, ClaimRef][] {
  return [
    ['claimId', { ...ref, claimId: ref.claimId + 1n }],
    ['patient', { ...ref, patient: someone }],
    ['provider', { ...ref, provider: someone }],
    ['insurer', { ...ref, insurer: someone }],
    ['recordId', { ...ref, recordId: ref.recordId + 1n }],
    ['ciphertextHash', { ...ref, ciphertextHash: hashOf('another claim') }],
  ];
}

describe('Claims', function () {
  describe('deployment', function () {
    it('is deployed by the Ignition module, bound to MedLedger', async function () {
      const { claims, medLedger } = await loadFixture(claimsFixture);
      expect(await claims.ledger()).to.equal(await medLedger.getAddress());
      expect(await claims.BILLING()).to.equal(BigInt(BILLING));
      expect(await claims.claimCount()).to.equal(0n);
    });

    it('reverts InvalidLedger for the zero address and for an account without code', async function () {
      const { stranger } = await loadFixture(claimsFixture);
      const factory = await ethers.getContractFactory('Claims');
      for (const ledger of [ethers.ZeroAddress, stranger.address]) {
        await expect(factory.deploy(ledger)).to.be.revertedWithCustomError(factory, 'InvalidLedger').withArgs(ledger);
      }
    });
  });

  describe('submitClaim', function () {
    it('files a claim and emits ClaimSubmitted with ids and the ciphertext hash only', async function () {
      const { claims, patient, lab, insurer, claimRecord } = await loadFixture(claimsFixture);
      await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord))
        .to.emit(claims, 'ClaimSubmitted')
        .withArgs(1n, patient.address, lab.address, insurer.address, claimRecord.recordId, hashOf('claim'));
      expect(await claims.claimCount()).to.equal(1n);
    });

    it('stores the seal with Submitted as its low byte, under the ciphertext hash', async function () {
      const { claims, ref } = await loadFixture(submittedFixture);
      expect(BigInt(await claims.claimState(ref.provider, ref.ciphertextHash))).to.equal(
        sealOf(ref) | Status.Submitted,
      );
      expect(await statusOf(claims, ref)).to.deep.equal([Status.Submitted, false]);
    });

    it('returns the new claim id, counting from 1', async function () {
      const { claims, medLedger, patient, lab, insurer } = await loadFixture(submittedFixture);
      const second = await recordOf(medLedger, lab, patient.address, 'second claim');
      expect(await claims.connect(lab).submitClaim.staticCall(patient.address, insurer.address, second)).to.equal(2n);
    });

    it('takes a record inside a 100-record addRecords batch as the claim record', async function () {
      const { claims, medLedger, patient, lab, insurer } = await loadFixture(claimsFixture);
      const headers: RecordHeader[] = Array.from({ length: 100 }, (_, i) => ({
        category: BILLING,
        supersedes: 0n,
        ciphertextHash: hashOf(`import ${i}`),
        cid: cidOf(`import ${i}`),
      }));
      await medLedger.connect(lab).addRecords(patient.address, packHeaders(headers));
      const batch = await priorBatchOf(medLedger, patient.address, 2n);
      expect(batch.firstId).to.equal(2n);
      for (const index of [0, 57, 99]) {
        const recordId = batch.firstId + BigInt(index);
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, { ...batch, recordId }))
          .to.emit(claims, 'ClaimSubmitted')
          .withArgs(anyId, patient.address, lab.address, insurer.address, recordId, hashOf(`import ${index}`));
      }
    });

    describe('refuses the caller', function () {
      it('reverts InactiveParty for an account that is not a provider, the patient included', async function () {
        const { claims, patient, stranger, insurer, claimRecord } = await loadFixture(claimsFixture);
        for (const caller of [stranger, patient]) {
          await expect(claims.connect(caller).submitClaim(patient.address, insurer.address, claimRecord))
            .to.be.revertedWithCustomError(claims, 'InactiveParty')
            .withArgs(caller.address);
        }
      });

      it('reverts InactiveParty for a suspended provider', async function () {
        const { claims, medLedger, patient, lab, insurer, claimRecord } = await loadFixture(claimsFixture);
        await medLedger.suspendProvider(lab.address);
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'InactiveParty')
          .withArgs(lab.address);
      });

      it('reverts BillingWriteNotGranted for a provider whose grant holds no billing write scope', async function () {
        const { claims, medLedger, patient, lab, insurer, claimRecord } = await loadFixture(claimsFixture);
        await medLedger
          .connect(patient)
          .grant(lab.address, WRITE_OBSERVATION | READ_BILLING, BigInt(await time.latest()) + ONE_DAY, '0x');
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'BillingWriteNotGranted')
          .withArgs(patient.address, lab.address);
      });

      it('reverts BillingWriteNotGranted once the grant is revoked or expired', async function () {
        const { claims, medLedger, patient, lab, doctor, insurer, claimRecord, expiry } =
          await loadFixture(claimsFixture);
        const doctorRecord = await recordOf(medLedger, doctor, patient.address, 'doctor claim');
        await medLedger.connect(patient).revoke(lab.address);
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'BillingWriteNotGranted')
          .withArgs(patient.address, lab.address);
        await time.increaseTo(expiry);
        await expect(claims.connect(doctor).submitClaim(patient.address, insurer.address, doctorRecord))
          .to.be.revertedWithCustomError(claims, 'BillingWriteNotGranted')
          .withArgs(patient.address, doctor.address);
      });

      it('reverts BillingWriteNotGranted for a patient who is not registered', async function () {
        const { claims, lab, stranger, insurer, claimRecord } = await loadFixture(claimsFixture);
        await expect(claims.connect(lab).submitClaim(stranger.address, insurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'BillingWriteNotGranted')
          .withArgs(stranger.address, lab.address);
      });

      it('reverts ClaimToSelf for a provider naming itself as insurer', async function () {
        const { claims, patient, lab, claimRecord } = await loadFixture(claimsFixture);
        await expect(claims.connect(lab).submitClaim(patient.address, lab.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'ClaimToSelf')
          .withArgs(lab.address);
      });

      it('reverts ClaimToSelf for an insurer billing itself with its own billing record', async function () {
        const { claims, medLedger, patient, insurer } = await loadFixture(claimsFixture);
        const own = await recordOf(medLedger, insurer, patient.address, 'self-billed');
        await expect(claims.connect(insurer).submitClaim(patient.address, insurer.address, own))
          .to.be.revertedWithCustomError(claims, 'ClaimToSelf')
          .withArgs(insurer.address);
      });
    });

    describe('refuses the insurer', function () {
      it('reverts NotAnInsurer for a doctor, an unregistered account and the zero address', async function () {
        const { claims, patient, lab, doctor, stranger, claimRecord } = await loadFixture(claimsFixture);
        for (const insurer of [doctor.address, stranger.address, ethers.ZeroAddress]) {
          await expect(claims.connect(lab).submitClaim(patient.address, insurer, claimRecord))
            .to.be.revertedWithCustomError(claims, 'NotAnInsurer')
            .withArgs(insurer);
        }
      });

      it('reverts InactiveParty for a suspended insurer', async function () {
        const { claims, medLedger, patient, lab, insurer, claimRecord } = await loadFixture(claimsFixture);
        await medLedger.suspendProvider(insurer.address);
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'InactiveParty')
          .withArgs(insurer.address);
      });

      it('reverts BillingReadNotGranted for an insurer without a billing read scope', async function () {
        const { claims, medLedger, patient, lab, otherInsurer, claimRecord } = await loadFixture(claimsFixture);
        await medLedger
          .connect(patient)
          .grant(otherInsurer.address, WRITE_BILLING, BigInt(await time.latest()) + ONE_DAY, '0x');
        await expect(claims.connect(lab).submitClaim(patient.address, otherInsurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'BillingReadNotGranted')
          .withArgs(patient.address, otherInsurer.address);
      });

      it('reverts BillingReadNotGranted for an insurer the patient revoked', async function () {
        const { claims, medLedger, patient, lab, insurer, claimRecord } = await loadFixture(claimsFixture);
        await medLedger.connect(patient).revoke(insurer.address);
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'BillingReadNotGranted')
          .withArgs(patient.address, insurer.address);
      });
    });

    describe('refuses the claim record', function () {
      it('reverts RecordNotProven for another provider replaying the lab’s claim record', async function () {
        const { claims, patient, doctor, insurer, claimRecord } = await loadFixture(claimsFixture);
        await expect(claims.connect(doctor).submitClaim(patient.address, insurer.address, claimRecord))
          .to.be.revertedWithCustomError(claims, 'RecordNotProven')
          .withArgs(patient.address, claimRecord.recordId, doctor.address);
      });

      it('reverts RecordNotProven for a record in another patient’s history', async function () {
        const { claims, medLedger, patient, otherPatient, lab, insurer } = await loadFixture(claimsFixture);
        const elsewhere = await recordOf(medLedger, lab, otherPatient.address, 'other patient claim');
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, elsewhere))
          .to.be.revertedWithCustomError(claims, 'RecordNotProven')
          .withArgs(patient.address, elsewhere.recordId, lab.address);
      });

      it('reverts RecordNotProven for a batch another author wrote, whatever record id it names', async function () {
        const { claims, medLedger, patient, lab, insurer } = await loadFixture(claimsFixture);
        const patientBatch = await recordOf(medLedger, patient, patient.address, 'patient billing');
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, patientBatch))
          .to.be.revertedWithCustomError(claims, 'RecordNotProven')
          .withArgs(patient.address, patientBatch.recordId, lab.address);
      });

      it('reverts RecordNotProven for forged headers, trailing garbage and a wrong createdAt', async function () {
        const { claims, patient, lab, insurer, claimRecord } = await loadFixture(claimsFixture);
        const forged = packHeader({
          category: BILLING,
          supersedes: 0n,
          ciphertextHash: hashOf('forged'),
          cid: cidOf('claim'),
        });
        for (const proof of [
          { ...claimRecord, headers: forged },
          { ...claimRecord, headers: ethers.concat([claimRecord.headers, '0x00']) },
          { ...claimRecord, headers: ethers.concat([claimRecord.headers, claimRecord.headers]) },
          { ...claimRecord, headers: '0x' },
          { ...claimRecord, createdAt: BigInt(claimRecord.createdAt) + 1n },
        ]) {
          await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, proof))
            .to.be.revertedWithCustomError(claims, 'RecordNotProven')
            .withArgs(patient.address, claimRecord.recordId, lab.address);
        }
      });

      it('reverts RecordNotProven for a first id that starts no batch', async function () {
        const { claims, medLedger, patient, lab, insurer } = await loadFixture(claimsFixture);
        const batch = [1, 2].map((i) => ({
          category: BILLING,
          supersedes: 0n,
          ciphertextHash: hashOf(`b${i}`),
          cid: cidOf(`b${i}`),
        }));
        await medLedger.connect(lab).addRecords(patient.address, packHeaders(batch));
        const inside = {
          recordId: 3n,
          firstId: 3n,
          createdAt: BigInt(await time.latest()),
          headers: packHeader(batch[1]!),
        };
        const none = { recordId: 0n, firstId: 0n, createdAt: 0n, headers: '0x' };
        for (const proof of [inside, none]) {
          await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, proof))
            .to.be.revertedWithCustomError(claims, 'RecordNotProven')
            .withArgs(patient.address, proof.recordId, lab.address);
        }
      });

      it('reverts RecordNotProven for a record id outside the batch', async function () {
        const { claims, medLedger, patient, lab, insurer } = await loadFixture(claimsFixture);
        const batch = [1, 2, 3].map((i) => ({
          category: BILLING,
          supersedes: 0n,
          ciphertextHash: hashOf(`b${i}`),
          cid: cidOf(`b${i}`),
        }));
        await medLedger.connect(lab).addRecords(patient.address, packHeaders(batch));
        const proof = await priorBatchOf(medLedger, patient.address, 2n);
        await recordOf(medLedger, lab, patient.address, 'after the batch');
        for (const recordId of [1n, 5n, 2n ** 64n - 1n]) {
          await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, { ...proof, recordId }))
            .to.be.revertedWithCustomError(claims, 'RecordNotProven')
            .withArgs(patient.address, recordId, lab.address);
        }
      });

      it('reverts NotBillingRecord for a record of another category', async function () {
        const { claims, medLedger, patient, lab, insurer } = await loadFixture(claimsFixture);
        const observation = await recordOf(medLedger, lab, patient.address, 'lab result', OBSERVATION);
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, observation))
          .to.be.revertedWithCustomError(claims, 'NotBillingRecord')
          .withArgs(patient.address, observation.recordId, OBSERVATION);
      });

      it('reverts NotBillingRecord for a non-billing record beside billing ones in a batch', async function () {
        const { claims, medLedger, patient, lab, insurer } = await loadFixture(claimsFixture);
        const mixed = [
          { category: BILLING, supersedes: 0n, ciphertextHash: hashOf('m1'), cid: cidOf('m1') },
          { category: OBSERVATION, supersedes: 0n, ciphertextHash: hashOf('m2'), cid: cidOf('m2') },
        ];
        await medLedger.connect(lab).addRecords(patient.address, packHeaders(mixed));
        const proof = { ...(await priorBatchOf(medLedger, patient.address, 2n)), recordId: 3n };
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, proof))
          .to.be.revertedWithCustomError(claims, 'NotBillingRecord')
          .withArgs(patient.address, 3n, OBSERVATION);
      });
    });

    describe('one claim per ciphertext', function () {
      it('reverts ClaimAlreadySubmitted for the same record, to the same or another insurer', async function () {
        const { claims, patient, lab, insurer, otherInsurer, claimRecord } = await loadFixture(submittedFixture);
        for (const to of [insurer, otherInsurer]) {
          await expect(claims.connect(lab).submitClaim(patient.address, to.address, claimRecord))
            .to.be.revertedWithCustomError(claims, 'ClaimAlreadySubmitted')
            .withArgs(hashOf('claim'));
        }
      });

      it('reverts ClaimAlreadySubmitted for another record of the same provider carrying the same ciphertext', async function () {
        const { claims, medLedger, patient, lab, insurer } = await loadFixture(submittedFixture);
        await medLedger.connect(lab).addRecord(patient.address, cidOf('claim'), hashOf('claim'), BILLING, 0);
        const recordId = (await medLedger.patientInfo(patient.address)).recordCount;
        const copy = { recordId, ...(await priorBatchOf(medLedger, patient.address, recordId)) };
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, copy))
          .to.be.revertedWithCustomError(claims, 'ClaimAlreadySubmitted')
          .withArgs(hashOf('claim'));
      });

      it('lets no other provider block a claim by filing a copy of its ciphertext first', async function () {
        const { claims, medLedger, patient, lab, doctor, insurer, claimRecord } = await loadFixture(claimsFixture);
        // The doctor copies the header of the lab's claim record into a record of its own and files first.
        await medLedger.connect(doctor).addRecord(patient.address, cidOf('claim'), hashOf('claim'), BILLING, 0);
        const copyId = (await medLedger.patientInfo(patient.address)).recordCount;
        const copy = { recordId: copyId, ...(await priorBatchOf(medLedger, patient.address, copyId)) };
        await expect(claims.connect(doctor).submitClaim(patient.address, insurer.address, copy))
          .to.emit(claims, 'ClaimSubmitted')
          .withArgs(1n, patient.address, doctor.address, insurer.address, copyId, hashOf('claim'));
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, claimRecord))
          .to.emit(claims, 'ClaimSubmitted')
          .withArgs(2n, patient.address, lab.address, insurer.address, claimRecord.recordId, hashOf('claim'));
        const ref: ClaimRef = {
          claimId: 2n,
          patient: patient.address,
          provider: lab.address,
          insurer: insurer.address,
          recordId: claimRecord.recordId,
          ciphertextHash: hashOf('claim'),
        };
        expect(await stateByte(claims, ref)).to.equal(Status.Submitted);
      });

      it('accepts a resubmission as a new encryption (a new ciphertext hash) after a denial', async function () {
        const { claims, medLedger, patient, lab, insurer } = await loadFixture(deniedFixture);
        const again = await recordOf(medLedger, lab, patient.address, 'claim, encrypted again');
        await expect(claims.connect(lab).submitClaim(patient.address, insurer.address, again))
          .to.emit(claims, 'ClaimSubmitted')
          .withArgs(
            2n,
            patient.address,
            lab.address,
            insurer.address,
            again.recordId,
            hashOf('claim, encrypted again'),
          );
      });
    });
  });

  describe('adjudicateClaim', function () {
    it('approves a submitted claim and emits ClaimAdjudicated with the response record', async function () {
      const { claims, patient, insurer, ref, response } = await loadFixture(submittedFixture);
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, response))
        .to.emit(claims, 'ClaimAdjudicated')
        .withArgs(1n, patient.address, insurer.address, Status.Approved, response.recordId);
      expect(await statusOf(claims, ref)).to.deep.equal([Status.Approved, false]);
      expect(BigInt(await claims.claimState(ref.provider, ref.ciphertextHash))).to.equal(sealOf(ref) | Status.Approved);
    });

    it('denies a submitted claim', async function () {
      const { claims, patient, insurer, ref, response } = await loadFixture(submittedFixture);
      await expect(claims.connect(insurer).adjudicateClaim(ref, false, response))
        .to.emit(claims, 'ClaimAdjudicated')
        .withArgs(1n, patient.address, insurer.address, Status.Denied, response.recordId);
      expect(await statusOf(claims, ref)).to.deep.equal([Status.Denied, false]);
    });

    it('still lets an insurer the patient revoked after the claim adjudicate it (it decides on what it was granted)', async function () {
      const { claims, medLedger, patient, insurer, ref, response } = await loadFixture(submittedFixture);
      await medLedger.connect(patient).revoke(insurer.address);
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, response)).to.emit(claims, 'ClaimAdjudicated');
      await expect(claims.connect(insurer).payClaim(ref, PAYMENT_REFERENCE)).to.emit(claims, 'ClaimPaid');
    });

    it('reverts UnknownClaim for a reference with any field changed', async function () {
      const { claims, insurer, stranger, ref, response } = await loadFixture(submittedFixture);
      for (const [field, forged] of forgeries(ref, stranger.address)) {
        await expect(claims.connect(insurer).adjudicateClaim(forged, true, response), field)
          .to.be.revertedWithCustomError(claims, 'UnknownClaim')
          .withArgs(forged.claimId);
      }
    });

    it('reverts UnknownClaim for another insurer naming itself in the reference', async function () {
      const { claims, medLedger, patient, otherInsurer, ref } = await loadFixture(submittedFixture);
      const own = await recordOf(medLedger, otherInsurer, patient.address, 'hijacked response');
      await expect(claims.connect(otherInsurer).adjudicateClaim({ ...ref, insurer: otherInsurer.address }, true, own))
        .to.be.revertedWithCustomError(claims, 'UnknownClaim')
        .withArgs(ref.claimId);
    });

    it('reverts NotClaimInsurer for another insurer, the provider and the patient', async function () {
      const { claims, patient, lab, otherInsurer, ref, response } = await loadFixture(submittedFixture);
      for (const caller of [otherInsurer, lab, patient]) {
        await expect(claims.connect(caller).adjudicateClaim(ref, true, response))
          .to.be.revertedWithCustomError(claims, 'NotClaimInsurer')
          .withArgs(ref.claimId, caller.address);
      }
    });

    it('reverts InactiveParty for a suspended insurer', async function () {
      const { claims, medLedger, insurer, ref, response } = await loadFixture(submittedFixture);
      await medLedger.suspendProvider(insurer.address);
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, response))
        .to.be.revertedWithCustomError(claims, 'InactiveParty')
        .withArgs(insurer.address);
    });

    it('reverts InvalidClaimTransition for an approved claim', async function () {
      const { claims, insurer, ref, response } = await loadFixture(approvedFixture);
      await expect(claims.connect(insurer).adjudicateClaim(ref, false, response))
        .to.be.revertedWithCustomError(claims, 'InvalidClaimTransition')
        .withArgs(ref.claimId, Status.Approved, Status.Denied);
    });

    it('reverts InvalidClaimTransition for a denied claim', async function () {
      const { claims, insurer, ref, response } = await loadFixture(deniedFixture);
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, response))
        .to.be.revertedWithCustomError(claims, 'InvalidClaimTransition')
        .withArgs(ref.claimId, Status.Denied, Status.Approved);
    });

    it('reverts InvalidClaimTransition for a paid claim, disputed or not', async function () {
      const { claims, patient, insurer, ref, response, reason } = await loadFixture(paidFixture);
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, response))
        .to.be.revertedWithCustomError(claims, 'InvalidClaimTransition')
        .withArgs(ref.claimId, Status.Paid, Status.Approved);
      await claims.connect(patient).disputeClaim(ref, reason);
      await expect(claims.connect(insurer).adjudicateClaim(ref, false, response))
        .to.be.revertedWithCustomError(claims, 'InvalidClaimTransition')
        .withArgs(ref.claimId, Status.Paid, Status.Denied);
    });

    it('reverts RecordNotProven for a response record in another patient’s history', async function () {
      const { claims, medLedger, patient, otherPatient, insurer, ref } = await loadFixture(submittedFixture);
      const elsewhere = await recordOf(medLedger, insurer, otherPatient.address, 'response elsewhere');
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, elsewhere))
        .to.be.revertedWithCustomError(claims, 'RecordNotProven')
        .withArgs(patient.address, elsewhere.recordId, insurer.address);
    });

    it('reverts RecordNotProven for a response record another account wrote (the claim itself)', async function () {
      const { claims, patient, insurer, ref, claimRecord } = await loadFixture(submittedFixture);
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, claimRecord))
        .to.be.revertedWithCustomError(claims, 'RecordNotProven')
        .withArgs(patient.address, claimRecord.recordId, insurer.address);
    });

    it('reverts NotBillingRecord for a response record of another category', async function () {
      const { claims, medLedger, patient, insurer, ref, expiry } = await loadFixture(submittedFixture);
      await medLedger
        .connect(patient)
        .grant(insurer.address, READ_BILLING | WRITE_BILLING | WRITE_OBSERVATION, expiry, '0x');
      const observation = await recordOf(medLedger, insurer, patient.address, 'not a response', OBSERVATION);
      await expect(claims.connect(insurer).adjudicateClaim(ref, true, observation))
        .to.be.revertedWithCustomError(claims, 'NotBillingRecord')
        .withArgs(patient.address, observation.recordId, OBSERVATION);
    });
  });

  describe('payClaim', function () {
    it('marks an approved claim paid and emits ClaimPaid with the opaque payment reference', async function () {
      const { claims, patient, insurer, ref } = await loadFixture(approvedFixture);
      await expect(claims.connect(insurer).payClaim(ref, PAYMENT_REFERENCE))
        .to.emit(claims, 'ClaimPaid')
        .withArgs(1n, patient.address, insurer.address, PAYMENT_REFERENCE);
      expect(await statusOf(claims, ref)).to.deep.equal([Status.Paid, false]);
      expect(await stateByte(claims, ref)).to.equal(Status.Paid);
    });

    it('pays a disputed approved claim and keeps the dispute mark', async function () {
      const { claims, patient, insurer, ref, reason } = await loadFixture(approvedFixture);
      await claims.connect(patient).disputeClaim(ref, reason);
      await expect(claims.connect(insurer).payClaim(ref, PAYMENT_REFERENCE)).to.emit(claims, 'ClaimPaid');
      expect(await statusOf(claims, ref)).to.deep.equal([Status.Paid, true]);
      expect(await stateByte(claims, ref)).to.equal(Status.Paid | DISPUTED);
    });

    it('reverts InvalidClaimTransition for a submitted claim', async function () {
      const { claims, insurer, ref } = await loadFixture(submittedFixture);
      await expect(claims.connect(insurer).payClaim(ref, PAYMENT_REFERENCE))
        .to.be.revertedWithCustomError(claims, 'InvalidClaimTransition')
        .withArgs(ref.claimId, Status.Submitted, Status.Paid);
    });

    it('reverts InvalidClaimTransition for a denied claim', async function () {
      const { claims, insurer, ref } = await loadFixture(deniedFixture);
      await expect(claims.connect(insurer).payClaim(ref, PAYMENT_REFERENCE))
        .to.be.revertedWithCustomError(claims, 'InvalidClaimTransition')
        .withArgs(ref.claimId, Status.Denied, Status.Paid);
    });

    it('reverts InvalidClaimTransition for a paid claim', async function () {
      const { claims, insurer, ref } = await loadFixture(paidFixture);
      await expect(claims.connect(insurer).payClaim(ref, PAYMENT_REFERENCE))
        .to.be.revertedWithCustomError(claims, 'InvalidClaimTransition')
        .withArgs(ref.claimId, Status.Paid, Status.Paid);
    });

    it('reverts InvalidPaymentReference for a zero reference', async function () {
      const { claims, insurer, ref } = await loadFixture(approvedFixture);
      await expect(claims.connect(insurer).payClaim(ref, ethers.ZeroHash)).to.be.revertedWithCustomError(
        claims,
        'InvalidPaymentReference',
      );
    });

    it('reverts NotClaimInsurer for another insurer, the provider and the patient', async function () {
      const { claims, patient, lab, otherInsurer, ref } = await loadFixture(approvedFixture);
      for (const caller of [otherInsurer, lab, patient]) {
        await expect(claims.connect(caller).payClaim(ref, PAYMENT_REFERENCE))
          .to.be.revertedWithCustomError(claims, 'NotClaimInsurer')
          .withArgs(ref.claimId, caller.address);
      }
    });

    it('reverts InactiveParty for a suspended insurer', async function () {
      const { claims, medLedger, insurer, ref } = await loadFixture(approvedFixture);
      await medLedger.suspendProvider(insurer.address);
      await expect(claims.connect(insurer).payClaim(ref, PAYMENT_REFERENCE))
        .to.be.revertedWithCustomError(claims, 'InactiveParty')
        .withArgs(insurer.address);
    });

    it('reverts UnknownClaim for a reference with any field changed', async function () {
      const { claims, insurer, stranger, ref } = await loadFixture(approvedFixture);
      for (const [field, forged] of forgeries(ref, stranger.address)) {
        await expect(claims.connect(insurer).payClaim(forged, PAYMENT_REFERENCE), field)
          .to.be.revertedWithCustomError(claims, 'UnknownClaim')
          .withArgs(forged.claimId);
      }
    });
  });

  describe('disputeClaim', function () {
    for (const [name, fixture, status] of [
      ['an approved', approvedFixture, Status.Approved],
      ['a denied', deniedFixture, Status.Denied],
      ['a paid', paidFixture, Status.Paid],
    ] as const) {
      it(`marks ${name} claim disputed, keeps its status and emits ClaimDisputed`, async function () {
        const { claims, patient, insurer, ref, reason } = await loadFixture(fixture);
        await expect(claims.connect(patient).disputeClaim(ref, reason))
          .to.emit(claims, 'ClaimDisputed')
          .withArgs(1n, patient.address, insurer.address, reason.recordId);
        expect(await statusOf(claims, ref)).to.deep.equal([status, true]);
        expect(BigInt(await claims.claimState(ref.provider, ref.ciphertextHash))).to.equal(
          sealOf(ref) | status | DISPUTED,
        );
      });
    }

    it('reverts ClaimNotAdjudicated for a submitted claim', async function () {
      const { claims, medLedger, patient, ref } = await loadFixture(submittedFixture);
      const reason = await recordOf(medLedger, patient, patient.address, 'early dispute');
      await expect(claims.connect(patient).disputeClaim(ref, reason))
        .to.be.revertedWithCustomError(claims, 'ClaimNotAdjudicated')
        .withArgs(ref.claimId);
    });

    it('reverts ClaimAlreadyDisputed for a second dispute', async function () {
      const { claims, medLedger, patient, ref, reason } = await loadFixture(deniedFixture);
      await claims.connect(patient).disputeClaim(ref, reason);
      const again = await recordOf(medLedger, patient, patient.address, 'second dispute');
      await expect(claims.connect(patient).disputeClaim(ref, again))
        .to.be.revertedWithCustomError(claims, 'ClaimAlreadyDisputed')
        .withArgs(ref.claimId);
    });

    it('reverts NotClaimPatient for the insurer, the provider and another patient', async function () {
      const { claims, otherPatient, lab, insurer, ref, reason } = await loadFixture(deniedFixture);
      for (const caller of [insurer, lab, otherPatient]) {
        await expect(claims.connect(caller).disputeClaim(ref, reason))
          .to.be.revertedWithCustomError(claims, 'NotClaimPatient')
          .withArgs(ref.claimId, caller.address);
      }
    });

    it('reverts RecordNotProven for reasons the patient did not write (the insurer’s response)', async function () {
      const { claims, patient, ref, response } = await loadFixture(deniedFixture);
      await expect(claims.connect(patient).disputeClaim(ref, response))
        .to.be.revertedWithCustomError(claims, 'RecordNotProven')
        .withArgs(patient.address, response.recordId, patient.address);
    });

    it('reverts RecordNotProven for reasons in another patient’s history', async function () {
      const { claims, medLedger, patient, otherPatient, ref } = await loadFixture(deniedFixture);
      const elsewhere = await recordOf(medLedger, otherPatient, otherPatient.address, 'someone else’s reasons');
      await expect(claims.connect(patient).disputeClaim(ref, elsewhere))
        .to.be.revertedWithCustomError(claims, 'RecordNotProven')
        .withArgs(patient.address, elsewhere.recordId, patient.address);
    });

    it('reverts NotBillingRecord for reasons of another category', async function () {
      const { claims, medLedger, patient, ref } = await loadFixture(deniedFixture);
      const observation = await recordOf(medLedger, patient, patient.address, 'not reasons', OBSERVATION);
      await expect(claims.connect(patient).disputeClaim(ref, observation))
        .to.be.revertedWithCustomError(claims, 'NotBillingRecord')
        .withArgs(patient.address, observation.recordId, OBSERVATION);
    });

    it('reverts UnknownClaim for a reference with any field changed', async function () {
      const { claims, patient, stranger, ref, reason } = await loadFixture(deniedFixture);
      for (const [field, forged] of forgeries(ref, stranger.address)) {
        await expect(claims.connect(patient).disputeClaim(forged, reason), field)
          .to.be.revertedWithCustomError(claims, 'UnknownClaim')
          .withArgs(forged.claimId);
      }
    });

    it('reverts UnknownClaim for another patient naming themselves in the reference', async function () {
      const { claims, medLedger, otherPatient, ref } = await loadFixture(deniedFixture);
      const own = await recordOf(medLedger, otherPatient, otherPatient.address, 'hijacked dispute');
      await expect(claims.connect(otherPatient).disputeClaim({ ...ref, patient: otherPatient.address }, own))
        .to.be.revertedWithCustomError(claims, 'UnknownClaim')
        .withArgs(ref.claimId);
    });
  });

  describe('views', function () {
    it('claimState is zero for a ciphertext no claim of that provider names', async function () {
      const { claims, lab, doctor } = await loadFixture(submittedFixture);
      expect(await claims.claimState(lab.address, hashOf('never claimed'))).to.equal(ethers.ZeroHash);
      expect(await claims.claimState(doctor.address, hashOf('claim'))).to.equal(ethers.ZeroHash);
    });

    it('claimStatus reverts UnknownClaim for a reference with any field changed', async function () {
      const { claims, stranger, ref } = await loadFixture(submittedFixture);
      for (const [field, forged] of forgeries(ref, stranger.address)) {
        await expect(claims.claimStatus(forged), field)
          .to.be.revertedWithCustomError(claims, 'UnknownClaim')
          .withArgs(forged.claimId);
      }
    });

    it('sealClaim is the keccak-256 of the ABI-encoded reference with a zero low byte', async function () {
      const { claims, ref } = await loadFixture(submittedFixture);
      expect(BigInt(await claims.sealClaim(ref))).to.equal(sealOf(ref));
      expect(BigInt(await claims.sealClaim({ ...ref, claimId: 2n }))).to.not.equal(sealOf(ref));
    });

    it('claimCount counts every claim filed', async function () {
      const { claims, medLedger, patient, otherPatient, lab, insurer } = await loadFixture(submittedFixture);
      const second = await recordOf(medLedger, lab, otherPatient.address, 'other patient claim');
      await claims.connect(lab).submitClaim(otherPatient.address, insurer.address, second);
      const third = await recordOf(medLedger, lab, patient.address, 'third claim');
      await claims.connect(lab).submitClaim(patient.address, insurer.address, third);
      expect(await claims.claimCount()).to.equal(3n);
    });
  });

  describe('MedLedger views for the claims module', function () {
    it('batchDigest returns the stored digest of a batch to anyone, zero where no batch starts', async function () {
      const { medLedger, patient, stranger, claimRecord } = await loadFixture(claimsFixture);
      const [[digest]] = await medLedger.connect(patient).recordDigests(patient.address, claimRecord.firstId, 1n);
      expect(await medLedger.connect(stranger).batchDigest(patient.address, claimRecord.firstId)).to.equal(digest);
      expect(await medLedger.batchDigest(patient.address, claimRecord.firstId + 1n)).to.equal(ethers.ZeroHash);
    });

    it('providerKind names the kind of a provider, suspended or not, and None for anyone else', async function () {
      const { medLedger, insurer, lab, stranger } = await loadFixture(claimsFixture);
      await medLedger.suspendProvider(insurer.address);
      expect(await medLedger.providerKind(insurer.address)).to.equal(BigInt(ProviderKind.Insurer));
      expect(await medLedger.providerKind(lab.address)).to.equal(BigInt(ProviderKind.Lab));
      expect(await medLedger.providerKind(stranger.address)).to.equal(BigInt(ProviderKind.None));
    });
  });
});

function anyId(): boolean {
  return true;
}
