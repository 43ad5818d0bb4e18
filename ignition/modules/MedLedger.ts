import { buildModule } from '@nomicfoundation/hardhat-ignition/modules';

/**
 * Deploys MedLedger and the ModelRegistry to any EVM chain. The default admin (account 0 unless the
 * `admin` parameter names another, e.g. a hospital multisig) also gets the provider- and model-admin
 * roles. `adminDelay` is how long a default-admin transfer waits before it can be accepted: two days
 * unless a deployment sets it (the devnet uses 0).
 */
export default buildModule('MedLedgerModule', (m) => {
  const admin = m.getParameter('admin', m.getAccount(0));
  const adminDelay = m.getParameter('adminDelay', 2n * 24n * 60n * 60n);

  const medLedger = m.contract('MedLedger', [adminDelay, admin]);
  const modelRegistry = m.contract('ModelRegistry', [adminDelay, admin]);

  return { medLedger, modelRegistry };
});
