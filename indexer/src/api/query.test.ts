import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LogQueryError, MAX_PAGE_SIZE, cursorOf, indexedBlockOf, parseLogQuery } from './query';

const EVENTS = new Set(['RecordsAdded', 'AccessGranted']);
const parse = (query: string) => parseLogQuery(new URLSearchParams(query), EVENTS);
const A = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const B = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';

describe('parseLogQuery', () => {
  it('reads no parameters as every log, a page of the largest size', () => {
    assert.deepEqual(parse(''), {
      events: [],
      addresses: { patient: [], provider: [], author: [], by: [] },
      firstIds: [],
      toBlock: undefined,
      after: undefined,
      limit: MAX_PAGE_SIZE,
    });
  });

  it('reads repeated filters as lists and addresses in lower case', () => {
    const query = parse(`event=RecordsAdded&event=AccessGranted&provider=${A}&provider=${B}&firstId=7&toBlock=12`);
    assert.deepEqual(query.events, ['RecordsAdded', 'AccessGranted']);
    assert.deepEqual(query.addresses.provider, [A.toLowerCase(), B]);
    assert.deepEqual(query.firstIds, [7n]);
    assert.equal(query.toBlock, 12n);
  });

  it('continues after a cursor it made', () => {
    const position = { blockNumber: 123_456_789_012n, logIndex: 4 };
    assert.deepEqual(parse(`after=${cursorOf(position)}&limit=1`).after, position);
  });

  it('names every problem at once', () => {
    assert.throws(
      () => parse('event=Nope&patient=0x12&limit=0&firstId=18446744073709551616&color=red'),
      (error: unknown) =>
        error instanceof LogQueryError &&
        /Unknown parameter "color"/.test(error.message) &&
        /event="Nope"/.test(error.message) &&
        /patient="0x12"/.test(error.message) &&
        /firstId="18446744073709551616"/.test(error.message) &&
        /limit="0"/.test(error.message),
    );
  });

  it('refuses a page larger than the largest, and a single parameter twice', () => {
    assert.throws(() => parse(`limit=${MAX_PAGE_SIZE + 1}`), /must be a whole number from 1 to 10000/);
    assert.throws(() => parse('toBlock=1&toBlock=2'), /toBlock may be given once/);
    assert.throws(() => parse('after=12'), /after="12" is not a cursor/);
  });
});

describe('indexedBlockOf', () => {
  const checkpoint = (block: number, within: string) =>
    `${'1700000000'}${'31337'.padStart(16, '0')}${String(block).padStart(16, '0')}${within}`;

  it('counts a block rounded up to its end as indexed', () => {
    assert.equal(indexedBlockOf(checkpoint(42, '9'.repeat(33))), 42n);
  });

  it('counts only the blocks before one indexed part way', () => {
    assert.equal(indexedBlockOf(checkpoint(42, `${'0'.repeat(16)}5${'3'.padStart(16, '0')}`)), 41n);
    assert.equal(indexedBlockOf(checkpoint(0, '0'.repeat(33))), undefined);
  });

  it('refuses what is not a checkpoint', () => {
    assert.throws(() => indexedBlockOf('42'), /Unexpected Ponder checkpoint/);
  });
});
