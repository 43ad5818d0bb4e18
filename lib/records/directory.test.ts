import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { reviewAccessTo } from '../ai/access-review';
import {
  RECORD_CATEGORIES,
  parseProviderKind,
  patientActivity,
  purposeNamed,
  purposeOf,
  readScope,
  writeMedLedger,
} from '../chain';
import { addBytes } from '../ipfs';
import { type TestSystem, addressOf as address, inDays, startTestSystem } from '../testing/system';
import {
  type Vault,
  addRecords,
  cidToBytes,
  grantAccess,
  identifierText,
  parseIdentifier,
  parseProfileBundle,
  profileBundle,
  profileSummary,
  profileTypeOf,
  providerDirectory,
  publishProviderProfile,
  readRecords,
  searchDirectory,
  sha256Hex,
} from '.';

describe('provider profiles in words', () => {
  it('describes a doctor as a Practitioner, a lab and an insurer as Organizations', () => {
    assert.deepEqual(
      ['doctor', 'lab', 'insurer'].map((kind) => profileTypeOf(parseProviderKind(kind))),
      ['Practitioner', 'Organization', 'Organization'],
    );
  });

  it('reads identifiers as FHIR tokens, with short names for known systems', () => {
    const npi = { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' };
    assert.deepEqual(parseIdentifier('npi|1234567893'), npi);
    assert.deepEqual(parseIdentifier('http://hl7.org/fhir/sid/us-npi| 1234567893 '), npi);
    assert.deepEqual(parseIdentifier('urn:oid:1.2.3|42'), { system: 'urn:oid:1.2.3', value: '42' });
    assert.deepEqual(parseIdentifier('42'), { value: '42' });
    assert.throws(() => parseIdentifier('npi|'), /identifier: needs a value/);
    assert.throws(() => parseIdentifier('licence|42', '--identifier'), /--identifier: the system "licence" is neither/);
    assert.equal(identifierText(npi), 'NPI 1234567893');
    assert.equal(identifierText({ system: 'urn:oid:1.2.3', value: '42' }), 'urn:oid:1.2.3 42');
  });

  it('sums a profile up in one line', () => {
    assert.equal(
      profileSummary({
        name: 'Dr. Ada Okafor',
        type: 'Practitioner',
        specialty: 'Cardiology',
        organization: 'St. Mary',
      }),
      'Cardiology · St. Mary',
    );
    assert.equal(profileSummary({ name: 'Northside Clinical Lab', type: 'Organization' }), '');
  });
});

describe('provider directory and purpose of use (devnet + embedded IPFS node)', () => {
  let system: TestSystem;
  let vaults: Record<'patient' | 'doctor' | 'lab', Vault>;
  let admin: Pick<Vault, 'chain' | 'ipfs'>;

  before(async () => {
    ({ system, vaults } = (await startTestSystem({
      providers: [
        ['doctor', 'doctor'],
        ['lab', 'lab'],
      ],
      patients: ['patient'],
    })) as { system: TestSystem; vaults: typeof vaults });
    admin = { chain: system.admin, ipfs: vaults.patient.ipfs };
  });

  after(() => system.stop());

  it('round-trips a profile through its FHIR Bundle', () => {
    const profile = {
      name: 'Dr. Ada Okafor',
      type: 'Practitioner' as const,
      specialty: 'Cardiology',
      organization: "St. Mary's Hospital",
      identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' },
    };
    const bundle = profileBundle(profile);
    assert.deepEqual(
      bundle.entry?.map((entry) => entry.resource?.resourceType),
      ['Practitioner', 'PractitionerRole'],
    );
    assert.deepEqual(parseProfileBundle(bundle), profile);
    assert.throws(() => profileBundle({ name: ' ', type: 'Practitioner' }), /incomplete/);
  });

  it('publishes profiles that every reader sees by name, verified against the chain', async () => {
    await publishProviderProfile(admin, address('doctor'), {
      name: 'Dr. Ada Okafor',
      type: 'Practitioner',
      specialty: 'Cardiology',
      organization: "St. Mary's Hospital",
    });
    await publishProviderProfile(admin, address('lab'), { name: 'Northside Clinical Lab', type: 'Organization' });
    const directory = await providerDirectory(vaults.patient.chain, vaults.patient.ipfs);
    const doctor = directory.find((entry) => entry.provider === address('doctor'));
    assert.equal(doctor?.profile?.name, 'Dr. Ada Okafor');
    assert.equal(doctor?.profile?.specialty, 'Cardiology');
    assert.deepEqual(
      searchDirectory(directory, 'cardio mary').map((entry) => entry.provider),
      [address('doctor')],
    );
    assert.deepEqual(
      searchDirectory(directory, 'lab', { 1: 'doctor', 2: 'lab' }).map((entry) => entry.provider),
      [address('lab')],
    );
  });

  it('refuses to show a profile whose bytes are not what the chain anchored', async () => {
    const forged = new TextEncoder().encode(
      JSON.stringify(profileBundle({ name: 'Dr. Impostor', type: 'Practitioner' })),
    );
    const cid = await addBytes(vaults.patient.ipfs, forged);
    const honestHash = await sha256Hex(new TextEncoder().encode('the profile the admin meant'));
    await writeMedLedger(system.admin, 'setProviderProfile', [address('lab'), cidToBytes(cid), honestHash]);
    const lab = (await providerDirectory(vaults.patient.chain, vaults.patient.ipfs)).find(
      (entry) => entry.provider === address('lab'),
    );
    assert.equal(lab?.profile, undefined);
    assert.match(lab?.profileError ?? '', /hash|SHA-256|does not match/i);
  });

  it('refuses a profile update from anyone but a provider admin, the provider itself included', async () => {
    await assert.rejects(
      publishProviderProfile(vaults.doctor, address('doctor'), { name: 'Dr. Self-Promoted', type: 'Practitioner' }),
      /not an administrator/,
    );
  });

  it('logs why a provider read, and the audit trail reads it back', async () => {
    await grantAccess(vaults.patient, {
      provider: address('doctor'),
      scopes: readScope(RECORD_CATEGORIES.observation),
      expiry: inDays(30),
    });
    await addRecords(vaults.patient, address('patient'), [
      { payload: { resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' } } } },
    ]);
    await readRecords(vaults.doctor, address('patient'), { purpose: purposeNamed('risk-assessment') });
    await readRecords(vaults.doctor, address('patient'));
    const logged = (await patientActivity(vaults.patient.chain, address('patient'))).flatMap((event) =>
      event.kind === 'accessLogged' ? [purposeOf(event.purpose)] : [],
    );
    assert.deepEqual(
      logged.map((purpose) => purpose.coding.code),
      ['risk-assessment', 'TREAT'],
    );
  });

  it('reviews the providers that read a patient on their whole log, and has no verdict on a newcomer', async () => {
    const review = await reviewAccessTo(vaults.patient.chain, address('patient'));
    assert.deepEqual(review.findings, []);
    assert.deepEqual(review.notEnoughHistory, [address('doctor')]);
    assert.deepEqual([review.reads, review.providers], [2, 1]);
  });
});
