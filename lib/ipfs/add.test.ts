import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import all from 'it-all';
import { ServiceUnavailableError, ValidationError } from '../errors';
import { addBytes, addStream, type UploadProgress } from './add';
import { computeCid, MEDLEDGER_UNIXFS } from './cid';
import { createIpfsClient } from './client';
import { deterministicBytes, startTemporaryNode, type TemporaryNode } from './node/testing';

describe('addBytes', () => {
  let temporary: TemporaryNode;
  before(async () => {
    temporary = await startTemporaryNode({ maxUploadBytes: 2 * 1_048_576 });
  });
  after(() => temporary.dispose());

  it('stores the bytes under their MedLedger CID and pins them', async () => {
    const bytes = deterministicBytes(1_000_000, 1);
    const cid = await addBytes(temporary.client, bytes);
    assert.equal(cid, await computeCid(bytes, MEDLEDGER_UNIXFS));
    assert.match(cid, /^bafy/);
    assert.deepEqual(Buffer.concat(await all(temporary.client.cat(cid))), Buffer.from(bytes));
    const [pin] = await all(temporary.client.pin.ls({ paths: [cid] }));
    assert.equal(pin?.type, 'recursive');
  });

  it('gives a one-block raw CID (bafk…) to small content', async () => {
    assert.match(await addBytes(temporary.client, new TextEncoder().encode('{"resourceType":"Patient"}')), /^bafk/);
  });

  it('reports upload progress up to the total size', async () => {
    const bytes = deterministicBytes(900_000, 2);
    const events: UploadProgress[] = [];
    await addBytes(temporary.client, bytes, { onProgress: (progress) => events.push(progress) });
    assert.ok(events.length >= 4, `one event per 256 KiB piece, got ${events.length}`);
    assert.deepEqual(events.at(-1), { loadedBytes: bytes.length, totalBytes: bytes.length });
    const loaded = events.map((event) => event.loadedBytes);
    assert.deepEqual(
      loaded,
      [...loaded].sort((a, b) => a - b),
    );
  });

  it('reports progress for empty content too', async () => {
    const events: UploadProgress[] = [];
    await addBytes(temporary.client, new Uint8Array(0), { onProgress: (progress) => events.push(progress) });
    assert.deepEqual(events, [{ loadedBytes: 0, totalBytes: 0 }]);
  });

  it("turns the node's upload limit into a ValidationError", async () => {
    await assert.rejects(
      addBytes(temporary.client, deterministicBytes(3 * 1_048_576, 3)),
      (error: unknown) => error instanceof ValidationError && /limit of 2097152 bytes/.test(error.message),
    );
  });

  it('fails with ServiceUnavailableError when no node listens', async () => {
    const stopped = await startTemporaryNode();
    await stopped.dispose();
    await assert.rejects(
      addBytes(createIpfsClient(stopped.node.apiUrl), deterministicBytes(10)),
      (error: unknown) =>
        error instanceof ServiceUnavailableError &&
        error.message.includes(stopped.node.apiUrl) &&
        /ECONNREFUSED/.test(error.message),
    );
  });
});

describe('addStream', () => {
  let temporary: TemporaryNode;
  before(async () => {
    temporary = await startTemporaryNode({ maxUploadBytes: 4 * 1_048_576 });
  });
  after(() => temporary.dispose());

  const pinned = async () => (await all(temporary.client.pin.ls())).map((pin) => pin.cid.toString()).sort();

  it('stores a stream piece by piece under the CID of its bytes, with progress as the pieces go', async () => {
    const bytes = deterministicBytes(1_300_000, 20);
    const events: UploadProgress[] = [];
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < bytes.length; offset += 100_000) yield bytes.subarray(offset, offset + 100_000);
    }
    const cid = await addStream(temporary.client, pieces(), { onProgress: (progress) => events.push(progress) });
    assert.equal(cid, await computeCid(bytes, MEDLEDGER_UNIXFS));
    assert.deepEqual(Buffer.concat(await all(temporary.client.cat(cid))), Buffer.from(bytes));
    assert.equal(events.length, 13);
    assert.deepEqual(events.at(-1), { loadedBytes: bytes.length, totalBytes: undefined });
  });

  it("fails with the source's own error when the source breaks, leaving nothing pinned", async () => {
    const before = await pinned();
    const broken = new Error('the file could not be read');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield deterministicBytes(600_000, 21);
      throw broken;
    }
    await assert.rejects(addStream(temporary.client, failing()), (error) => error === broken);
    assert.deepEqual(await pinned(), before);
  });
});
