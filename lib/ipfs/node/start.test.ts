import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import all from 'it-all';
import { create } from 'kubo-rpc-client';
import { startIpfsNode } from './start';
import { deterministicBytes, startTemporaryNode } from './testing';

const MEDLEDGER_ADD = { cidVersion: 1, rawLeaves: true, chunker: 'size-262144', pin: true } as const;

describe('startIpfsNode', () => {
  it('binds to 127.0.0.1 by default', async () => {
    const temporary = await startTemporaryNode();
    try {
      assert.match(temporary.node.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(temporary.node.gatewayUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await temporary.dispose();
    }
  });

  it('keeps content, pins and peer ID across a restart on the same data dir', async () => {
    const first = await startTemporaryNode();
    const bytes = deterministicBytes(700_000, 77);
    const { cid } = await first.client.add(bytes, MEDLEDGER_ADD);
    await first.node.stop();

    const second = await startTemporaryNode({ dataDir: first.dataDir });
    try {
      assert.equal(second.node.peerId, first.node.peerId);
      assert.deepEqual(Buffer.concat(await all(second.client.cat(cid))), Buffer.from(bytes));
      const pins = await all(second.client.pin.ls({ paths: [cid] }));
      assert.equal(pins[0]?.type, 'recursive');
    } finally {
      await second.dispose();
    }
  });

  it('lets an upload in progress finish when stopped, and the data is there after restart', async () => {
    // A grace period long enough for a 20 MB upload on a loaded machine; the test helper's 500 ms
    // default would cut it by design.
    const first = await startTemporaryNode({ shutdownGraceMs: 30_000 });
    const bytes = deterministicBytes(20 * 1_048_576, 78);
    // Stop only once the client is demonstrably streaming the body: a fixed delay raced the
    // connection under load, stopping the node before the upload had begun.
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    async function* body(): AsyncGenerator<Uint8Array> {
      const piece = 1_048_576;
      for (let offset = 0; offset < bytes.length; offset += piece) {
        yield bytes.subarray(offset, offset + piece);
        if (offset === piece) streaming();
      }
    }
    const adding = first.client.add(body(), MEDLEDGER_ADD);
    await started;
    const [{ cid }] = await Promise.all([adding, first.node.stop()]);

    const second = await startTemporaryNode({ dataDir: first.dataDir });
    try {
      assert.equal(Buffer.concat(await all(second.client.cat(cid))).length, bytes.length);
    } finally {
      await second.dispose();
    }
  });

  it('can be stopped twice', async () => {
    const temporary = await startTemporaryNode();
    await temporary.node.stop();
    await temporary.dispose();
  });

  it('fails to start on a port in use, and the data dir can be used again afterwards', async () => {
    const running = await startTemporaryNode();
    const apiPort = Number(new URL(running.node.apiUrl).port);
    const otherDir = `${running.dataDir}-second`;
    try {
      await assert.rejects(startIpfsNode({ dataDir: otherDir, apiPort, gatewayPort: 0 }), /EADDRINUSE/);
      const retried = await startIpfsNode({ dataDir: otherDir, apiPort: 0, gatewayPort: 0 });
      assert.ok((await create({ url: retried.apiUrl }).id()).id);
      await retried.stop();
    } finally {
      await running.dispose();
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
