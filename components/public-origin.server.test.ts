import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isAllowedHost, isAllowedOrigin, parsePublicOrigins, readPublicOrigins } from './public-origin.server';
import { RuntimeConfigError } from './runtime-config.server';

const local = parsePublicOrigins(undefined);
const hospital = parsePublicOrigins(' https://Records.Hospital.example , https://records2.hospital.example:8443/ ');

describe('parsePublicOrigins', () => {
  it('defaults to the local app when unset or blank', () => {
    assert.deepEqual(local, { origins: undefined });
    assert.deepEqual(parsePublicOrigins('  '), { origins: undefined });
    assert.deepEqual(readPublicOrigins({}), { origins: undefined });
  });

  it('takes comma-separated origins, serialised as browsers send them', () => {
    assert.deepEqual(hospital, {
      origins: ['https://records.hospital.example', 'https://records2.hospital.example:8443'],
    });
    assert.deepEqual(readPublicOrigins({ MEDLEDGER_PUBLIC_ORIGIN: 'http://10.0.0.5:3000' }), {
      origins: ['http://10.0.0.5:3000'],
    });
  });

  it('names every entry that is not an http(s) origin', () => {
    assert.throws(
      () =>
        parsePublicOrigins(
          'records.hospital.example, https://ok.example, ftp://files.example, https://a.example/app, https://user@b.example',
        ),
      (error: unknown) =>
        error instanceof RuntimeConfigError &&
        error.message.includes(
          '"records.hospital.example", "ftp://files.example", "https://a.example/app", "https://user@b.example" are not origins',
        ) &&
        error.message.includes('e.g. https://records.hospital.example'),
    );
    assert.throws(() => parsePublicOrigins('https://a.example?x'), /"https:\/\/a.example\?x" is not an origin/);
    assert.throws(() => parsePublicOrigins(' , '), /names no origin/);
  });
});

describe('isAllowedHost', () => {
  it('accepts the loopback names on any port when unset', () => {
    for (const host of ['127.0.0.1:3000', 'localhost', 'LOCALHOST:3000', '[::1]:3000', '127.0.0.1']) {
      assert.equal(isAllowedHost(local, host), true, host);
    }
  });

  it('refuses any other host name, which is what a DNS-rebinding page sends', () => {
    for (const host of [
      'evil.example:3000',
      '127.0.0.1.evil.example',
      'localhost.evil.example:3000',
      'evil.example@127.0.0.1:3000',
      '127.0.0.1:3000/x',
      'localhost:99999',
      '',
    ]) {
      assert.equal(isAllowedHost(local, host), false, host);
    }
    assert.equal(isAllowedHost(local, null), false, 'no Host header');
  });

  it('accepts only the configured hosts once set, with or without the default port', () => {
    for (const host of [
      'records.hospital.example',
      'RECORDS.hospital.example',
      'records.hospital.example:443',
      'records2.hospital.example:8443',
    ]) {
      assert.equal(isAllowedHost(hospital, host), true, host);
    }
    for (const host of ['records.hospital.example:8443', 'records2.hospital.example', '127.0.0.1:3000', 'localhost']) {
      assert.equal(isAllowedHost(hospital, host), false, host);
    }
  });
});

describe('isAllowedOrigin', () => {
  it('accepts loopback origins on any port when unset', () => {
    for (const origin of ['http://127.0.0.1:3000', 'http://localhost:3000', 'https://localhost', 'http://[::1]:3000']) {
      assert.equal(isAllowedOrigin(local, origin), true, origin);
    }
  });

  it('refuses other origins, opaque ones and anything a browser would not send', () => {
    for (const origin of [
      'http://evil.example:3000',
      'null',
      'file://',
      'http://127.0.0.1:3000/',
      'ws://localhost:3000',
    ]) {
      assert.equal(isAllowedOrigin(local, origin), false, origin);
    }
  });

  it('accepts only the configured origins once set, scheme and port included', () => {
    assert.equal(isAllowedOrigin(hospital, 'https://records.hospital.example'), true);
    assert.equal(isAllowedOrigin(hospital, 'https://records2.hospital.example:8443'), true);
    for (const origin of [
      'http://records.hospital.example',
      'https://records2.hospital.example',
      'http://127.0.0.1:3000',
    ]) {
      assert.equal(isAllowedOrigin(hospital, origin), false, origin);
    }
  });
});
