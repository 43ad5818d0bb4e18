import { expect } from 'chai';

import {
  CONSENT_TYPES,
  READ_CONDITION,
  READ_OBSERVATION,
  ONE_DAY,
  WRITE_OBSERVATION,
  type ConsentTerms,
  cidOf,
  consentDomain,
  ethers,
  grantedFixture,
  networkHelpers,
  registeredFixture,
} from './fixtures';
import type { MedLedger } from '../../typechain-types';

const { loadFixture, time } = networkHelpers;

async function inDays(days: number): Promise<bigint> {
  return BigInt((await time.latest()) + days * 24 * 60 * 60);
}

async function consentTerms(medLedger: MedLedger, patient: string, provider: string): Promise<ConsentTerms> {
  return {
    patient,
    provider,
    scopes: READ_OBSERVATION,
    expiry: await inDays(30),
    keyring: cidOf('keyring:sig'),
    revocations: (await medLedger.grantOf(patient, provider)).revocations,
    nonce: await medLedger.nonces(patient),
    deadline: await inDays(1),
  };
}

function submit(medLedger: MedLedger, terms: ConsentTerms, signature: string) {
  return medLedger.grantBySig(
    terms.patient,
    terms.provider,
    terms.scopes,
    terms.expiry,
    terms.keyring,
    terms.revocations,
    terms.nonce,
    terms.deadline,
    signature,
  );
}

describe('MedLedger consent', function () {
  describe('seed step 4: grant', function () {
    it('grants scopes until an expiry and emits AccessGranted with the keyring CID', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const expiry = await inDays(7);
      await expect(medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, expiry, cidOf('keyring')))
        .to.emit(medLedger, 'AccessGranted')
        .withArgs(patient.address, doctor.address, READ_OBSERVATION, expiry, cidOf('keyring'));
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(true);
      const grant = await medLedger.grantOf(patient.address, doctor.address);
      expect(grant.scopes).to.equal(READ_OBSERVATION);
      expect(grant.expiry).to.equal(expiry);
      expect(grant.grantedAt).to.equal(BigInt(await time.latest()));
    });

    it('replaces an earlier grant to the same provider', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      await medLedger.connect(patient).grant(doctor.address, READ_CONDITION, await inDays(1), '0x');
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_CONDITION)).to.equal(true);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(false);
    });

    it('reverts PatientNotRegistered when the caller is not a patient', async function () {
      const { medLedger, stranger, doctor } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(stranger).grant(doctor.address, READ_OBSERVATION, await inDays(1), '0x'))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });

    it('reverts ProviderNotRegistered for an unregistered provider', async function () {
      const { medLedger, patient, stranger } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).grant(stranger.address, READ_OBSERVATION, await inDays(1), '0x'))
        .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
        .withArgs(stranger.address);
    });

    it('reverts ProviderIsSuspended for a suspended provider', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await medLedger.suspendProvider(doctor.address);
      await expect(medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, await inDays(1), '0x'))
        .to.be.revertedWithCustomError(medLedger, 'ProviderIsSuspended')
        .withArgs(doctor.address);
    });

    it('reverts InvalidScopes for empty scopes', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).grant(doctor.address, 0n, await inDays(1), '0x'))
        .to.be.revertedWithCustomError(medLedger, 'InvalidScopes')
        .withArgs(0n);
    });

    it('reverts GrantExpiryInPast for an expiry that is not in the future', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const now = BigInt(await time.latest());
      await time.setNextBlockTimestamp(now + 10n);
      await expect(medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, now + 10n, '0x'))
        .to.be.revertedWithCustomError(medLedger, 'GrantExpiryInPast')
        .withArgs(now + 10n, now + 10n);
    });

    it('reverts InvalidCid for a keyring CID longer than MAX_CID_LENGTH', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await expect(
        medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, await inDays(1), ethers.hexlify(new Uint8Array(129))),
      )
        .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
        .withArgs(129n);
    });
  });

  describe('narrowing a grant', function () {
    it('starts a new key epoch, announced before the new grant, when a read scope is dropped', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(grantedFixture);
      const tx = medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, expiry, cidOf('keyring:narrow'));
      await expect(tx).to.emit(medLedger, 'AccessRevoked').withArgs(patient.address, doctor.address, 1n);
      await expect(tx)
        .to.emit(medLedger, 'AccessGranted')
        .withArgs(patient.address, doctor.address, READ_OBSERVATION, expiry, cidOf('keyring:narrow'));
      const logs = (await (await tx).wait())!.logs.map((log) => medLedger.interface.parseLog(log)?.name);
      expect(logs).to.deep.equal(['AccessRevoked', 'AccessGranted']);
      expect((await medLedger.patientInfo(patient.address)).keyEpoch).to.equal(1n);
    });

    it('starts a new epoch even when the narrowed grant had expired', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(grantedFixture);
      await time.increaseTo(expiry + 1n);
      await medLedger.connect(patient).grant(doctor.address, READ_CONDITION, expiry + ONE_DAY, cidOf('keyring:late'));
      expect((await medLedger.patientInfo(patient.address)).keyEpoch).to.equal(1n);
    });

    it('keeps the epoch for a grant that widens or only drops write scopes', async function () {
      const { medLedger, patient, doctor, lab, expiry } = await loadFixture(grantedFixture);
      await expect(
        medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION | READ_CONDITION | WRITE_OBSERVATION, expiry, '0x'),
      ).not.to.emit(medLedger, 'AccessRevoked');
      await expect(medLedger.connect(patient).grant(lab.address, READ_OBSERVATION, expiry, '0x')).not.to.emit(
        medLedger,
        'AccessRevoked',
      );
      expect((await medLedger.patientInfo(patient.address)).keyEpoch).to.equal(0n);
    });
  });

  describe('seed step 5: revoke', function () {
    it('removes the grant, starts a new key epoch and emits AccessRevoked', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(patient).revoke(doctor.address))
        .to.emit(medLedger, 'AccessRevoked')
        .withArgs(patient.address, doctor.address, 1n);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(false);
      expect((await medLedger.grantOf(patient.address, doctor.address)).scopes).to.equal(0n);
      expect((await medLedger.patientInfo(patient.address)).keyEpoch).to.equal(1n);
    });

    it('revokes an expired grant too', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(grantedFixture);
      await time.increaseTo(expiry + 1n);
      await expect(medLedger.connect(patient).revoke(doctor.address)).to.emit(medLedger, 'AccessRevoked');
    });

    it('counts the revocation in the grant, which later grants keep', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(grantedFixture);
      await medLedger.connect(patient).revoke(doctor.address);
      await medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, expiry, cidOf('keyring:again'));
      const grant = await medLedger.grantOf(patient.address, doctor.address);
      expect(grant.revocations).to.equal(1n);
      expect(grant.scopes).to.equal(READ_OBSERVATION);
    });

    it('reverts NoGrant when the caller has no grant to the provider', async function () {
      const { medLedger, patient, insurer } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(patient).revoke(insurer.address))
        .to.be.revertedWithCustomError(medLedger, 'NoGrant')
        .withArgs(patient.address, insurer.address);
    });
  });

  describe('hasAccess', function () {
    it('is true only while the grant holds every requested scope', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION | READ_CONDITION)).to.equal(true);
      expect(await medLedger.hasAccess(patient.address, doctor.address, WRITE_OBSERVATION)).to.equal(false);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION | WRITE_OBSERVATION)).to.equal(
        false,
      );
    });

    it('is false for an empty scope request', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      expect(await medLedger.hasAccess(patient.address, doctor.address, 0n)).to.equal(false);
    });

    it('is false once the grant expires (expired = no grant)', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(grantedFixture);
      await time.increaseTo(expiry - 1n);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(true);
      await time.increaseTo(expiry);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(false);
    });

    it('is false while the provider is suspended and true again once reinstated', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      await medLedger.suspendProvider(doctor.address);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(false);
      await medLedger.reinstateProvider(doctor.address);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(true);
    });

    it('is false for an unregistered patient or provider', async function () {
      const { medLedger, patient, stranger, doctor } = await loadFixture(grantedFixture);
      expect(await medLedger.hasAccess(stranger.address, doctor.address, READ_OBSERVATION)).to.equal(false);
      expect(await medLedger.hasAccess(patient.address, stranger.address, READ_OBSERVATION)).to.equal(false);
    });
  });

  describe('requestAccess', function () {
    it('emits AccessRequested from an active provider', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(doctor).requestAccess(patient.address, READ_OBSERVATION))
        .to.emit(medLedger, 'AccessRequested')
        .withArgs(patient.address, doctor.address, READ_OBSERVATION);
    });

    it('reverts ProviderNotRegistered for a caller that is not a provider', async function () {
      const { medLedger, patient, stranger } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(stranger).requestAccess(patient.address, READ_OBSERVATION))
        .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
        .withArgs(stranger.address);
    });

    it('reverts ProviderIsSuspended for a suspended provider', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await medLedger.suspendProvider(doctor.address);
      await expect(medLedger.connect(doctor).requestAccess(patient.address, READ_OBSERVATION))
        .to.be.revertedWithCustomError(medLedger, 'ProviderIsSuspended')
        .withArgs(doctor.address);
    });

    it('reverts PatientNotRegistered for an unknown patient', async function () {
      const { medLedger, doctor, stranger } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(doctor).requestAccess(stranger.address, READ_OBSERVATION))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });

    it('reverts InvalidScopes for empty scopes', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(doctor).requestAccess(patient.address, 0n))
        .to.be.revertedWithCustomError(medLedger, 'InvalidScopes')
        .withArgs(0n);
    });

    it('is approved by a grant of the requested scopes', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await medLedger.connect(doctor).requestAccess(patient.address, READ_OBSERVATION);
      await medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION, await inDays(1), cidOf('keyring'));
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(true);
    });
  });

  describe('denyRequest', function () {
    it('emits AccessRequestDenied and grants nothing', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      await medLedger.connect(doctor).requestAccess(patient.address, READ_OBSERVATION);
      await expect(medLedger.connect(patient).denyRequest(doctor.address))
        .to.emit(medLedger, 'AccessRequestDenied')
        .withArgs(patient.address, doctor.address);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(false);
    });

    it('reverts PatientNotRegistered for a caller that is not a patient', async function () {
      const { medLedger, doctor, stranger } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(stranger).denyRequest(doctor.address))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });

    it('reverts ProviderNotRegistered for an unknown provider', async function () {
      const { medLedger, patient, stranger } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).denyRequest(stranger.address))
        .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
        .withArgs(stranger.address);
    });
  });

  describe('shareKeyring', function () {
    it('emits KeyringShared with the current key epoch', async function () {
      const { medLedger, patient, doctor, lab } = await loadFixture(grantedFixture);
      await medLedger.connect(patient).revoke(lab.address);
      await expect(medLedger.connect(patient).shareKeyring(doctor.address, cidOf('keyring:epoch1')))
        .to.emit(medLedger, 'KeyringShared')
        .withArgs(patient.address, doctor.address, 1n, cidOf('keyring:epoch1'));
    });

    it('reverts NoGrant for a provider without a grant', async function () {
      const { medLedger, patient, insurer } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(patient).shareKeyring(insurer.address, cidOf('k')))
        .to.be.revertedWithCustomError(medLedger, 'NoGrant')
        .withArgs(patient.address, insurer.address);
    });

    it('reverts InvalidCid for an empty keyring', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(patient).shareKeyring(doctor.address, '0x'))
        .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
        .withArgs(0n);
    });

    it('reverts PatientNotRegistered for a caller that is not a patient', async function () {
      const { medLedger, stranger, doctor } = await loadFixture(grantedFixture);
      await expect(medLedger.connect(stranger).shareKeyring(doctor.address, cidOf('k')))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });
  });

  describe('grantBySig', function () {
    it('applies a consent signed by the patient and submitted by the provider', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(submit(medLedger.connect(doctor), terms, signature))
        .to.emit(medLedger, 'AccessGranted')
        .withArgs(patient.address, doctor.address, terms.scopes, terms.expiry, terms.keyring);
      expect(await medLedger.hasAccess(patient.address, doctor.address, READ_OBSERVATION)).to.equal(true);
      expect(await medLedger.nonces(patient.address)).to.equal(terms.nonce + 1n);
    });

    it('exposes the domain separator the signature is bound to', async function () {
      const { medLedger } = await loadFixture(registeredFixture);
      expect(await medLedger.DOMAIN_SEPARATOR()).to.equal(
        ethers.TypedDataEncoder.hashDomain(await consentDomain(medLedger)),
      );
    });

    it('reverts InvalidAccountNonce when the same signature is submitted twice', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await submit(medLedger, terms, signature);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'InvalidAccountNonce')
        .withArgs(patient.address, terms.nonce + 1n);
    });

    it('reverts InvalidConsentSignature for a signature made for another chain', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger, 1n), CONSENT_TYPES, terms);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'InvalidConsentSignature')
        .withArgs(patient.address);
    });

    it('reverts InvalidConsentSignature for a signature made for another contract', async function () {
      const { medLedger, modelRegistry, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const domain = { ...(await consentDomain(medLedger)), verifyingContract: await modelRegistry.getAddress() };
      const signature = await patient.signTypedData(domain, CONSENT_TYPES, terms);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'InvalidConsentSignature')
        .withArgs(patient.address);
    });

    it('reverts InvalidConsentSignature when the terms were changed after signing', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(submit(medLedger, { ...terms, scopes: READ_OBSERVATION | WRITE_OBSERVATION }, signature))
        .to.be.revertedWithCustomError(medLedger, 'InvalidConsentSignature')
        .withArgs(patient.address);
    });

    it('reverts InvalidConsentSignature when someone other than the patient signed', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await doctor.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'InvalidConsentSignature')
        .withArgs(patient.address);
    });

    it('reverts ConsentSignatureExpired after the deadline', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await time.setNextBlockTimestamp(terms.deadline + 1n);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'ConsentSignatureExpired')
        .withArgs(terms.deadline, terms.deadline + 1n);
    });

    it('reverts PatientNotRegistered for a signer that never registered', async function () {
      const { medLedger, stranger, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, stranger.address, doctor.address);
      const signature = await stranger.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
        .withArgs(stranger.address);
    });

    it('accepts an ERC-1271 smart-contract wallet patient', async function () {
      const { medLedger, stranger, doctor } = await loadFixture(registeredFixture);
      const wallet = await ethers.deployContract('ERC1271WalletMock', [stranger.address]);
      const walletAddress = await wallet.getAddress();
      const register = medLedger.interface.encodeFunctionData('registerPatient', [ethers.id('wallet key'), cidOf('w')]);
      await wallet.connect(stranger).execute(await medLedger.getAddress(), register);
      const terms = await consentTerms(medLedger, walletAddress, doctor.address);
      const signature = await stranger.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(submit(medLedger, terms, signature)).to.emit(medLedger, 'AccessGranted');
      expect(await medLedger.hasAccess(walletAddress, doctor.address, READ_OBSERVATION)).to.equal(true);
    });

    it('rejects an ERC-1271 wallet signature by a key that does not own the wallet', async function () {
      const { medLedger, stranger, doctor, relayer } = await loadFixture(registeredFixture);
      const wallet = await ethers.deployContract('ERC1271WalletMock', [stranger.address]);
      const walletAddress = await wallet.getAddress();
      const terms = await consentTerms(medLedger, walletAddress, doctor.address);
      const signature = await relayer.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'InvalidConsentSignature')
        .withArgs(walletAddress);
    });
  });

  describe('grantBySig after a revocation', function () {
    it('reverts ConsentPredatesRevocation for a consent signed before the provider was revoked', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await medLedger.connect(patient).revoke(doctor.address);
      await expect(submit(medLedger.connect(doctor), terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'ConsentPredatesRevocation')
        .withArgs(patient.address, doctor.address, 0n, 1n);
    });

    it('still refuses it after the patient grants the provider again another way', async function () {
      const { medLedger, patient, doctor, expiry } = await loadFixture(grantedFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await medLedger.connect(patient).revoke(doctor.address);
      await medLedger.connect(patient).grant(doctor.address, READ_CONDITION, expiry, '0x');
      await expect(submit(medLedger.connect(doctor), terms, signature)).to.be.revertedWithCustomError(
        medLedger,
        'ConsentPredatesRevocation',
      );
    });

    it('applies a consent signed after the revocation', async function () {
      const { medLedger, patient, doctor } = await loadFixture(grantedFixture);
      await medLedger.connect(patient).revoke(doctor.address);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      expect(terms.revocations).to.equal(1n);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(submit(medLedger.connect(doctor), terms, signature)).to.emit(medLedger, 'AccessGranted');
    });

    it('does not let a revocation of one provider touch consents signed for another', async function () {
      const { medLedger, patient, doctor, lab } = await loadFixture(grantedFixture);
      const terms = await consentTerms(medLedger, patient.address, lab.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await medLedger.connect(patient).revoke(doctor.address);
      await expect(submit(medLedger.connect(lab), terms, signature)).to.emit(medLedger, 'AccessGranted');
    });
  });

  describe('cancelConsentSignature', function () {
    it('uses up the nonce so a signed but unsubmitted consent can no longer be applied', async function () {
      const { medLedger, patient, doctor } = await loadFixture(registeredFixture);
      const terms = await consentTerms(medLedger, patient.address, doctor.address);
      const signature = await patient.signTypedData(await consentDomain(medLedger), CONSENT_TYPES, terms);
      await expect(medLedger.connect(patient).cancelConsentSignature(terms.nonce))
        .to.emit(medLedger, 'ConsentSignatureCancelled')
        .withArgs(patient.address, terms.nonce);
      await expect(submit(medLedger, terms, signature))
        .to.be.revertedWithCustomError(medLedger, 'InvalidAccountNonce')
        .withArgs(patient.address, terms.nonce + 1n);
    });

    it('reverts InvalidAccountNonce for a nonce that is not the current one', async function () {
      const { medLedger, patient } = await loadFixture(registeredFixture);
      await expect(medLedger.connect(patient).cancelConsentSignature(5n))
        .to.be.revertedWithCustomError(medLedger, 'InvalidAccountNonce')
        .withArgs(patient.address, 0n);
    });
  });
});
