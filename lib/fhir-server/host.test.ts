import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { allowedHostNames, isAllowedHost, isLoopback } from './host';

describe('isAllowedHost', () => {
  const loopback = allowedHostNames('127.0.0.1');

  it('answers the loopback names on the bound port only', () => {
    for (const host of ['127.0.0.1:8090', 'localhost:8090', '[::1]:8090', 'LOCALHOST:8090']) {
      assert.equal(isAllowedHost(host, loopback, 8090), true, host);
    }
    for (const host of ['attacker.example:8090', '127.0.0.1:8091', '127.0.0.1', undefined, 'a b:8090']) {
      assert.equal(isAllowedHost(host, loopback, 8090), false, String(host));
    }
  });

  it('answers a bound address, and every address of the machine when bound to all', () => {
    assert.equal(isAllowedHost('10.0.0.5:80', allowedHostNames('10.0.0.5'), 80), true);
    assert.equal(isAllowedHost('localhost:80', allowedHostNames('10.0.0.5'), 80), false);
    const all = allowedHostNames('0.0.0.0', {
      eth0: [{ address: '10.0.0.5', netmask: '', family: 'IPv4', mac: '', internal: false, cidr: null }],
    });
    assert.equal(isAllowedHost('10.0.0.5:8090', all, 8090), true);
    assert.equal(isAllowedHost('rebound.example:8090', all, 8090), false);
  });

  it('knows loopback addresses', () => {
    assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '0.0.0.0', '192.168.1.2'].map(isLoopback), [
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
