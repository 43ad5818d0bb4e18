import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Address } from 'viem';

import { createReadLog, READ_SESSION_MS } from './read-log';

const doctor: Address = '0x00000000000000000000000000000000000000D0';
const patient: Address = '0x00000000000000000000000000000000000000A1';
const key = { chainId: 31337, reader: doctor, patient, purpose: 1 };

/** sessionStorage as the browser offers it, in memory. */
function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (name: string) => items.get(name) ?? null,
    setItem: (name: string, value: string) => void items.set(name, value),
  };
}

describe('createReadLog', () => {
  it('claims only what was not logged for the same reader, patient, purpose and chain', () => {
    const log = createReadLog();
    assert.deepEqual(log.claim(key, [1n, 2n]), [1n, 2n]);
    log.logged(key, [1n, 2n]);
    assert.deepEqual(log.claim(key, [1n, 2n, 3n]), [3n]);
    assert.deepEqual(log.claim({ ...key, purpose: 2 }, [1n]), [1n]);
    assert.deepEqual(log.claim({ ...key, patient: doctor }, [1n]), [1n]);
    assert.deepEqual(log.claim({ ...key, reader: patient }, [1n]), [1n]);
    assert.deepEqual(log.claim({ ...key, chainId: 1 }, [1n]), [1n]);
    assert.deepEqual(log.claim({ ...key, reader: doctor.toLowerCase() as Address }, [2n]), [], 'addresses in any case');
  });

  it('does not hand the same records to two reads running at once, and gives back what failed', () => {
    const log = createReadLog();
    assert.deepEqual(log.claim(key, [1n, 2n]), [1n, 2n]);
    assert.deepEqual(log.claim(key, [1n, 2n]), []);
    log.release(key, [2n]);
    assert.deepEqual(log.claim(key, [1n, 2n]), [2n]);
  });

  it('logs again once the session is over', () => {
    let time = 0;
    const log = createReadLog({ now: () => time });
    log.claim(key, [1n]);
    log.logged(key, [1n]);
    time = READ_SESSION_MS - 1;
    assert.deepEqual(log.claim(key, [1n]), []);
    log.release(key, [1n]);
    time = READ_SESSION_MS;
    assert.deepEqual(log.claim(key, [1n]), [1n]);
  });

  it('outlives a page load in session storage, confirmed logs only', () => {
    const storage = memoryStorage();
    const tab = createReadLog({ storage });
    tab.claim(key, [1n, 2n]);
    tab.logged(key, [1n]);
    const reloaded = createReadLog({ storage });
    assert.deepEqual(reloaded.claim(key, [1n, 2n]), [2n]);
  });

  it('starts afresh from storage that holds something else', () => {
    const storage = memoryStorage();
    storage.setItem('medledger:logged-reads', 'not json');
    assert.deepEqual(createReadLog({ storage }).claim(key, [1n]), [1n]);
  });
});
