import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { computeCid, MEDLEDGER_UNIXFS } from '../cid';
import { deterministicBytes, startTemporaryNode, type TemporaryNode } from './testing';

const APP_ORIGIN = 'http://localhost:3000';

describe('gateway', () => {
  let temporary: TemporaryNode;
  const bytes = deterministicBytes(600_000, 42);
  let cid: string;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${temporary.node.gatewayUrl}${path}`, { headers, method });

  before(async () => {
    temporary = await startTemporaryNode({ gatewayCorsOrigins: [APP_ORIGIN] });
    cid = (await temporary.client.add(bytes, { cidVersion: 1, rawLeaves: true, pin: true })).cid.toString();
  });
  after(() => temporary.dispose());

  it('returns the file bytes at /ipfs/<cid>, immutable and never sniffed', async () => {
    const response = await get(`/ipfs/${cid}`);
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.from(bytes));
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(response.headers.get('etag'), `"${cid}"`);
  });

  it('returns a byte range with 206', async () => {
    const response = await get(`/ipfs/${cid}`, { Range: 'bytes=262140-262149' });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-range'), `bytes 262140-262149/${bytes.length}`);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.from(bytes.subarray(262_140, 262_150)));
  });

  it('answers an unsatisfiable range with 416', async () => {
    const response = await get(`/ipfs/${cid}`, { Range: `bytes=${bytes.length}-` });
    assert.equal(response.status, 416);
  });

  it('returns the raw root block for ?format=raw and for Accept: application/vnd.ipld.raw', async () => {
    for (const response of [
      await get(`/ipfs/${cid}?format=raw`),
      await get(`/ipfs/${cid}`, { Accept: 'application/vnd.ipld.raw' }),
    ]) {
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/vnd.ipld.raw');
      const block = new Uint8Array(await response.arrayBuffer());
      // The block is verifiable against the CID: its hash is the CID's multihash.
      const digest = await sha256.digest(block);
      assert.deepEqual(digest.bytes, CID.parse(cid).multihash.bytes);
    }
  });

  it('answers HEAD with headers only', async () => {
    const response = await get(`/ipfs/${cid}`, {}, 'HEAD');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(bytes.length));
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  it('answers 404 for content it does not hold and for other paths', async () => {
    const missing = await computeCid(deterministicBytes(10, 4242), MEDLEDGER_UNIXFS);
    assert.equal((await get(`/ipfs/${missing}`)).status, 404);
    assert.equal((await get('/api/v0/version')).status, 404);
  });

  it('answers 400 for a malformed CID', async () => {
    assert.equal((await get('/ipfs/not-a-cid')).status, 400);
  });

  it('lets the configured web app origin read responses, and no other origin', async () => {
    const allowed = await get(`/ipfs/${cid}`, { Origin: APP_ORIGIN });
    assert.equal(allowed.headers.get('access-control-allow-origin'), APP_ORIGIN);
    const other = await get(`/ipfs/${cid}`, { Origin: 'https://evil.example' });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('answers a CORS preflight', async () => {
    const response = await get(
      `/ipfs/${cid}`,
      { Origin: APP_ORIGIN, 'Access-Control-Request-Method': 'GET' },
      'OPTIONS',
    );
    assert.equal(response.status, 204);
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /GET/);
  });

  it('is read-only', async () => {
    assert.equal((await get(`/ipfs/${cid}`, {}, 'POST')).status, 405);
  });
});
