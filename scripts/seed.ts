/**
 * Demo identities for `npm start`: an admin, two doctors, a lab, an insurer and two patients with
 * records (Maria's coverage with the insurer and one claim the lab filed for her), plus the shipped AI
 * models approved in the ModelRegistry. Every write goes through lib/records, exactly
 * as the app and the CLI do it.
 */
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import type { Bundle, Claim, Coverage, Observation, Patient } from '@medplum/fhirtypes';
import { type Address, keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import {
  RECORD_CATEGORIES,
  type RegisteredProviderKind,
  connectChain,
  parseProviderKind,
  scopesFor,
  writeMedLedger,
  writeModelRegistry,
} from '../lib/chain';
import type { Deployment } from '../lib/chain/client';
import { addBytes, createIpfsClient } from '../lib/ipfs';
import {
  type ProviderProfile,
  type Vault,
  addRecords,
  cidToBytes,
  enrollWallet,
  grantAccess,
  importBundleRecords,
  publishProviderKey,
  publishProviderProfile,
  registerPatient,
  submitClaim,
} from '../lib/records';
import { sampleClaim } from '../lib/testing/claim-fixtures';
import { DEVNET_KEYS } from '../lib/testing/devnet-accounts';
import { sampleBundle } from '../lib/testing/fixtures';

const CARDS_DIR = path.resolve(import.meta.dirname, '../ml-models/cards');

export interface DemoIdentity {
  readonly role: string;
  readonly name: string;
  readonly address: Address;
  readonly privateKey: `0x${string}`;
}

const PROVIDERS: readonly {
  key: 'doctor' | 'secondDoctor' | 'lab' | 'insurer';
  kind: RegisteredProviderKind;
  profile: ProviderProfile;
}[] = [
  {
    key: 'doctor',
    kind: 'doctor',
    profile: {
      name: 'Dr. Ada Okafor',
      type: 'Practitioner',
      specialty: 'Cardiology',
      organization: "St. Mary's Hospital",
      identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' },
    },
  },
  {
    key: 'secondDoctor',
    kind: 'doctor',
    profile: {
      name: 'Dr. Lars Berg',
      type: 'Practitioner',
      specialty: 'General practice',
      organization: 'Harbour Street Practice',
    },
  },
  {
    key: 'lab',
    kind: 'lab',
    profile: { name: 'Northside Clinical Lab', type: 'Organization', specialty: 'Clinical chemistry' },
  },
  {
    key: 'insurer',
    kind: 'insurer',
    profile: { name: 'Harbor Mutual Health', type: 'Organization', specialty: 'Health insurance' },
  },
];

const PATIENTS = [
  { key: 'patient', name: 'Maria Santos', gender: 'female', birthDate: '1968-05-14' },
  { key: 'otherPatient', name: 'James Miller', gender: 'male', birthDate: '1961-11-02' },
] as const;

function demoBundle(name: string, gender: Patient['gender'], birthDate: string): Bundle {
  const bundle = sampleBundle('demo');
  const patient = bundle.entry![0]!.resource as Patient;
  patient.name = [{ text: name }];
  patient.gender = gender;
  patient.birthDate = birthDate;
  for (const entry of bundle.entry!) {
    const resource = entry.resource as { note?: unknown; code?: { text?: string } };
    delete resource.note;
    if (resource.code?.text === 'demo') delete resource.code.text;
  }
  // Enough of a chart for the risk screens to score (the Framingham models need HDL, BMI, smoking).
  const subject = { reference: bundle.entry![0]!.fullUrl! };
  const loinc = (code: string, display: string) => ({ coding: [{ system: 'http://loinc.org', code, display }] });
  const quantity = (value: number, unit: string) => ({ value, unit, system: 'http://unitsofmeasure.org', code: unit });
  const observations: Observation[] = [
    {
      resourceType: 'Observation',
      status: 'final',
      code: loinc('2085-9', 'HDL cholesterol'),
      subject,
      effectiveDateTime: '2026-09-12T08:00:00Z',
      valueQuantity: quantity(44, 'mg/dL'),
    },
    {
      resourceType: 'Observation',
      status: 'final',
      code: loinc('39156-5', 'Body mass index'),
      subject,
      effectiveDateTime: '2026-10-01T09:30:00Z',
      valueQuantity: quantity(29.4, 'kg/m2'),
    },
    {
      resourceType: 'Observation',
      status: 'final',
      code: loinc('72166-2', 'Tobacco smoking status'),
      subject,
      effectiveDateTime: '2026-10-01T09:30:00Z',
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '8517006', display: 'Ex-smoker' }] },
    },
  ];
  for (const resource of observations) bundle.entry!.push({ fullUrl: `urn:uuid:${randomUUID()}`, resource });
  return bundle;
}

/** Seeds the demo on a freshly deployed devnet and returns who is who. */
export async function seedDemo(rpcUrl: string, ipfsApiUrl: string, deployment: Deployment): Promise<DemoIdentity[]> {
  const ipfs = createIpfsClient(ipfsApiUrl);
  const connect = (privateKey: `0x${string}`) => connectChain({ rpcUrl, privateKey, deployment });
  const vaultFor = async (privateKey: `0x${string}`, role: 'patient' | 'provider'): Promise<Vault> => {
    const chain = await connect(privateKey);
    return { chain, ipfs, identity: (await enrollWallet(chain, { role })).key };
  };
  const address = (key: keyof typeof DEVNET_KEYS) => privateKeyToAccount(DEVNET_KEYS[key]).address;
  const admin = await connect(DEVNET_KEYS.admin);

  for (const provider of PROVIDERS) {
    await writeMedLedger(admin, 'registerProvider', [
      address(provider.key),
      parseProviderKind(provider.kind),
      keccak256(toHex(provider.profile.name)),
    ]);
    await publishProviderProfile({ chain: admin, ipfs }, address(provider.key), provider.profile);
    await publishProviderKey(await vaultFor(DEVNET_KEYS[provider.key], 'provider'));
  }
  for (const patient of PATIENTS) {
    const vault = await vaultFor(DEVNET_KEYS[patient.key], 'patient');
    const bundle = demoBundle(patient.name, patient.gender, patient.birthDate);
    await registerPatient(vault, bundle.entry![0]!.resource as Patient);
    await importBundleRecords(vault, address(patient.key), bundle);
  }
  const maria = await vaultFor(DEVNET_KEYS.patient, 'patient');
  const { observation, condition, medication, profile, billing } = RECORD_CATEGORIES;
  await grantAccess(maria, {
    provider: address('doctor'),
    // The profile holds the Patient resource: age and sex, which every risk model needs.
    scopes: scopesFor([observation, condition, medication, profile], { read: true }),
    expiry: Math.floor(Date.now() / 1000) + 90 * 86_400,
  });
  await grantAccess(maria, {
    provider: address('lab'),
    scopes: scopesFor([observation, billing], { read: true, write: true }),
    expiry: Math.floor(Date.now() / 1000) + 30 * 86_400,
  });
  await seedBilling(maria, address('patient'), await vaultFor(DEVNET_KEYS.lab, 'provider'), address('insurer'));
  await approveShippedModels(admin, ipfs);

  return [
    { role: 'admin', name: 'MedLedger admin', address: address('admin'), privateKey: DEVNET_KEYS.admin },
    ...PROVIDERS.map((p) => ({
      role: p.kind,
      name: p.profile.specialty ? `${p.profile.name} (${p.profile.specialty.toLowerCase()})` : p.profile.name,
      address: address(p.key),
      privateKey: DEVNET_KEYS[p.key],
    })),
    ...PATIENTS.map((p) => ({
      role: 'patient',
      name: p.name,
      address: address(p.key),
      privateKey: DEVNET_KEYS[p.key],
    })),
  ];
}

/**
 * Maria's insurance: she records her Coverage with the insurer and grants it billing (read and write,
 * so it can file its answers), her profile and conditions (what its claim review checks a bill
 * against); the lab then bills the insurer for her lipid panel, so the insurer's queue has a claim.
 */
async function seedBilling(maria: Vault, patient: Address, lab: Vault, insurer: Address) {
  const chainId = maria.chain.deployment.chainId;
  const insurerIdentity = { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:${chainId}:${insurer}` };
  const coverage: Coverage = {
    resourceType: 'Coverage',
    status: 'active',
    subscriberId: 'HMH-104-5521',
    beneficiary: { reference: `Patient/${patient}` },
    relationship: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }],
    },
    period: { start: '2026-01-01', end: '2026-12-31' },
    payor: [{ identifier: insurerIdentity, display: 'Harbor Mutual Health' }],
  };
  await addRecords(maria, patient, [{ payload: { resource: coverage } }]);
  const { billing, profile, condition } = RECORD_CATEGORIES;
  await grantAccess(maria, {
    provider: insurer,
    scopes: scopesFor([billing], { read: true, write: true }) | scopesFor([profile, condition], { read: true }),
    expiry: Math.floor(Date.now() / 1000) + 365 * 86_400,
  });
  const billed = sampleClaim({
    chainId,
    patient,
    provider: privateKeyToAccount(DEVNET_KEYS.lab).address,
    insurer,
    amount: 48.2,
    procedureCode: '80061',
    diagnosisText: 'Hyperlipidemia',
    serviceDate: '2026-10-01',
  });
  const claim: Claim = {
    ...billed,
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    insurer: { identifier: insurerIdentity, display: 'Harbor Mutual Health' },
    provider: { ...billed.provider, display: 'Northside Clinical Lab' },
    diagnosis: [
      {
        sequence: 1,
        diagnosisCodeableConcept: {
          coding: [
            { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E78.5', display: 'Hyperlipidemia, unspecified' },
          ],
          text: 'Hyperlipidemia',
        },
      },
    ],
    insurance: [{ sequence: 1, focal: true, coverage: { display: 'Harbor Mutual Health, member HMH-104-5521' } }],
    item: billed.item!.map((item) => ({
      ...item,
      productOrService: { ...item.productOrService, text: 'Lipid panel' },
    })),
  };
  await submitClaim(lab, patient, insurer, claim);
}

/** Approves every shipped model by the SHA-256 its card records; the card itself goes to IPFS. */
async function approveShippedModels(
  admin: Awaited<ReturnType<typeof connectChain>>,
  ipfs: ReturnType<typeof createIpfsClient>,
) {
  for (const file of (await readdir(CARDS_DIR)).filter((name) => name.endsWith('.json'))) {
    const text = await readFile(path.join(CARDS_DIR, file), 'utf8');
    const card = JSON.parse(text) as { name: string; version: string; sha256: string };
    const cardCid = await addBytes(ipfs, new TextEncoder().encode(text));
    const major = Number(card.version.split('.')[0]);
    await writeModelRegistry(admin, 'approveModel', [`0x${card.sha256}`, card.name, major, cidToBytes(cardCid)]);
  }
}
