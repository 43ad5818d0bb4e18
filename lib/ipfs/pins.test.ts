import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import all from 'it-all';
import { ServiceUnavailableError, ValidationError } from '../errors';
import { addBytes } from './add';
import { createIpfsClient } from './client';
import { deterministicBytes, startTemporaryNode, type TemporaryNode } from './node/testing';
import { pin, unpin } from './pins';

describe('pin and unpin', () => {
  let temporary: TemporaryNode;
  before(async () => {
    temporary = await startTemporaryNode();
  });
  after(() => temporary.dispose());

  const pinned = async (cid: string) =>
    (await all(temporary.client.pin.ls({ type: 'recursive' }))).some((entry) => entry.cid.toString() === cid);

  it('unpins, reports whether a pin was removed, and pins again', async () => {
    const cid = await addBytes(temporary.client, deterministicBytes(400_000, 30));
    assert.equal(await unpin(temporary.client, cid), true);
    assert.equal(await pinned(cid), false);
    assert.equal(await unpin(temporary.client, cid), false, 'a second unpin is a no-op, so erasure can be retried');
    await pin(temporary.client, cid);
    assert.equal(await pinned(cid), true);
  });

  it('makes unpinned content collectable, which is what crypto-shredding relies on', async () => {
    const cid = await addBytes(temporary.client, deterministicBytes(1_000, 31));
    await unpin(temporary.client, cid);
    await all(temporary.client.repo.gc());
    await assert.rejects(all(temporary.client.cat(cid)), /not found locally/);
  });

  it('rejects a malformed CID', async () => {
    await assert.rejects(pin(temporary.client, 'nope'), ValidationError);
  });

  it('fails with ServiceUnavailableError when the node is unreachable', async () => {
    const stopped = await startTemporaryNode();
    await stopped.dispose();
    const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
    await assert.rejects(unpin(createIpfsClient(stopped.node.apiUrl), cid), ServiceUnavailableError);
  });
});
