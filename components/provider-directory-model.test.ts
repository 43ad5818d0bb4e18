import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Address, Hex } from 'viem';

import type { DirectoryEntry } from '../lib/records/directory';
import { indexDirectory, knownName, pickerOptions, providerLabel } from './provider-directory-model';

const ZERO = `0x${'0'.repeat(64)}` as Hex;

function entry(provider: string, kind: number, extra: Partial<DirectoryEntry> = {}): DirectoryEntry {
  return {
    provider: provider as Address,
    kind,
    credentialHash: ZERO,
    suspended: false,
    hasKey: true,
    registeredAt: 1_700_000_000,
    registeredBy: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    profileHash: ZERO,
    ...extra,
  };
}

const OKAFOR = entry('0x90F79bf6EB2c4f870365E785982E1f101E93b906', 1, {
  profile: {
    name: 'Dr. Ada Okafor',
    type: 'Practitioner',
    specialty: 'Cardiology',
    organization: "St. Mary's Hospital",
  },
});
const BERG = entry('0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc', 1, {
  profile: { name: 'Dr. Lars Berg', type: 'Practitioner', specialty: 'General practice' },
  suspended: true,
});
const LAB = entry('0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65', 2, {
  profile: { name: 'Northside Clinical Lab', type: 'Organization', specialty: 'Clinical chemistry' },
});
const NAMELESS = entry('0x976EA74026E726554dB657fA54763abd0C3a0aa9', 3);
const DIRECTORY = [NAMELESS, LAB, BERG, OKAFOR];

describe('provider names', () => {
  it('a published name wins over the name the patient gave, which wins over the short address', () => {
    assert.equal(providerLabel(OKAFOR.provider, OKAFOR, 'my cardiologist'), 'Dr. Ada Okafor');
    assert.equal(providerLabel(NAMELESS.provider, NAMELESS, 'Acme Insurance'), 'Acme Insurance');
    assert.equal(providerLabel(NAMELESS.provider, NAMELESS), '0x976E…0aa9');
    assert.equal(providerLabel(NAMELESS.provider), '0x976E…0aa9');
    assert.equal(knownName(NAMELESS, '  '), undefined, 'a blank local name is no name');
  });

  it('finds an entry whatever the casing of the address', () => {
    const index = indexDirectory(DIRECTORY);
    assert.equal(index.get(OKAFOR.provider.toLowerCase()), OKAFOR);
    assert.equal(index.size, 4);
  });
});

describe('the provider picker', () => {
  it('lists by name, providers without a profile last, suspended ones unavailable', () => {
    const options = pickerOptions(DIRECTORY, '');
    assert.deepEqual(
      options.map((option) => option.label),
      ['Dr. Ada Okafor', 'Dr. Lars Berg', 'Northside Clinical Lab', '0x976E…0aa9'],
    );
    assert.deepEqual(
      options.map((option) => option.unavailable),
      [undefined, 'Suspended by the administrator', undefined, undefined],
    );
  });

  it('searches name, specialty, organisation and kind, by its name or its label', () => {
    const labels = (query: string) => pickerOptions(DIRECTORY, query).map((option) => option.label);
    assert.deepEqual(labels('okafor'), ['Dr. Ada Okafor']);
    assert.deepEqual(labels('cardio st mary'), ['Dr. Ada Okafor']);
    assert.deepEqual(labels('laboratory'), ['Northside Clinical Lab']);
    assert.deepEqual(labels('insurer'), ['0x976E…0aa9']);
    assert.deepEqual(labels('doctor'), ['Dr. Ada Okafor', 'Dr. Lars Berg']);
    assert.deepEqual(labels('dentist'), []);
  });

  it('never offers the patient their own address', () => {
    const options = pickerOptions(DIRECTORY, '', OKAFOR.provider.toLowerCase());
    assert.ok(!options.some((option) => option.entry === OKAFOR));
  });
});
