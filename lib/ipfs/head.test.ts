import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { NotFoundError, ServiceUnavailableError, ValidationError } from '../errors';
import { addBytes } from './add';
import { createIpfsClient } from './client';
import { fetchHead } from './head';
import { deterministicBytes, startTemporaryNode, type TemporaryNode } from './node/testing';

describe('fetchHead', () => {
  let temporary: TemporaryNode;
  before(async () => {
    temporary = await startTemporaryNode();
  });
  after(() => temporary.dispose());

  it('returns the first bytes of a file that spans several blocks', async () => {
    const bytes = deterministicBytes(700_000, 40);
    const cid = await addBytes(temporary.client, bytes);
    assert.deepEqual(await fetchHead(temporary.client, cid, 96), bytes.subarray(0, 96));
  });

  it('returns the whole file when it is shorter than asked for', async () => {
    const bytes = deterministicBytes(50, 41);
    const cid = await addBytes(temporary.client, bytes);
    assert.deepEqual(await fetchHead(temporary.client, cid, 96), bytes);
  });

  it('says when the node does not have the content, or the CID is malformed', async () => {
    const missing = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
    await assert.rejects(fetchHead(temporary.client, missing, 96), NotFoundError);
    await assert.rejects(fetchHead(temporary.client, 'nope', 96), ValidationError);
  });

  it('stops reading after `length` bytes from a node that ignores it', async () => {
    let requested: URLSearchParams | undefined;
    let closed = false;
    const endless: Server = createServer((req, res) => {
      requested = new URL(req.url ?? '/', 'http://node').searchParams;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => res.write(new Uint8Array(64 * 1024).fill(7)), 5);
      res.on('close', () => {
        clearInterval(timer);
        closed = true;
      });
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = endless.address() as AddressInfo;
      const head = await fetchHead(
        createIpfsClient(`http://127.0.0.1:${port}`),
        'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
        96,
      );
      assert.deepEqual(head, new Uint8Array(96).fill(7));
      assert.equal(requested?.get('length'), '96');
      for (let wait = 0; !closed && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(closed, 'the response was cut off');
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('fails with ServiceUnavailableError when the node is unreachable', async () => {
    const stopped = await startTemporaryNode();
    await stopped.dispose();
    const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
    await assert.rejects(fetchHead(createIpfsClient(stopped.node.apiUrl), cid, 96), ServiceUnavailableError);
  });
});
