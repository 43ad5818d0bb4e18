import { network } from 'hardhat';

import MedLedgerModule from '../../ignition/modules/MedLedger';
import { RECORD_CATEGORIES, readScope, writeScope } from '../../lib/chain/categories';
import type { Claims, MedLedger, ModelRegistry } from '../../typechain-types';

export const { ethers, networkHelpers, ignition } = await network.create();

export const ProviderKind = { None: 0, Doctor: 1, Lab: 2, Insurer: 3 } as const;
export const { observation: OBSERVATION, condition: CONDITION, document: DOCUMENT } = RECORD_CATEGORIES;
export const READ_OBSERVATION = readScope(OBSERVATION);
export const WRITE_OBSERVATION = writeScope(OBSERVATION);
export const READ_CONDITION = readScope(CONDITION);

/** A CIDv1 (raw, sha2-256) of 36 bytes, the shape real record CIDs have. */
export function cidOf(label: string): string {
  return ethers.concat(['0x01551220', ethers.sha256(ethers.toUtf8Bytes(label))]);
}

export function hashOf(label: string): string {
  return ethers.sha256(ethers.toUtf8Bytes(`ciphertext:${label}`));
}

export function keyOf(label: string): string {
  return ethers.keccak256(ethers.toUtf8Bytes(`x25519:${label}`));
}

export const ONE_DAY = 24n * 60n * 60n;
export const ADMIN_DELAY = 3n * ONE_DAY;

/** Fresh deployment through the Ignition module, with nobody registered. */
export async function deployFixture() {
  const [admin, patient, otherPatient, doctor, lab, insurer, stranger, relayer] = await ethers.getSigners();
  const { medLedger, modelRegistry, claims } = await ignition.deploy(MedLedgerModule, {
    parameters: { MedLedgerModule: { admin: admin!.address, adminDelay: ADMIN_DELAY } },
  });
  return {
    medLedger: medLedger as unknown as MedLedger,
    modelRegistry: modelRegistry as unknown as ModelRegistry,
    claims: claims as unknown as Claims,
    admin: admin!,
    patient: patient!,
    otherPatient: otherPatient!,
    doctor: doctor!,
    lab: lab!,
    insurer: insurer!,
    stranger: stranger!,
    relayer: relayer!,
  };
}

/** Two registered patients, a doctor, a lab and an insurer with encryption keys, no grants yet. */
export async function registeredFixture() {
  const fixture = await deployFixture();
  const { medLedger, patient, otherPatient, doctor, lab, insurer } = fixture;
  await medLedger.connect(patient).registerPatient(keyOf('patient'), cidOf('profile:patient'));
  await medLedger.connect(otherPatient).registerPatient(keyOf('other'), cidOf('profile:other'));
  await medLedger.registerProvider(doctor.address, ProviderKind.Doctor, ethers.id('licence:doctor'));
  await medLedger.registerProvider(lab.address, ProviderKind.Lab, ethers.id('licence:lab'));
  await medLedger.registerProvider(insurer.address, ProviderKind.Insurer, ethers.id('licence:insurer'));
  await medLedger.connect(doctor).setProviderKey(keyOf('doctor'));
  await medLedger.connect(lab).setProviderKey(keyOf('lab'));
  return fixture;
}

/** The registered fixture plus: the doctor may read observations and conditions, the lab may write observations. */
export async function grantedFixture() {
  const fixture = await registeredFixture();
  const { medLedger, patient, doctor, lab } = fixture;
  const expiry = (await networkHelpers.time.latest()) + 30 * 24 * 60 * 60;
  await medLedger.connect(patient).grant(doctor.address, READ_OBSERVATION | READ_CONDITION, expiry, cidOf('keyring:doctor'));
  await medLedger.connect(patient).grant(lab.address, WRITE_OBSERVATION | READ_OBSERVATION, expiry, cidOf('keyring:lab'));
  return { ...fixture, expiry: BigInt(expiry) };
}

/** The granted fixture plus three records: two observations and a condition. */
export async function recordsFixture() {
  const fixture = await grantedFixture();
  const { medLedger, patient } = fixture;
  await medLedger.connect(patient).addRecord(patient.address, cidOf('r1'), hashOf('r1'), OBSERVATION, 0);
  await medLedger.connect(patient).addRecord(patient.address, cidOf('r2'), hashOf('r2'), CONDITION, 0);
  await medLedger.connect(patient).addRecord(patient.address, cidOf('r3'), hashOf('r3'), OBSERVATION, 0);
  return fixture;
}

export interface ConsentTerms {
  patient: string;
  provider: string;
  scopes: bigint;
  expiry: bigint;
  keyring: string;
  revocations: bigint;
  nonce: bigint;
  deadline: bigint;
}

export const CONSENT_TYPES = {
  Consent: [
    { name: 'patient', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'scopes', type: 'uint64' },
    { name: 'expiry', type: 'uint40' },
    { name: 'keyring', type: 'bytes' },
    { name: 'revocations', type: 'uint32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/** EIP-712 domain of a MedLedger deployment, optionally for another chain id. */
export async function consentDomain(medLedger: MedLedger, chainId?: bigint) {
  return {
    name: 'MedLedger',
    version: '1',
    chainId: chainId ?? (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await medLedger.getAddress(),
  };
}
