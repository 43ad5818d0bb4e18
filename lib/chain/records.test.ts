import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type Hex, keccak256, toHex } from 'viem';

import { IntegrityError } from '../errors';
import {
  type RecordBatch,
  checkRecordTiling,
  packRecordHeaders,
  sealBatch,
  unpackRecordHeaders,
  verifyRecordBatches,
} from './records';

const cid = (label: string) => `0x01551220${keccak256(toHex(label)).slice(2)}` as Hex;
const hash = (label: string) => keccak256(toHex(`ciphertext ${label}`));
const patient = '0x00000000000000000000000000000000000000aa';
const author = '0x00000000000000000000000000000000000000bb';

const input = (label: string, category = 3, supersedes = 0n) => ({
  cid: cid(label),
  ciphertextHash: hash(label),
  category,
  supersedes,
});

function batch(firstId: bigint, inputs: ReturnType<typeof input>[]): RecordBatch {
  return {
    patient,
    firstId,
    author,
    createdAt: 1_700_000_000,
    headers: packRecordHeaders(inputs),
    blockNumber: 1n,
    transactionHash: hash('tx'),
  };
}

/** What the contract stores for these batches: a digest per batch, state bytes for `addRecords` batches. */
function storedFor(batches: { batch: RecordBatch; alone: boolean }[], superseded: bigint[] = []) {
  const digests: Hex[] = [];
  const states: number[] = [];
  for (const { batch: each, alone } of batches) {
    const inputs = unpackRecordHeaders(each.headers);
    inputs.forEach((record, index) => {
      const id = each.firstId + BigInt(index);
      const state = 0x20 | record.category | (superseded.includes(id) ? 0x80 : 0);
      const seal = BigInt(sealBatch(each));
      digests.push(
        index > 0 ? `0x${'0'.repeat(64)}` : `0x${(seal | BigInt(alone ? state : 0x40)).toString(16).padStart(64, '0')}`,
      );
      states.push(alone ? 0 : state);
    });
  }
  return { digests, states: Uint8Array.from(states) };
}

describe('packed record headers', () => {
  it('round-trip through packing, with CIDs of any valid length', () => {
    const inputs = [input('a'), input('b', 31, 2n ** 63n), { ...input('c'), cid: '0x1220ab' as Hex }];
    assert.deepEqual(unpackRecordHeaders(packRecordHeaders(inputs)), inputs);
  });

  it('refuse truncated or inconsistent bytes with an IntegrityError', () => {
    const packed = packRecordHeaders([input('a')]);
    assert.throws(() => unpackRecordHeaders(packed.slice(0, -2) as Hex), IntegrityError);
    assert.throws(() => unpackRecordHeaders(`${packed}00` as Hex), IntegrityError);
    assert.throws(() => packRecordHeaders([{ ...input('a'), cid: '0x' }]), RangeError);
  });
});

describe('verifyRecordBatches', () => {
  const first = batch(1n, [input('a'), input('b'), input('c', 3, 1n)]);
  const second = batch(4n, [input('d', 5)]);
  const both = [
    { batch: first, alone: false },
    { batch: second, alone: true },
  ];

  it('accepts batches that match storage, in any order, and returns headers in id order', () => {
    const headers = verifyRecordBatches([second, first], 4n, storedFor(both, [1n]));
    assert.deepEqual(
      headers.map((header) => [header.recordId, header.category, header.supersedes]),
      [
        [1n, 3, 0n],
        [2n, 3, 0n],
        [3n, 3, 1n],
        [4n, 5, 0n],
      ],
    );
  });

  it('catches a missing, repeated or extra batch', () => {
    const stored = storedFor(both, [1n]);
    assert.throws(
      () => verifyRecordBatches([first], 4n, stored),
      /Record 4 is anchored on-chain but its event is missing/,
    );
    assert.throws(() => verifyRecordBatches([first, first, second], 4n, stored), /appears twice/);
    assert.throws(() => verifyRecordBatches([first, second, batch(5n, [input('e')])], 4n, stored), /do not exist/);
  });

  it('catches a header altered after anchoring', () => {
    const stored = storedFor(both, [1n]);
    const altered = { ...first, headers: packRecordHeaders([input('a'), input('x'), input('c', 3, 1n)]) };
    assert.throws(() => verifyRecordBatches([altered, second], 4n, stored), /does not match what the contract stored/);
    assert.throws(() => verifyRecordBatches([{ ...first, author: patient }, second], 4n, stored), IntegrityError);
  });

  it('catches a correction the contract does not know of, or one it knows the events hide', () => {
    assert.throws(() => verifyRecordBatches([first, second], 4n, storedFor(both)), /corrections/);
    assert.throws(() => verifyRecordBatches([first, second], 4n, storedFor(both, [1n, 2n])), /corrections/);
  });

  it('checks tiling alone for readers who may not read digests', () => {
    checkRecordTiling([second, first], 4n);
    assert.throws(() => checkRecordTiling([second], 4n), /Record 1 is anchored/);
    assert.throws(() => checkRecordTiling([first, second], 3n), /do not exist/);
  });
});
