/**
 * The client half of the vault bench's large-file figures, in a process of its own so that its
 * resident set is its own: stores `--bytes` of generated plaintext as an attachment exactly as
 * `addFile` does (`storeAttachment`: encrypted in segments straight into a streaming upload), through
 * the RPC API at `--api` — the node itself (the CLI path) or the web app's `/api/ipfs` proxy (the web
 * path). Prints one JSON line: the CID, the time taken and this process's peak resident set.
 *
 *   tsx scripts/bench/lib/large-file-client.ts --api http://127.0.0.1:5001 --bytes 1073741824
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

import { categoryOf } from '../../../lib/chain';
import { generateDataKey, newRecordUid, randomBytes } from '../../../lib/crypto';
import { createIpfsClient } from '../../../lib/ipfs';
import { storeAttachment } from '../../../lib/records';

/** Plaintext generated piece by piece (never held whole): a random 1 MiB block, its first bytes varied. */
async function* generatedPlaintext(totalBytes: number): AsyncGenerator<Uint8Array> {
  const block = randomBytes(1_048_576);
  for (let offset = 0, index = 0; offset < totalBytes; offset += block.length, index++) {
    const piece = block.slice(0, Math.min(block.length, totalBytes - offset));
    new DataView(piece.buffer).setUint32(0, index);
    yield piece;
  }
}

const { values } = parseArgs({ options: { api: { type: 'string' }, bytes: { type: 'string' } } });
const totalBytes = Number(values.bytes);
if (values.api === undefined || !Number.isSafeInteger(totalBytes) || totalBytes < 1) {
  throw new Error('usage: large-file-client.ts --api <RPC API URL> --bytes <plaintext bytes>');
}
const start = performance.now();
const { cid } = await storeAttachment(
  { ipfs: createIpfsClient(values.api) },
  generatedPlaintext(totalBytes),
  generateDataKey(),
  {
    patient: '0x0000000000000000000000000000000000000001',
    recordUid: newRecordUid(),
    version: 1,
    category: categoryOf('DocumentReference'),
    epoch: 0,
  },
  { contentType: 'application/dicom' },
);
const ms = performance.now() - start;
// ru_maxrss: the peak resident set of this process over its life, in KiB.
console.log(JSON.stringify({ cid, ms, peakRssKiB: process.resourceUsage().maxRSS }));
