import { expect } from 'chai';
import type { ContractTransactionResponse } from 'ethers';

import {
  CONDITION,
  CONSENT_TYPES,
  OBSERVATION,
  ProviderKind,
  READ_CONDITION,
  READ_OBSERVATION,
  WRITE_OBSERVATION,
  cidOf,
  consentDomain,
  deployFixture,
  ethers,
  hashOf,
  keyOf,
  networkHelpers,
  registeredFixture,
} from './fixtures';
import { CHAIN_GENESIS, type RawLog, chainLeaf, foldChain, packHeaders, priorBatchOf } from './history';

const { loadFixture, time } = networkHelpers;

/** What every chain starts from (`ActivityChains.GENESIS`). */
const EMPTY_HEAD = CHAIN_GENESIS;

/**
 * A realistic day, every transaction's receipt logs kept in order: registrations, a grant and a narrowing
 * of it, a request and its denial, records, a logged read, a shared keyring, a consent by signature, a
 * cancelled consent, a revocation, and the directory's own events.
 */
async function activityFixture() {
  const fixture = await deployFixture();
  const { medLedger, admin, patient, doctor, lab, insurer, relayer } = fixture;
  const logs: RawLog[] = [];
  const send = async (tx: Promise<ContractTransactionResponse>) => {
    const receipt = await (await tx).wait();
    logs.push(...receipt!.logs);
  };
  const expiry = BigInt(await time.latest()) + 30n * 24n * 60n * 60n;

  await send(medLedger.connect(patient).registerPatient(keyOf('patient'), cidOf('profile:patient')));
  await send(medLedger.connect(admin).registerProvider(doctor.address, ProviderKind.Doctor, ethers.id('licence:doctor')));
  await send(medLedger.connect(admin).registerProvider(lab.address, ProviderKind.Lab, ethers.id('licence:lab')));
  await send(medLedger.connect(admin).registerProvider(insurer.address, ProviderKind.Insurer, ethers.id('licence:ins')));
  await send(medLedger.connect(doctor).setProviderKey(keyOf('doctor')));
  await send(medLedger.connect(admin).setProviderProfile(doctor.address, cidOf('doctor profile'), hashOf('doctor')));
  await send(medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION | READ_CONDITION, expiry, cidOf('kr')));
  await send(medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, expiry, cidOf('kr narrow')));
  await send(medLedger.connect(patient).grant(lab.address, WRITE_OBSERVATION | READ_OBSERVATION, expiry, '0x'));
  await send(medLedger.connect(insurer).requestAccess(patient.address, READ_CONDITION));
  await send(medLedger.connect(patient).denyRequest(insurer.address));
  await send(
    medLedger
      .connect(patient)
      .addRecords(
        patient.address,
        packHeaders([
          { category: OBSERVATION, supersedes: 0, ciphertextHash: hashOf('o'), cid: cidOf('o') },
          { category: CONDITION, supersedes: 0, ciphertextHash: hashOf('c'), cid: cidOf('c') },
        ]),
      ),
  );
  await send(medLedger.connect(lab).addRecord(patient.address, cidOf('lab'), hashOf('lab'), OBSERVATION, 0));
  await send(medLedger.connect(doctor).logAccess(patient.address, [1n, 3n], 1));
  await send(medLedger.connect(patient).shareKeyring(doctor.address, cidOf('kr epoch 1')));

  const terms = {
    patient: patient.address,
    provider: insurer.address,
    scopes: READ_CONDITION,
    expiry,
    keyring: cidOf('kr insurer'),
    revocations: 0n,
    nonce: await medLedger.nonces(patient.address),
    deadline: expiry,
  };
  const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
  await send(
    medLedger
      .connect(relayer)
      .grantBySig(
        terms.patient,
        terms.provider,
        terms.scopes,
        terms.expiry,
        terms.keyring,
        terms.revocations,
        terms.nonce,
        terms.deadline,
        signature,
      ),
  );
  await send(medLedger.connect(patient).cancelConsentSignature(await medLedger.nonces(patient.address)));
  await send(medLedger.connect(patient).revoke(lab.address));
  await send(medLedger.connect(admin).suspendProvider(insurer.address));
  await send(medLedger.connect(admin).reinstateProvider(insurer.address));
  await send(medLedger.connect(patient).rotatePatientKey(keyOf('patient 2')));
  await send(medLedger.connect(patient).updatePatientProfile(cidOf('profile:patient 2')));
  return { ...fixture, logs };
}

describe('MedLedger activity chains', function () {
  describe('activityChain', function () {
    it('is empty for an account with no chained events', async function () {
      const { medLedger, otherPatient } = await loadFixture(activityFixture);
      expect(await medLedger.activityChain(otherPatient.address)).to.deep.equal([0n, EMPTY_HEAD]);
    });

    it('extends by bytes24(keccak256(head ‖ leaf)), the leaf hashing topic0, both parties and the data', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const expiry = BigInt(await time.latest()) + 3600n;
      await medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, expiry, cidOf('kr'));
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const leaf = ethers.keccak256(
        coder.encode(
          ['bytes32', 'address', 'address', 'bytes32'],
          [
            medLedger.interface.getEvent('AccessGranted').topicHash,
            patient.address,
            doctor.address,
            ethers.keccak256(coder.encode(['uint64', 'uint40', 'bytes'], [READ_OBSERVATION, expiry, cidOf('kr')])),
          ],
        ),
      );
      const head = ethers.dataSlice(ethers.keccak256(ethers.concat([EMPTY_HEAD, leaf])), 0, 24);
      expect(await medLedger.activityChain(patient.address)).to.deep.equal([1n, head]);
      expect(await medLedger.activityChain(doctor.address)).to.deep.equal([1n, head]);
    });
  });

  describe('folded from receipts’ raw logs', function () {
    it('matches the patient’s chain: consent events, shared keyrings and logged reads', async function () {
      const { medLedger, patient, logs } = await loadFixture(activityFixture);
      const folded = foldChain(medLedger, logs, patient.address);
      // grant, narrowing (revoked + granted), grant, request, denial, logged read, keyring, grantBySig, revoke
      expect(folded.length).to.equal(10n);
      expect(await medLedger.activityChain(patient.address)).to.deep.equal([folded.length, folded.head]);
    });

    it('matches each provider’s chain: consent events only, not keyrings nor logged reads', async function () {
      const { medLedger, doctor, lab, insurer, logs } = await loadFixture(activityFixture);
      for (const [provider, length] of [
        [doctor, 3n],
        [lab, 2n],
        [insurer, 3n],
      ] as const) {
        const folded = foldChain(medLedger, logs, provider.address);
        expect(folded.length).to.equal(length);
        expect(await medLedger.activityChain(provider.address)).to.deep.equal([folded.length, folded.head]);
      }
    });

    it('matches the directory’s chain under the zero address', async function () {
      const { medLedger, logs } = await loadFixture(activityFixture);
      const folded = foldChain(medLedger, logs, ethers.ZeroAddress);
      // three registrations, a key, a profile, a suspension and a reinstatement
      expect(folded.length).to.equal(7n);
      expect(await medLedger.activityChain(ethers.ZeroAddress)).to.deep.equal([folded.length, folded.head]);
    });

    it('exposes a list with an event left out or altered', async function () {
      const { medLedger, patient, logs } = await loadFixture(activityFixture);
      const chained = await medLedger.activityChain(patient.address);
      const logged = medLedger.interface.getEvent('AccessLogged').topicHash;
      const withoutRead = logs.filter((log) => log.topics[0] !== logged);
      expect(foldChain(medLedger, withoutRead, patient.address).head).to.not.equal(chained[1]);
      const altered = logs.map((log) => (log.topics[0] === logged ? { ...log, data: ethers.concat([log.data, '0x00']) } : log));
      expect(foldChain(medLedger, altered, patient.address)).to.not.deep.equal({ length: chained[0], head: chained[1] });
      expect(chainLeaf(altered.find((log) => log.topics[0] === logged)!)).to.not.equal(
        chainLeaf(logs.find((log) => log.topics[0] === logged)!),
      );
    });
  });

  describe('events that are not chained', function () {
    /** Every chain the activity fixture touched, as [length, head]. */
    async function chainsOf(fixture: Awaited<ReturnType<typeof activityFixture>>) {
      const { medLedger, patient, otherPatient, doctor, lab, insurer } = fixture;
      const accounts = [patient, otherPatient, doctor, lab, insurer].map((signer) => signer.address);
      return Promise.all([...accounts, ethers.ZeroAddress].map((account) => medLedger.activityChain(account)));
    }

    it('leave every chain unchanged: records, corrections, patient registry events, cancelled consents', async function () {
      const fixture = await loadFixture(activityFixture);
      const { medLedger, patient, otherPatient, lab } = fixture;
      const before = await chainsOf(fixture);
      await medLedger.connect(otherPatient).registerPatient(keyOf('other'), cidOf('profile:other'));
      await medLedger.connect(otherPatient).rotatePatientKey(keyOf('other 2'));
      await medLedger.connect(otherPatient).updatePatientProfile(cidOf('profile:other 2'));
      await medLedger.connect(patient).cancelConsentSignature(await medLedger.nonces(patient.address));
      await medLedger.connect(patient).addRecord(patient.address, cidOf('fix'), hashOf('fix'), OBSERVATION, 1);
      await medLedger
        .connect(patient)
        .addRecords(patient.address, packHeaders([{ category: CONDITION, supersedes: 2, ciphertextHash: hashOf('c2'), cid: cidOf('c2') }]));
      expect(await chainsOf(fixture)).to.deep.equal(before);
      await medLedger.connect(patient).grant(lab.address, WRITE_OBSERVATION, BigInt(await time.latest()) + 3600n, '0x');
      const afterGrant = await chainsOf(fixture);
      await medLedger
        .connect(lab)
        .correctRecord(
          patient.address,
          { cid: cidOf('lab fix'), ciphertextHash: hashOf('lab fix'), category: OBSERVATION, supersedes: 3n },
          await priorBatchOf(medLedger, patient.address, 3n),
        );
      expect(await chainsOf(fixture)).to.deep.equal(afterGrant);
    });
  });
});
