import { expect } from 'chai';

import { cidOf, deployFixture, ethers, networkHelpers } from './fixtures';

describe('ERC1271WalletMock', function () {
  describe('execute', function () {
    it('reverts NotOwner for anyone but the owner', async function () {
      const { stranger, relayer } = await networkHelpers.loadFixture(deployFixture);
      const wallet = await ethers.deployContract('ERC1271WalletMock', [stranger.address]);
      await expect(wallet.connect(relayer).execute(relayer.address, '0x'))
        .to.be.revertedWithCustomError(wallet, 'NotOwner')
        .withArgs(relayer.address);
    });

    it('bubbles up the revert of the call it forwards', async function () {
      const { medLedger, stranger } = await networkHelpers.loadFixture(deployFixture);
      const wallet = await ethers.deployContract('ERC1271WalletMock', [stranger.address]);
      const call = medLedger.interface.encodeFunctionData('registerPatient', [ethers.ZeroHash, cidOf('x')]);
      await expect(wallet.connect(stranger).execute(await medLedger.getAddress(), call)).to.be.revertedWithCustomError(
        medLedger,
        'InvalidEncryptionKey',
      );
    });
  });
});
