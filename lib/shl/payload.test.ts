import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ValidationError } from '../errors';
import { decodeShlink, encodeShlink, flagsOf, isKey256, manifestUrl, random256, randomLinkId } from './payload';

const KEY = 'rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q';

describe('SMART Health Link payloads', () => {
  it('round-trips through shlink:/ and through a viewer URL', () => {
    const payload = {
      url: 'https://records.example/api/shl/abc',
      key: KEY,
      exp: 1_900_000_000,
      flag: 'P',
      label: 'Allergies',
      v: 1,
    };
    const link = encodeShlink(payload);
    assert.match(link, /^shlink:\/[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeShlink(link), payload);
    assert.deepEqual(decodeShlink(encodeShlink(payload, 'https://viewer.example/#')), payload);
  });

  it('minifies the JSON and leaves out what is not set', () => {
    const link = encodeShlink({ url: 'https://a.example/m', key: KEY });
    const json = Buffer.from(link.slice('shlink:/'.length), 'base64url').toString();
    assert.equal(json, `{"url":"https://a.example/m","key":"${KEY}"}`);
  });

  it('ignores properties it does not know, as receivers must', () => {
    const text = `shlink:/${Buffer.from(JSON.stringify({ url: 'https://a.example/m', key: KEY, _x: 1 })).toString('base64url')}`;
    assert.deepEqual(decodeShlink(text), {
      url: 'https://a.example/m',
      key: KEY,
      exp: undefined,
      flag: undefined,
      label: undefined,
      v: undefined,
    });
  });

  it('refuses a label over 80 characters, a short key, P with U and a long manifest URL, all at once', () => {
    assert.throws(
      () =>
        encodeShlink({ url: `https://a.example/${'m'.repeat(120)}`, key: 'short', flag: 'PU', label: 'x'.repeat(81) }),
      (error: unknown) =>
        error instanceof ValidationError &&
        ['url', 'key', 'flag', 'label'].every((path) => error.issues.some((issue) => issue.path === path)),
    );
  });

  it('refuses flags out of alphabetical order and text that is no link', () => {
    assert.throws(() => encodeShlink({ url: 'https://a.example/m', key: KEY, flag: 'PL' }), ValidationError);
    assert.throws(() => decodeShlink('https://example.org/#nothing'), ValidationError);
    assert.throws(() => decodeShlink('shlink:/not*base64'), ValidationError);
  });

  it('draws 256-bit keys and ids of 43 characters', () => {
    const key = random256();
    assert.equal(key.length, 43);
    assert.ok(isKey256(key));
    assert.notEqual(key, random256());
    assert.equal(manifestUrl('https://records.example/patient', key), `https://records.example/api/shl/${key}`);
    assert.ok(manifestUrl('https://records.example', key).length <= 128);
  });

  it('writes flags in alphabetical order', () => {
    assert.equal(flagsOf({ passcode: true, longTerm: true }), 'LP');
    assert.equal(flagsOf({ passcode: true }), 'P');
    assert.equal(flagsOf({}), undefined);
  });

  it('never makes a link id a command line would read as an option', () => {
    const ids = Array.from({ length: 2_000 }, randomLinkId);
    assert.ok(ids.every((id) => isKey256(id) && !id.startsWith('-')));
    assert.equal(new Set(ids).size, ids.length);
  });
});
