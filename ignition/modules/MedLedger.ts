import { buildModule } from '@nomicfoundation/hardhat-ignition/modules';

/**
 * Deploys MedLedger, the ModelRegistry and the Claims module (bound to that MedLedger) to any EVM
 * chain. `admin` (e.g. a hospital multisig) is required, with no default: a deployment that does not
 * name it fails before sending anything, rather than making whichever key happens to deploy the admin
 * of a real chain. The devnet names its account 0 in `ignition/parameters/devnet.json`. The admin also
 * gets the provider- and model-admin roles. `adminDelay` is how long a default-admin transfer waits
 * before it can be accepted: two days unless a deployment sets it (the devnet uses 0). It covers that
 * transfer only: the admin grants the provider- and model-admin roles at once (see
 * docs/threat-model.md).
 */
export default buildModule('MedLedgerModule', (m) => {
  const admin = m.getParameter<string>('admin');
  const adminDelay = m.getParameter('adminDelay', 2n * 24n * 60n * 60n);

  const medLedger = m.contract('MedLedger', [adminDelay, admin]);
  const modelRegistry = m.contract('ModelRegistry', [adminDelay, admin]);
  const claims = m.contract('Claims', [medLedger]);

  return { medLedger, modelRegistry, claims };
});
