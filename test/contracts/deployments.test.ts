import { expect } from 'chai';
import { artifacts } from 'hardhat';

import { claimsAbi, medLedgerAbi, modelRegistryAbi } from '../../lib/chain/deployments';

describe('lib/chain/deployments.ts', function () {
  it('holds the ABIs of the contracts as compiled now (run `npm run deploy` after changing a contract)', async function () {
    expect(medLedgerAbi).to.deep.equal((await artifacts.readArtifact('MedLedger')).abi);
    expect(modelRegistryAbi).to.deep.equal((await artifacts.readArtifact('ModelRegistry')).abi);
    expect(claimsAbi).to.deep.equal((await artifacts.readArtifact('Claims')).abi);
  });
});
