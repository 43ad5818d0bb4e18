import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { keccak256, toHex, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { startDevnet, type Devnet } from '../../scripts/devnet';
import { RECORD_CATEGORIES, connectChain, readMedLedger, scopesFor, writeMedLedger } from '../chain';
import { parseJson, stringifyJson } from '../fhir';
import { createIpfsClient } from '../ipfs';
import { startIpfsNode, type RunningIpfsNode } from '../ipfs/node';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import {
  DECIMAL_TOKENS,
  PATRIA,
  decimalBundleText,
  largeBundle,
  personBundle,
  sampleBundle,
  withIds,
} from '../testing/fixtures';
import {
  IdentityMismatchError,
  PartialWriteError,
  type Vault,
  enrollWallet,
  exportBundleRecords,
  grantAccess,
  importBundleRecords,
  publishProviderKey,
  readProfile,
  readRecords,
  registerPatient,
} from '.';

const MARKER = 'IMPORT-5e1d';

/** What an export says about the resources of a bundle: each resource with its fullUrl. */
const contentOf = (bundle: Bundle) => bundle.entry!.map(({ resource, fullUrl }) => ({ resource, fullUrl }));

/**
 * Imports against a real chain and IPFS node (issue 15): a bundle about someone else is refused unless
 * confirmed, an empty profile adopts the bundle's Patient, and importing again writes only what changed.
 */
describe('importing a bundle (devnet + embedded IPFS node)', () => {
  let devnet: Devnet;
  let ipfsNode: RunningIpfsNode;
  let dataDir: string;
  const vaults: Partial<Record<keyof typeof DEVNET_KEYS, Vault>> = {};
  const address = (key: keyof typeof DEVNET_KEYS): Address => privateKeyToAccount(DEVNET_KEYS[key]).address;
  const recordCount = async (key: keyof typeof DEVNET_KEYS) =>
    (await readMedLedger(vaults.admin!.chain, 'patientInfo', [address(key)])).recordCount;
  const pins = async () => {
    let count = 0;
    for await (const _pin of vaults.admin!.ipfs.pin.ls({ type: 'recursive' })) count++;
    return count;
  };
  const inDays = (days: number) => Math.floor(Date.now() / 1000) + days * 86_400;

  async function vaultFor(key: keyof typeof DEVNET_KEYS, role: 'patient' | 'provider'): Promise<Vault> {
    const chain = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS[key],
      deployment: devnet.deployment,
    });
    const { key: identity } = await enrollWallet(chain, { role });
    return { chain, ipfs: createIpfsClient(ipfsNode.apiUrl), identity };
  }

  /** Asserts `run` is refused for whom it is about, naming both people, and writes nothing at all. */
  async function assertRefused(run: () => Promise<unknown>, patient: keyof typeof DEVNET_KEYS, names: RegExp[]) {
    const [countBefore, pinsBefore] = [await recordCount(patient), await pins()];
    await assert.rejects(run, (error: Error) => {
      assert.ok(error instanceof IdentityMismatchError, `expected an IdentityMismatchError, got ${error.stack}`);
      for (const name of names) assert.match(error.message, name);
      assert.match(error.message, /nothing was imported\.$/);
      return true;
    });
    assert.equal(await recordCount(patient), countBefore, 'a refused import anchored records');
    assert.equal(await pins(), pinsBefore, 'a refused import left blobs pinned');
  }

  before(async () => {
    devnet = await startDevnet();
    dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-import-'));
    ipfsNode = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    vaults.admin = await vaultFor('admin', 'provider');
    for (const key of ['doctor', 'lab'] as const) {
      await writeMedLedger(vaults.admin.chain, 'registerProvider', [address(key), 1, keccak256(toHex(key))]);
      vaults[key] = await vaultFor(key, 'provider');
      await publishProviderKey(vaults[key]);
    }
    vaults.patient = await vaultFor('patient', 'patient');
    await registerPatient(vaults.patient, sampleBundle(MARKER).entry![0]!.resource as Patient);
    vaults.otherPatient = await vaultFor('otherPatient', 'patient');
    await registerPatient(vaults.otherPatient, { resourceType: 'Patient' });
  });

  after(async () => {
    await ipfsNode?.stop();
    await devnet?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('whom the bundle is about', () => {
    it("refuses another person's bundle with a sentence naming both people, and writes nothing", async () => {
      await assertRefused(
        () => importBundleRecords(vaults.patient!, address('patient'), personBundle(PATRIA)),
        'patient',
        [/Patria Schimmel \(born 1974-05-21\)/, new RegExp(`Jane Doe-${MARKER} \\(born 1969-04-02\\)`)],
      );
    });

    it('imports a bundle about the owner, the Patient included, and says it matched', async () => {
      const bundle = withIds(sampleBundle(MARKER));
      const report = await importBundleRecords(vaults.patient!, address('patient'), bundle);
      assert.equal(report.identity.status, 'match');
      assert.deepEqual([report.added.length, report.corrected.length, report.skipped], [bundle.entry!.length, 0, 0]);
      const { bundle: exported } = await exportBundleRecords(vaults.patient!, address('patient'));
      assert.deepEqual(contentOf(exported), contentOf(bundle));
    });

    it("imports another person's bundle once confirmed, and the profile stays the owner's", async () => {
      const before = await recordCount('patient');
      const bundle = personBundle(PATRIA);
      const report = await importBundleRecords(vaults.patient!, address('patient'), bundle, { acceptMismatch: true });
      assert.equal(report.identity.status, 'mismatch');
      assert.equal(report.added.length, bundle.entry!.length);
      assert.equal(await recordCount('patient'), before + BigInt(bundle.entry!.length));
      const profile = await readProfile(vaults.patient!, address('patient'));
      assert.equal(profile.resource.birthDate, '1969-04-02');
    });

    it('adopts the first Patient as the profile when the profile says nothing, and the export still holds it', async () => {
      const bundle = sampleBundle('adopted');
      const before = await readProfile(vaults.otherPatient!, address('otherPatient'));
      const report = await importBundleRecords(vaults.otherPatient!, address('otherPatient'), bundle);
      assert.equal(report.identity.status, 'adopt');
      assert.match(report.identity.message, /Jane Doe-adopted \(born 1969-04-02\) becomes your profile/);
      const after = await readProfile(vaults.otherPatient!, address('otherPatient'));
      assert.equal(after.cid, report.profileCid);
      assert.deepEqual(after.resource, bundle.entry![0]!.resource);
      assert.deepEqual([after.context.recordUid, after.context.version], [before.context.recordUid, 2]);
      const { bundle: exported } = await exportBundleRecords(vaults.otherPatient!, address('otherPatient'));
      assert.deepEqual(contentOf(exported), contentOf(bundle), 'the Patient must still be a record of its own');
      assert.equal(exported.entry!.filter(({ resource }) => resource!.resourceType === 'Patient').length, 1);
      // From now on the adopted profile is what imports are checked against.
      await assertRefused(
        () => importBundleRecords(vaults.otherPatient!, address('otherPatient'), personBundle(PATRIA)),
        'otherPatient',
        [/Patria Schimmel/, /Jane Doe-adopted/],
      );
    });

    it('makes a provider who cannot read the profile confirm, saying the identity could not be checked', async () => {
      await grantAccess(vaults.patient!, {
        provider: address('lab'),
        scopes: scopesFor([RECORD_CATEGORIES.observation], { read: true, write: true }),
        expiry: inDays(30),
      });
      const withPatient = sampleBundle(MARKER);
      withPatient.entry = withPatient.entry!.slice(0, 3);
      // Without a Patient there is nobody to compare: the lab writes its observations.
      const observations: Bundle = {
        ...withPatient,
        entry: withPatient.entry.slice(1).map(({ fullUrl, resource }) => {
          const { subject: _subject, ...observation } = resource as Observation;
          return { fullUrl, resource: observation };
        }),
      };
      await assertRefused(() => importBundleRecords(vaults.lab!, address('patient'), withPatient), 'patient', [
        /Jane Doe-IMPORT-5e1d \(born 1969-04-02\)/,
        new RegExp(`${address('patient')} could not be checked`),
      ]);
      const report = await importBundleRecords(vaults.lab!, address('patient'), observations);
      assert.equal(report.identity.status, 'none');
      assert.equal(report.added.length, 2);
    });

    it('checks a provider who may read the profile like the patient', async () => {
      await grantAccess(vaults.patient!, {
        provider: address('doctor'),
        scopes: scopesFor([RECORD_CATEGORIES.profile, RECORD_CATEGORIES.condition], { read: true, write: true }),
        expiry: inDays(30),
      });
      const other = personBundle(PATRIA);
      other.entry = other.entry!.filter(({ resource }) => ['Patient', 'Condition'].includes(resource!.resourceType));
      await assertRefused(() => importBundleRecords(vaults.doctor!, address('patient'), other), 'patient', [
        /Patria Schimmel/,
        new RegExp(`Jane Doe-${MARKER}`),
      ]);
    });
  });

  describe('importing again', () => {
    it('skips every resource of a bundle imported before: the record count stays the same', async () => {
      const before = await recordCount('patient');
      const report = await importBundleRecords(vaults.patient!, address('patient'), withIds(sampleBundle(MARKER)));
      assert.deepEqual([report.added.length, report.corrected.length, report.skipped], [0, 0, 5]);
      assert.equal(await recordCount('patient'), before);
    });

    it('writes a changed resource as one correction of the version in the record', async () => {
      const bundle = withIds(sampleBundle(MARKER));
      const cholesterol = bundle.entry![2]!.resource as Observation;
      cholesterol.valueQuantity = { ...cholesterol.valueQuantity, value: 198 };
      const before = await recordCount('patient');
      const report = await importBundleRecords(vaults.patient!, address('patient'), bundle);
      assert.deepEqual([report.added.length, report.corrected.length, report.skipped], [0, 1, 4]);
      assert.equal(await recordCount('patient'), before + 1n);
      const records = await readRecords(vaults.patient!, address('patient'));
      const versions = records.filter((record) => record.ok && record.payload.resource.id === cholesterol.id);
      assert.deepEqual(
        versions.map((record) => [
          record.superseded,
          record.ok && (record.payload.resource as Observation).valueQuantity?.value,
        ]),
        [
          [true, 213],
          [false, 198],
        ],
      );
      assert.equal(versions[1]!.header.supersedes, versions[0]!.header.recordId);
    });

    it('imports a single resource as well as a bundle, and skips it the second time', async () => {
      const resource: Observation = {
        resourceType: 'Observation',
        id: 'single-1',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
        effectiveDateTime: '2026-11-02',
        valueQuantity: { value: 71, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      };
      const first = await importBundleRecords(vaults.patient!, address('patient'), JSON.stringify(resource));
      assert.deepEqual([first.added.length, first.skipped, first.identity.status], [1, 0, 'none']);
      const again = await importBundleRecords(vaults.patient!, address('patient'), resource);
      assert.deepEqual([again.added.length, again.skipped], [0, 1]);
    });

    it('re-runs an interrupted import: what landed is skipped, the rest added, nothing twice', async () => {
      const vault = await vaultFor('secondDoctor', 'patient');
      const bundle = largeBundle(150);
      await registerPatient(vault, bundle.entry![0]!.resource as Patient);
      const owner = address('secondDoctor');
      // The wallet refuses the second transaction (the person clicks "reject", or the tab closes).
      const interrupted = importBundleRecords(vault, owner, bundle, {
        onProgress: ({ step, done }) => {
          if (step === 'sign' && done === 100) throw new Error('User rejected the request.');
        },
      });
      await assert.rejects(interrupted, (error: Error) => {
        assert.ok(error instanceof PartialWriteError);
        assert.match(
          error.message,
          /^100 of 155 records were written .*User rejected the request.*importing the same file again/,
        );
        return true;
      });
      assert.equal(await recordCount('secondDoctor'), 100n);
      const landed = await readRecords(vault, owner);
      assert.ok(
        landed.every((record) => record.ok),
        'the records that landed must stay readable (still pinned)',
      );

      const rerun = await importBundleRecords(vault, owner, bundle);
      assert.deepEqual([rerun.added.length, rerun.corrected.length, rerun.skipped], [55, 0, 100]);
      assert.equal(await recordCount('secondDoctor'), 155n);
      const { bundle: exported } = await exportBundleRecords(vault, owner);
      assert.deepEqual(contentOf(exported), contentOf(bundle));
    });
  });

  describe('decimals', () => {
    it('keep their text from the file through encryption and IPFS to the exported file, and re-import skips them', async () => {
      const vault = await vaultFor('stranger', 'patient');
      const owner = address('stranger');
      const text = decimalBundleText(MARKER);
      const expected = parseJson(text) as Bundle;
      await registerPatient(vault, expected.entry![0]!.resource as Patient);
      const report = await importBundleRecords(vault, owner, text);
      assert.deepEqual([report.identity.status, report.added.length], ['match', expected.entry!.length]);

      const { bundle: exported } = await exportBundleRecords(vault, owner);
      const written = stringifyJson(exported, 2);
      // What an export legitimately changes: a collection, so no requests.
      expected.type = 'collection';
      for (const entry of expected.entry!) delete entry.request;
      assert.equal(written, stringifyJson(expected, 2));
      for (const token of DECIMAL_TOKENS) assert.ok(written.includes(`: ${token}`), `${token} is not in the export`);

      const again = await importBundleRecords(vault, owner, written);
      assert.deepEqual([again.added.length, again.corrected.length, again.skipped], [0, 0, expected.entry!.length]);
    });
  });
});
