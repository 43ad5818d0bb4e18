import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KuboApiError } from './http';
import { parseAddRequest } from './rpc-add';

const parse = (query: string) => parseAddRequest(new URLSearchParams(query));

describe('parseAddRequest', () => {
  it("uses Kubo's defaults: CIDv0, dag-pb leaves, 256 KiB chunks, pinned", () => {
    assert.deepEqual(parse(''), {
      params: { cidVersion: 0, rawLeaves: false, chunkSize: 262_144 },
      pin: true,
      onlyHash: false,
      progress: false,
    });
  });

  it('turns raw leaves on by default for CIDv1, as Kubo does', () => {
    assert.equal(parse('cid-version=1').params.rawLeaves, true);
    assert.equal(parse('cid-version=1&raw-leaves=false').params.rawLeaves, false);
  });

  it('reads what kubo-rpc-client sends for MedLedger uploads', () => {
    const request = parse(
      'stream-channels=true&cid-version=1&raw-leaves=true&chunker=size-262144&hash=sha2-256&pin=true&progress=false',
    );
    assert.deepEqual(request.params, { cidVersion: 1, rawLeaves: true, chunkSize: 262_144 });
    assert.equal(request.pin, true);
  });

  it('treats a bare flag as true', () => {
    assert.equal(parse('only-hash').onlyHash, true);
  });

  for (const [query, reason] of [
    ['trickle=true', /trickle/],
    ['wrap-with-directory=true', /wrap-with-directory/],
    ['mtime=0', /mtime/],
    ['hash=blake2b-256', /blake2b-256/],
    ['chunker=rabin', /rabin/],
    ['cid-version=2', /cid-version/],
    ['raw-leaves=true', /requires cid-version=1/],
    ['pin=maybe', /boolean option "pin"/],
  ] as const) {
    it(`refuses ${query} with a 400 instead of producing a CID Kubo would not`, () => {
      assert.throws(
        () => parse(query),
        (error: unknown) => error instanceof KuboApiError && error.status === 400 && reason.test(error.message),
      );
    });
  }
});
