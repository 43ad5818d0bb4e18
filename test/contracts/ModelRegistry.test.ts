import { expect } from 'chai';

import { cidOf, deployFixture, ethers, networkHelpers } from './fixtures';

const { loadFixture } = networkHelpers;
const MODEL_HASH = ethers.sha256(ethers.toUtf8Bytes('framingham-2008-lipid.onnx'));

async function approvedFixture() {
  const fixture = await deployFixture();
  await fixture.modelRegistry.approveModel(MODEL_HASH, 'framingham-2008-lipid', 1, cidOf('card'));
  return fixture;
}

describe('ModelRegistry', function () {
  describe('approveModel', function () {
    it('approves a model hash with its version and card CID and emits ModelApproved', async function () {
      const { modelRegistry } = await loadFixture(deployFixture);
      await expect(modelRegistry.approveModel(MODEL_HASH, 'framingham-2008-lipid', 1, cidOf('card')))
        .to.emit(modelRegistry, 'ModelApproved')
        .withArgs(MODEL_HASH, 'framingham-2008-lipid', 1n, cidOf('card'));
      expect(await modelRegistry.isApproved(MODEL_HASH)).to.equal(true);
      const model = await modelRegistry.modelOf(MODEL_HASH);
      expect(model.name).to.equal('framingham-2008-lipid');
      expect(model.version).to.equal(1n);
      expect(model.cardCid).to.equal(cidOf('card'));
      expect(model.deprecated).to.equal(false);
    });

    it('reverts AccessControlUnauthorizedAccount for a caller without the model-admin role', async function () {
      const { modelRegistry, stranger } = await loadFixture(deployFixture);
      await expect(modelRegistry.connect(stranger).approveModel(MODEL_HASH, 'm', 1, cidOf('card')))
        .to.be.revertedWithCustomError(modelRegistry, 'AccessControlUnauthorizedAccount')
        .withArgs(stranger.address, await modelRegistry.MODEL_ADMIN_ROLE());
    });

    it('reverts ModelAlreadyApproved for a hash approved before', async function () {
      const { modelRegistry } = await loadFixture(approvedFixture);
      await expect(modelRegistry.approveModel(MODEL_HASH, 'again', 2, cidOf('card')))
        .to.be.revertedWithCustomError(modelRegistry, 'ModelAlreadyApproved')
        .withArgs(MODEL_HASH);
    });

    it('reverts InvalidModel for a zero hash, an empty name or an empty card CID', async function () {
      const { modelRegistry } = await loadFixture(deployFixture);
      await expect(modelRegistry.approveModel(ethers.ZeroHash, 'm', 1, cidOf('card')))
        .to.be.revertedWithCustomError(modelRegistry, 'InvalidModel')
        .withArgs(ethers.ZeroHash);
      await expect(modelRegistry.approveModel(MODEL_HASH, '', 1, cidOf('card')))
        .to.be.revertedWithCustomError(modelRegistry, 'InvalidModel')
        .withArgs(MODEL_HASH);
      await expect(modelRegistry.approveModel(MODEL_HASH, 'm', 1, '0x'))
        .to.be.revertedWithCustomError(modelRegistry, 'InvalidModel')
        .withArgs(MODEL_HASH);
    });
  });

  describe('deprecateModel', function () {
    it('withdraws approval and emits ModelDeprecated', async function () {
      const { modelRegistry } = await loadFixture(approvedFixture);
      await expect(modelRegistry.deprecateModel(MODEL_HASH)).to.emit(modelRegistry, 'ModelDeprecated').withArgs(MODEL_HASH);
      expect(await modelRegistry.isApproved(MODEL_HASH)).to.equal(false);
      expect((await modelRegistry.modelOf(MODEL_HASH)).deprecated).to.equal(true);
    });

    it('reverts ModelNotApproved for an unknown hash', async function () {
      const { modelRegistry } = await loadFixture(deployFixture);
      await expect(modelRegistry.deprecateModel(MODEL_HASH))
        .to.be.revertedWithCustomError(modelRegistry, 'ModelNotApproved')
        .withArgs(MODEL_HASH);
    });

    it('reverts ModelAlreadyDeprecated when deprecated twice', async function () {
      const { modelRegistry } = await loadFixture(approvedFixture);
      await modelRegistry.deprecateModel(MODEL_HASH);
      await expect(modelRegistry.deprecateModel(MODEL_HASH))
        .to.be.revertedWithCustomError(modelRegistry, 'ModelAlreadyDeprecated')
        .withArgs(MODEL_HASH);
    });

    it('reverts AccessControlUnauthorizedAccount for a non-admin', async function () {
      const { modelRegistry, stranger } = await loadFixture(approvedFixture);
      await expect(modelRegistry.connect(stranger).deprecateModel(MODEL_HASH))
        .to.be.revertedWithCustomError(modelRegistry, 'AccessControlUnauthorizedAccount')
        .withArgs(stranger.address, await modelRegistry.MODEL_ADMIN_ROLE());
    });
  });

  describe('isApproved', function () {
    it('is false for a hash never approved', async function () {
      const { modelRegistry } = await loadFixture(deployFixture);
      expect(await modelRegistry.isApproved(MODEL_HASH)).to.equal(false);
    });
  });
});
