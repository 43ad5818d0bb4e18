import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IntegrityError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors';
import { addBytes } from './add';
import { computeCid, KUBO_DEFAULT_UNIXFS } from './cid';
import { createIpfsClient } from './client';
import { fetchVerified, MAX_ENVELOPE_BYTES } from './fetch';
import { deterministicBytes, startTemporaryNode, type TemporaryNode } from './node/testing';

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Finds the block file on disk whose content is exactly `block`. */
async function blockFileHolding(dataDir: string, block: Uint8Array): Promise<string> {
  const entries = await readdir(join(dataDir, 'blocks'), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (Buffer.compare(await readFile(path), block) === 0) return path;
  }
  throw new Error('block file not found');
}

describe('fetchVerified', () => {
  let temporary: TemporaryNode;
  before(async () => {
    temporary = await startTemporaryNode();
  });
  after(() => temporary.dispose());

  it('returns the bytes when CID and ciphertext hash both match', async () => {
    const bytes = deterministicBytes(800_000, 10);
    const cid = await addBytes(temporary.client, bytes);
    assert.deepEqual(await fetchVerified(temporary.client, cid, sha256Hex(bytes)), bytes);
  });

  it('verifies Kubo-default (CIDv0) content with Kubo-default parameters', async () => {
    const bytes = deterministicBytes(300_000, 11);
    const { cid } = await temporary.client.add(bytes);
    assert.equal(cid.toString(), await computeCid(bytes, KUBO_DEFAULT_UNIXFS));
    assert.deepEqual(await fetchVerified(temporary.client, cid.toString(), sha256Hex(bytes)), bytes);
  });

  it('throws IntegrityError when a block was tampered with on disk', async () => {
    const bytes = deterministicBytes(5_000, 12);
    const cid = await addBytes(temporary.client, bytes);
    const file = await blockFileHolding(temporary.dataDir, bytes);
    const tampered = Buffer.from(bytes);
    tampered[100] = (tampered[100] ?? 0) ^ 0xff;
    await writeFile(file, tampered);
    await assert.rejects(
      fetchVerified(temporary.client, cid, sha256Hex(bytes)),
      (error: unknown) => error instanceof IntegrityError && error.message.includes(cid),
    );
  });

  it('checks the CID alone when no ciphertext hash is given, still catching tampering', async () => {
    const bytes = deterministicBytes(3_000, 17);
    const cid = await addBytes(temporary.client, bytes);
    assert.deepEqual(await fetchVerified(temporary.client, cid), bytes);
    const file = await blockFileHolding(temporary.dataDir, bytes);
    await writeFile(file, Buffer.from(bytes).reverse());
    await assert.rejects(fetchVerified(temporary.client, cid), IntegrityError);
  });

  it('throws IntegrityError when the CID is valid but not the anchored ciphertext (swapped CID)', async () => {
    const anchored = deterministicBytes(2_000, 13);
    const other = deterministicBytes(2_000, 14);
    const otherCid = await addBytes(temporary.client, other);
    await assert.rejects(
      fetchVerified(temporary.client, otherCid, sha256Hex(anchored)),
      (error: unknown) => error instanceof IntegrityError && /anchored ciphertext hash/.test(error.message),
    );
  });

  it('throws NotFoundError for content the node does not hold', async () => {
    const bytes = deterministicBytes(100, 15);
    await assert.rejects(fetchVerified(temporary.client, await computeCid(bytes), sha256Hex(bytes)), NotFoundError);
  });

  it('throws ValidationError for a malformed CID or hash', async () => {
    await assert.rejects(fetchVerified(temporary.client, 'bafy-nope', sha256Hex(new Uint8Array())), ValidationError);
    await assert.rejects(fetchVerified(temporary.client, await computeCid(new Uint8Array()), '0xabc'), ValidationError);
  });

  it('reads content of exactly maxBytes, and refuses one byte more with IntegrityError', async () => {
    const bytes = deterministicBytes(700_000, 18);
    const cid = await addBytes(temporary.client, bytes);
    assert.deepEqual(await fetchVerified(temporary.client, cid, sha256Hex(bytes), { maxBytes: 700_000 }), bytes);
    await assert.rejects(
      fetchVerified(temporary.client, cid, sha256Hex(bytes), { maxBytes: 699_999 }),
      (error: unknown) =>
        error instanceof IntegrityError &&
        error.message.includes(`more than 699999 bytes (0.7 MiB) for ${cid}, the most this read accepts`),
    );
  });

  it(`bounds a read at ${MAX_ENVELOPE_BYTES / 1_048_576} MiB unless the caller passes a larger maxBytes`, async () => {
    const bytes = deterministicBytes(MAX_ENVELOPE_BYTES + 1, 19);
    const cid = await addBytes(temporary.client, bytes);
    await assert.rejects(fetchVerified(temporary.client, cid), IntegrityError);
    const read = await fetchVerified(temporary.client, cid, undefined, { maxBytes: MAX_ENVELOPE_BYTES + 1 });
    assert.equal(read.length, MAX_ENVELOPE_BYTES + 1);
  });

  it(
    'stops a node that streams without end as soon as it passes maxBytes, and closes the connection',
    { timeout: 30_000 },
    async () => {
      const piece = new Uint8Array(64 * 1024);
      let sent = 0;
      let closed!: () => void;
      const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
      const endless = createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        const write = () => {
          while (!response.destroyed) {
            sent += piece.length;
            if (!response.write(piece)) return;
          }
        };
        response.on('drain', write);
        response.on('close', closed);
        write();
      });
      await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = endless.address() as AddressInfo;
        const cid = await computeCid(new Uint8Array(1));
        await assert.rejects(
          fetchVerified(createIpfsClient(`http://127.0.0.1:${port}`), cid, undefined, { maxBytes: 1_048_576 }),
          (error: unknown) => error instanceof IntegrityError && /more than 1048576 bytes/.test(error.message),
        );
        await connectionClosed;
        // What was in flight in the socket buffers when the read stopped, nothing like an endless read.
        assert.ok(sent < 16 * 1_048_576, `the node got to send ${sent} bytes`);
      } finally {
        endless.closeAllConnections();
        await new Promise((resolve) => endless.close(resolve));
      }
    },
  );

  it('throws ValidationError for a maxBytes that is not a whole number of bytes', async () => {
    const cid = await computeCid(new Uint8Array());
    for (const maxBytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(fetchVerified(temporary.client, cid, undefined, { maxBytes }), ValidationError);
    }
  });

  it('throws ServiceUnavailableError when the node is stopped', async () => {
    const stopped = await startTemporaryNode();
    const bytes = deterministicBytes(100, 16);
    const cid = await addBytes(stopped.client, bytes);
    await stopped.dispose();
    await assert.rejects(
      fetchVerified(createIpfsClient(stopped.node.apiUrl), cid, sha256Hex(bytes)),
      ServiceUnavailableError,
    );
  });
});
