import { expect } from 'chai';

import {
  ADMIN_DELAY,
  ProviderKind,
  cidOf,
  deployFixture,
  ethers,
  keyOf,
  networkHelpers,
  registeredFixture,
} from './fixtures';

const { loadFixture } = networkHelpers;

describe('MedLedger registries', function () {
  describe('seed step 1: patients', function () {
    describe('registerPatient', function () {
      it('registers the caller with its encryption key and emits PatientRegistered with the profile CID', async function () {
        const { medLedger, patient } = await loadFixture(deployFixture);
        await expect(medLedger.connect(patient).registerPatient(keyOf('p'), cidOf('profile')))
          .to.emit(medLedger, 'PatientRegistered')
          .withArgs(patient.address, keyOf('p'), cidOf('profile'));
        expect(await medLedger.isPatient(patient.address)).to.equal(true);
        const info = await medLedger.patientInfo(patient.address);
        expect(info.encryptionKey).to.equal(keyOf('p'));
        expect(info.registeredAt).to.equal(BigInt(await networkHelpers.time.latest()));
        expect(info.keyVersion).to.equal(0n);
        expect(info.recordCount).to.equal(0n);
      });

      it('reverts PatientAlreadyRegistered on a second registration', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).registerPatient(keyOf('again'), cidOf('again')))
          .to.be.revertedWithCustomError(medLedger, 'PatientAlreadyRegistered')
          .withArgs(patient.address);
      });

      it('reverts InvalidEncryptionKey for a zero key', async function () {
        const { medLedger, patient } = await loadFixture(deployFixture);
        await expect(
          medLedger.connect(patient).registerPatient(ethers.ZeroHash, cidOf('profile')),
        ).to.be.revertedWithCustomError(medLedger, 'InvalidEncryptionKey');
      });

      it('reverts InvalidCid for an empty profile CID', async function () {
        const { medLedger, patient } = await loadFixture(deployFixture);
        await expect(medLedger.connect(patient).registerPatient(keyOf('p'), '0x'))
          .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
          .withArgs(0n);
      });

      it('reverts InvalidCid for a profile CID longer than MAX_CID_LENGTH', async function () {
        const { medLedger, patient } = await loadFixture(deployFixture);
        const max = await medLedger.MAX_CID_LENGTH();
        await expect(medLedger.connect(patient).registerPatient(keyOf('p'), ethers.hexlify(new Uint8Array(Number(max) + 1))))
          .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
          .withArgs(max + 1n);
      });
    });

    describe('rotatePatientKey', function () {
      it('replaces the key, bumps the key version and emits PatientKeyRotated', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).rotatePatientKey(keyOf('new')))
          .to.emit(medLedger, 'PatientKeyRotated')
          .withArgs(patient.address, keyOf('new'), 1n);
        const info = await medLedger.patientInfo(patient.address);
        expect(info.encryptionKey).to.equal(keyOf('new'));
        expect(info.keyVersion).to.equal(1n);
      });

      it('reverts PatientNotRegistered for an unregistered caller', async function () {
        const { medLedger, stranger } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(stranger).rotatePatientKey(keyOf('x')))
          .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
          .withArgs(stranger.address);
      });

      it('reverts InvalidEncryptionKey for a zero key', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).rotatePatientKey(ethers.ZeroHash)).to.be.revertedWithCustomError(
          medLedger,
          'InvalidEncryptionKey',
        );
      });
    });

    describe('updatePatientProfile', function () {
      it('emits PatientProfileUpdated with the new CID', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).updatePatientProfile(cidOf('profile v2')))
          .to.emit(medLedger, 'PatientProfileUpdated')
          .withArgs(patient.address, cidOf('profile v2'));
      });

      it('reverts PatientNotRegistered for an unregistered caller', async function () {
        const { medLedger, stranger } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(stranger).updatePatientProfile(cidOf('x')))
          .to.be.revertedWithCustomError(medLedger, 'PatientNotRegistered')
          .withArgs(stranger.address);
      });

      it('reverts InvalidCid for an empty CID', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).updatePatientProfile('0x'))
          .to.be.revertedWithCustomError(medLedger, 'InvalidCid')
          .withArgs(0n);
      });
    });
  });

  describe('seed step 2: providers', function () {
    describe('registerProvider', function () {
      it('lets the admin register a doctor and emits ProviderRegistered', async function () {
        const { medLedger, admin, doctor } = await loadFixture(deployFixture);
        await expect(medLedger.registerProvider(doctor.address, ProviderKind.Doctor, ethers.id('licence')))
          .to.emit(medLedger, 'ProviderRegistered')
          .withArgs(doctor.address, ProviderKind.Doctor, ethers.id('licence'), admin.address);
        const info = await medLedger.providerInfo(doctor.address);
        expect(info.kind).to.equal(BigInt(ProviderKind.Doctor));
        expect(info.credentialHash).to.equal(ethers.id('licence'));
        expect(info.suspended).to.equal(false);
        expect(await medLedger.isActiveProvider(doctor.address)).to.equal(true);
      });

      it('registers labs and insurers', async function () {
        const { medLedger, lab, insurer } = await loadFixture(registeredFixture);
        expect((await medLedger.providerInfo(lab.address)).kind).to.equal(BigInt(ProviderKind.Lab));
        expect((await medLedger.providerInfo(insurer.address)).kind).to.equal(BigInt(ProviderKind.Insurer));
      });

      it('reverts AccessControlUnauthorizedAccount for a caller without the provider-admin role', async function () {
        const { medLedger, stranger, doctor } = await loadFixture(deployFixture);
        await expect(medLedger.connect(stranger).registerProvider(doctor.address, ProviderKind.Doctor, ethers.ZeroHash))
          .to.be.revertedWithCustomError(medLedger, 'AccessControlUnauthorizedAccount')
          .withArgs(stranger.address, await medLedger.PROVIDER_ADMIN_ROLE());
      });

      it('reverts ProviderAlreadyRegistered on a second registration', async function () {
        const { medLedger, doctor } = await loadFixture(registeredFixture);
        await expect(medLedger.registerProvider(doctor.address, ProviderKind.Lab, ethers.ZeroHash))
          .to.be.revertedWithCustomError(medLedger, 'ProviderAlreadyRegistered')
          .withArgs(doctor.address);
      });

      it('reverts InvalidProviderKind for kind None', async function () {
        const { medLedger, doctor } = await loadFixture(deployFixture);
        await expect(medLedger.registerProvider(doctor.address, ProviderKind.None, ethers.ZeroHash))
          .to.be.revertedWithCustomError(medLedger, 'InvalidProviderKind')
          .withArgs(ProviderKind.None);
      });

      it('reverts InvalidProviderAddress for the zero address', async function () {
        const { medLedger } = await loadFixture(deployFixture);
        await expect(medLedger.registerProvider(ethers.ZeroAddress, ProviderKind.Doctor, ethers.ZeroHash))
          .to.be.revertedWithCustomError(medLedger, 'InvalidProviderAddress')
          .withArgs(ethers.ZeroAddress);
      });
    });

    describe('suspendProvider', function () {
      it('suspends an active provider and emits ProviderSuspended', async function () {
        const { medLedger, admin, doctor } = await loadFixture(registeredFixture);
        await expect(medLedger.suspendProvider(doctor.address))
          .to.emit(medLedger, 'ProviderSuspended')
          .withArgs(doctor.address, admin.address);
        expect((await medLedger.providerInfo(doctor.address)).suspended).to.equal(true);
        expect(await medLedger.isActiveProvider(doctor.address)).to.equal(false);
      });

      it('reverts ProviderIsSuspended when already suspended', async function () {
        const { medLedger, doctor } = await loadFixture(registeredFixture);
        await medLedger.suspendProvider(doctor.address);
        await expect(medLedger.suspendProvider(doctor.address))
          .to.be.revertedWithCustomError(medLedger, 'ProviderIsSuspended')
          .withArgs(doctor.address);
      });

      it('reverts ProviderNotRegistered for an unknown address', async function () {
        const { medLedger, stranger } = await loadFixture(registeredFixture);
        await expect(medLedger.suspendProvider(stranger.address))
          .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
          .withArgs(stranger.address);
      });

      it('reverts AccessControlUnauthorizedAccount for a non-admin', async function () {
        const { medLedger, doctor, lab } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(lab).suspendProvider(doctor.address))
          .to.be.revertedWithCustomError(medLedger, 'AccessControlUnauthorizedAccount')
          .withArgs(lab.address, await medLedger.PROVIDER_ADMIN_ROLE());
      });
    });

    describe('reinstateProvider', function () {
      it('reinstates a suspended provider and emits ProviderReinstated', async function () {
        const { medLedger, admin, doctor } = await loadFixture(registeredFixture);
        await medLedger.suspendProvider(doctor.address);
        await expect(medLedger.reinstateProvider(doctor.address))
          .to.emit(medLedger, 'ProviderReinstated')
          .withArgs(doctor.address, admin.address);
        expect(await medLedger.isActiveProvider(doctor.address)).to.equal(true);
      });

      it('reverts ProviderNotSuspended for an active provider', async function () {
        const { medLedger, doctor } = await loadFixture(registeredFixture);
        await expect(medLedger.reinstateProvider(doctor.address))
          .to.be.revertedWithCustomError(medLedger, 'ProviderNotSuspended')
          .withArgs(doctor.address);
      });

      it('reverts AccessControlUnauthorizedAccount for a non-admin', async function () {
        const { medLedger, doctor } = await loadFixture(registeredFixture);
        await medLedger.suspendProvider(doctor.address);
        await expect(medLedger.connect(doctor).reinstateProvider(doctor.address))
          .to.be.revertedWithCustomError(medLedger, 'AccessControlUnauthorizedAccount')
          .withArgs(doctor.address, await medLedger.PROVIDER_ADMIN_ROLE());
      });
    });

    describe('setProviderKey', function () {
      it('publishes the provider key, bumps its version and emits ProviderKeyRotated', async function () {
        const { medLedger, insurer } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(insurer).setProviderKey(keyOf('insurer')))
          .to.emit(medLedger, 'ProviderKeyRotated')
          .withArgs(insurer.address, keyOf('insurer'), 1n);
        const info = await medLedger.providerInfo(insurer.address);
        expect(info.encryptionKey).to.equal(keyOf('insurer'));
        expect(info.keyVersion).to.equal(1n);
      });

      it('reverts ProviderNotRegistered for a caller that is not a provider', async function () {
        const { medLedger, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(patient).setProviderKey(keyOf('x')))
          .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
          .withArgs(patient.address);
      });

      it('reverts InvalidProviderKey for a zero key', async function () {
        const { medLedger, doctor } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(doctor).setProviderKey(ethers.ZeroHash)).to.be.revertedWithCustomError(
          medLedger,
          'InvalidProviderKey',
        );
      });
    });

    describe('setProviderProfile', function () {
      it('stores the profile hash and emits ProviderProfileUpdated with the CID', async function () {
        const { medLedger, admin, doctor } = await loadFixture(registeredFixture);
        const hash = ethers.sha256(ethers.toUtf8Bytes('profile'));
        await expect(medLedger.connect(admin).setProviderProfile(doctor.address, cidOf('profile:doctor'), hash))
          .to.emit(medLedger, 'ProviderProfileUpdated')
          .withArgs(doctor.address, cidOf('profile:doctor'), hash, admin.address);
        expect((await medLedger.providerInfo(doctor.address)).profileHash).to.equal(hash);
      });

      it('updates the profile of a suspended provider too', async function () {
        const { medLedger, admin, doctor } = await loadFixture(registeredFixture);
        await medLedger.connect(admin).suspendProvider(doctor.address);
        const hash = ethers.sha256(ethers.toUtf8Bytes('profile 2'));
        await expect(medLedger.connect(admin).setProviderProfile(doctor.address, cidOf('p2'), hash)).to.emit(
          medLedger,
          'ProviderProfileUpdated',
        );
      });

      it('reverts AccessControlUnauthorizedAccount for anyone but a provider admin, the provider included', async function () {
        const { medLedger, doctor } = await loadFixture(registeredFixture);
        await expect(
          medLedger.connect(doctor).setProviderProfile(doctor.address, cidOf('mine'), ethers.ZeroHash.replace(/0$/, '1')),
        ).to.be.revertedWithCustomError(medLedger, 'AccessControlUnauthorizedAccount');
      });

      it('reverts ProviderNotRegistered for an account that is not a provider', async function () {
        const { medLedger, admin, patient } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(admin).setProviderProfile(patient.address, cidOf('x'), ethers.id('x')))
          .to.be.revertedWithCustomError(medLedger, 'ProviderNotRegistered')
          .withArgs(patient.address);
      });

      it('reverts InvalidProviderProfile for an empty CID or a zero hash', async function () {
        const { medLedger, admin, doctor } = await loadFixture(registeredFixture);
        await expect(medLedger.connect(admin).setProviderProfile(doctor.address, '0x', ethers.id('x')))
          .to.be.revertedWithCustomError(medLedger, 'InvalidProviderProfile')
          .withArgs(0n, ethers.id('x'));
        await expect(
          medLedger.connect(admin).setProviderProfile(doctor.address, cidOf('x'), ethers.ZeroHash),
        ).to.be.revertedWithCustomError(medLedger, 'InvalidProviderProfile');
        await expect(
          medLedger.connect(admin).setProviderProfile(doctor.address, `0x${'01'.repeat(129)}`, ethers.id('x')),
        ).to.be.revertedWithCustomError(medLedger, 'InvalidProviderProfile');
      });
    });

    describe('default admin transfer', function () {
      it('takes two steps and waits for the configured delay', async function () {
        const { medLedger, admin, stranger } = await loadFixture(deployFixture);
        expect(await medLedger.defaultAdminDelay()).to.equal(ADMIN_DELAY);
        await medLedger.beginDefaultAdminTransfer(stranger.address);
        await expect(medLedger.connect(stranger).acceptDefaultAdminTransfer()).to.be.revertedWithCustomError(
          medLedger,
          'AccessControlEnforcedDefaultAdminDelay',
        );
        await networkHelpers.time.increase(ADMIN_DELAY + 1n);
        await medLedger.connect(stranger).acceptDefaultAdminTransfer();
        expect(await medLedger.defaultAdmin()).to.equal(stranger.address);
        expect(await medLedger.hasRole(ethers.ZeroHash, admin.address)).to.equal(false);
      });
    });
  });
});
