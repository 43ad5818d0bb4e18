import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import all from 'it-all';
import { NextRequest } from 'next/server';

import { POST } from '../app/api/ipfs/[...path]/route';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

import { addBytes } from '../lib/ipfs/add';
import { computeCid, MEDLEDGER_UNIXFS } from '../lib/ipfs/cid';
import { deterministicBytes, startTemporaryNode, type TemporaryNode } from '../lib/ipfs/node/testing';

const APP = 'http://127.0.0.1:3000';
const REBINDING_HOST = 'evil.example:3000';

interface Call {
  readonly host?: string;
  /** `null` sends no Origin header (a same-origin GET-like request); default: the host's own origin. */
  readonly origin?: string | null;
  readonly body?: BodyInit;
  readonly headers?: Record<string, string>;
  /** `Sec-Fetch-Site` as a browser sets it; default `same-origin`. */
  readonly site?: string;
}

/** Calls the route handler as Next.js does for `POST /api/ipfs/<operation>?<query>`. */
async function callRoute(operation: string, query: string, call: Call = {}): Promise<Response> {
  const host = call.host ?? '127.0.0.1:3000';
  const headers = new Headers({ host, 'sec-fetch-site': call.site ?? 'same-origin', ...call.headers });
  const origin = call.origin === undefined ? `http://${host}` : call.origin;
  if (origin !== null) headers.set('origin', origin);
  const request = new NextRequest(`http://${host}/api/ipfs/${operation}${query}`, {
    method: 'POST',
    headers,
    body: call.body,
    duplex: 'half',
  } as ConstructorParameters<typeof NextRequest>[1]);
  return POST(request, { params: Promise.resolve({ path: operation.split('/') }) });
}

/** The `Message` of a Kubo-shaped error body. */
async function kuboMessage(response: Response): Promise<string> {
  const body = (await response.json()) as { Message?: unknown; Type?: unknown };
  assert.equal(body.Type, 'error');
  assert.equal(typeof body.Message, 'string');
  return body.Message as string;
}

const BOUNDARY = 'medledger-test-boundary';
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
const PART_HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n`,
);
const PART_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/**
 * A multipart upload sent as a stream of unknown length: `pieces` of content, each released only
 * when the test says so, so the test can watch what the node has received in between.
 */
function streamedUpload() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      controller.enqueue(PART_HEAD);
    },
  });
  return {
    body,
    send: (piece: Uint8Array) => controller.enqueue(piece),
    finish: () => {
      controller.enqueue(PART_TAIL);
      controller.close();
    },
  };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function uploadOf(bytes: Uint8Array): FormData {
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]));
  return form;
}

describe('the /api/ipfs route', () => {
  let temporary: TemporaryNode;
  let cid: string;
  const bytes = deterministicBytes(4_000, 901);
  const savedEnv = { ...process.env };

  before(async () => {
    temporary = await startTemporaryNode();
    process.env.MEDLEDGER_IPFS_API_URL = temporary.node.apiUrl;
    delete process.env.MEDLEDGER_PUBLIC_ORIGIN;
    cid = await addBytes(temporary.client, bytes);
  });
  after(async () => {
    process.env = savedEnv;
    await temporary.dispose();
  });

  /** Asked of the node directly, not through the route. */
  const isPinned = async (target: string) =>
    (await all(temporary.client.pin.ls({ type: 'recursive' }))).some((entry) => entry.cid.toString() === target);

  it('serves cat and add to the app’s own pages', async () => {
    const cat = await callRoute('cat', `?arg=${cid}`);
    assert.equal(cat.status, 200);
    assert.deepEqual(new Uint8Array(await cat.arrayBuffer()), bytes);

    const added = await callRoute('add', '?cid-version=1&raw-leaves=true&pin=true', {
      body: uploadOf(deterministicBytes(1_000, 902)),
    });
    assert.equal(added.status, 200);
    const { Hash } = (await added.json()) as { Hash: string };
    assert.equal(await isPinned(Hash), true);
  });

  it('refuses pin/rm from the app’s own pages, so no visitor can unpin a record', async () => {
    const response = await callRoute('pin/rm', `?arg=${cid}&recursive=true`);
    assert.equal(response.status, 403);
    assert.match(await kuboMessage(response), /unpinning is not available through this app/i);
    assert.equal(await isPinned(cid), true, 'the blob is still pinned on the node');
  });

  it('refuses pin/ls, which would list every blob on the node', async () => {
    const response = await callRoute('pin/ls', '?type=recursive');
    assert.equal(response.status, 403);
    assert.match(await kuboMessage(response), /listing pins is not available through this app/i);
  });

  it('refuses pin/add, which the browser never needs (add pins as it stores)', async () => {
    const response = await callRoute('pin/add', `?arg=${cid}&recursive=true`);
    assert.equal(response.status, 403);
    assert.match(await kuboMessage(response), /pinning by CID is not available through this app/i);
  });

  it('refuses a DNS-rebinding page (its host name resolving to 127.0.0.1) for every operation', async () => {
    for (const [operation, query, body] of [
      ['cat', `?arg=${cid}`, undefined],
      ['add', '?cid-version=1&raw-leaves=true&pin=true', uploadOf(deterministicBytes(1_000, 903))],
      ['pin/rm', `?arg=${cid}&recursive=true`, undefined],
    ] as const) {
      const response = await callRoute(operation, query, { host: REBINDING_HOST, body });
      assert.equal(response.status, 403, `${operation} from ${REBINDING_HOST}`);
      assert.match(await kuboMessage(response), /evil\.example:3000 is not a host name this app answers/);
    }
    assert.equal(await isPinned(cid), true, 'the blob is still pinned on the node');
  });

  it('refuses a page of another origin even when the Host header is the app’s', async () => {
    const response = await callRoute('cat', `?arg=${cid}`, { origin: 'http://evil.example:3000' });
    assert.equal(response.status, 403);
    assert.match(await kuboMessage(response), /http:\/\/evil\.example:3000 is not an origin this app answers/);
  });

  it('refuses a request another site’s page sends', async () => {
    const response = await callRoute('cat', `?arg=${cid}`, { origin: null, site: 'cross-site' });
    assert.equal(response.status, 403);
    assert.match(await kuboMessage(response), /this app’s own pages only/);
  });

  it('answers the configured public origins only once MEDLEDGER_PUBLIC_ORIGIN is set', async () => {
    process.env.MEDLEDGER_PUBLIC_ORIGIN = 'https://records.hospital.example, https://records2.hospital.example:8443';
    try {
      const ok = await callRoute('cat', `?arg=${cid}`, {
        host: 'records.hospital.example',
        origin: 'https://records.hospital.example',
      });
      assert.equal(ok.status, 200);
      assert.deepEqual(new Uint8Array(await ok.arrayBuffer()), bytes);
      const local = await callRoute('cat', `?arg=${cid}`, { host: '127.0.0.1:3000', origin: APP });
      assert.equal(local.status, 403, 'the loopback default no longer applies');
      assert.match(await kuboMessage(local), /MEDLEDGER_PUBLIC_ORIGIN/);
    } finally {
      delete process.env.MEDLEDGER_PUBLIC_ORIGIN;
    }
  });

  describe('uploads', () => {
    const stored = (cid: CID) =>
      temporary.client.block.stat(cid).then(
        () => true,
        () => false,
      );
    const pinned = async () => (await all(temporary.client.pin.ls())).map((pin) => pin.cid.toString()).sort();

    it('passes an upload through to the node as it arrives, not read whole first', async () => {
      // The importer writes leaves ten at a time, so the first is on disk after eleven chunks.
      const first = deterministicBytes(11 * 262_144, 904);
      const rest = deterministicBytes(700_000, 905);
      const upload = streamedUpload();
      const answer = callRoute('add', '?cid-version=1&raw-leaves=true&pin=true', {
        body: upload.body,
        headers: MULTIPART,
      });
      upload.send(first);
      upload.send(rest.subarray(0, 1));
      // The node has stored the first 256 KiB leaf while the client has not finished sending.
      const firstLeaf = CID.createV1(0x55, await sha256.digest(first.subarray(0, 262_144)));
      await until(() => stored(firstLeaf), 'the node has the first block');
      upload.send(rest.subarray(1));
      upload.finish();
      const response = await answer;
      assert.equal(response.status, 200);
      const { Hash } = (await response.json()) as { Hash: string };
      assert.equal(Hash, await computeCid(Buffer.concat([first, rest]), MEDLEDGER_UNIXFS));
      assert.equal(await isPinned(Hash), true);
    });

    it('stops an upload past MEDLEDGER_MAX_UPLOAD_BYTES with 413 and a sentence, and the node keeps nothing', async () => {
      process.env.MEDLEDGER_MAX_UPLOAD_BYTES = String(4 * 1_048_576);
      try {
        const pinsBefore = await pinned();
        const bytes = deterministicBytes(6 * 1_048_576, 906);
        const firstLeaf = CID.createV1(0x55, await sha256.digest(bytes.subarray(0, 262_144)));
        const upload = streamedUpload();
        const answer = callRoute('add', '?cid-version=1&raw-leaves=true&pin=true', {
          body: upload.body,
          headers: MULTIPART,
        });
        upload.send(bytes.subarray(0, 3 * 1_048_576));
        await until(() => stored(firstLeaf), 'the node has the first block');
        upload.send(bytes.subarray(3 * 1_048_576));
        upload.finish();
        const response = await answer;
        assert.equal(response.status, 413);
        assert.match(
          await kuboMessage(response),
          /^The upload is larger than this MedLedger's limit of 4\.0 MiB \(4194304 bytes, MEDLEDGER_MAX_UPLOAD_BYTES\); nothing was stored\.$/,
        );
        // The node deletes what it wrote once it sees the upload cut off.
        await until(async () => !(await stored(firstLeaf)), 'the node has deleted the partial upload');
        assert.deepEqual(await pinned(), pinsBefore);
      } finally {
        delete process.env.MEDLEDGER_MAX_UPLOAD_BYTES;
      }
    });

    it('refuses an upload that declares a length past the limit before forwarding any of it', async () => {
      process.env.MEDLEDGER_MAX_UPLOAD_BYTES = String(1_000);
      try {
        const body = Buffer.concat([PART_HEAD, deterministicBytes(2_000, 907), PART_TAIL]);
        const response = await callRoute('add', '?cid-version=1&raw-leaves=true&pin=true', {
          body,
          headers: { ...MULTIPART, 'content-length': String(body.length) },
        });
        assert.equal(response.status, 413);
        assert.match(await kuboMessage(response), /limit of 1000 bytes/);
      } finally {
        delete process.env.MEDLEDGER_MAX_UPLOAD_BYTES;
      }
    });
  });
});
