import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address, Hex } from 'viem';

import type { ActivityEvent } from '../../lib/chain/activity';
import { RECORD_CATEGORIES } from '../../lib/chain/categories';
import { auditStoryLines } from './audit';

const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;
const DOCTOR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
/** 2023-11-14 22:13:20 UTC. */
const T0 = 1_700_000_000;

const at = (block: number, timestamp: number) => ({
  blockNumber: BigInt(block),
  logIndex: 0,
  transactionHash: `0x${String(block).padStart(64, '0')}` as Hex,
  timestamp,
});

const activity: ActivityEvent[] = [
  { ...at(1, T0), kind: 'registered' },
  ...Array.from({ length: 3 }, (_, index): ActivityEvent => ({
    ...at(2 + index, T0 + 60 + index),
    kind: 'recordAdded',
    recordId: BigInt(index + 1),
    author: PATIENT,
    category: RECORD_CATEGORIES.observation,
    supersedes: 0n,
  })),
  { ...at(5, T0 + 600), kind: 'accessLogged', provider: DOCTOR, recordIds: [1n, 2n], purpose: 1 },
  { ...at(6, T0 + 900), kind: 'accessLogged', provider: DOCTOR, recordIds: [3n], purpose: 1 },
];

describe('auditStoryLines', () => {
  it('prints one line per entry, newest first: when (UTC), the sentence, the categories', () => {
    const { human } = auditStoryLines(PATIENT, activity, PATIENT);
    assert.equal(
      human,
      [
        `2023-11-14 22:23–22:28 UTC  ${DOCTOR} read 3 records for treatment — Observations 3`,
        '2023-11-14 22:14 UTC  You added 3 records — Observations 3',
        '2023-11-14 22:13 UTC  You registered as a patient',
      ].join('\n'),
    );
  });

  it('gives --json the entries with the purpose by the name --purpose takes', () => {
    const { story } = auditStoryLines(PATIENT, activity, PATIENT);
    assert.deepEqual(story[0], {
      start: '2023-11-14T22:23:20.000Z',
      end: '2023-11-14T22:28:20.000Z',
      kind: 'read',
      text: `${DOCTOR} read 3 records for treatment`,
      summary: 'Observations 3',
      actor: DOCTOR,
      purpose: 'treatment',
      recordIds: [1n, 2n, 3n],
      transactions: [activity[4]!.transactionHash, activity[5]!.transactionHash],
    });
  });

  it('calls the patient "The patient" for anyone else reading their trail', () => {
    const { human } = auditStoryLines(PATIENT, activity, DOCTOR);
    assert.match(human, /UTC {2}The patient added 3 records/);
  });
});
