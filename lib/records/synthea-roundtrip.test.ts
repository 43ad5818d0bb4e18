/**
 * Dev check (issue 18): both Synthea generations in ../shared/data/fhir-r4-synthea go through the real
 * pipeline — import (validate, encrypt, IPFS, anchor on a devnet) and export (chain, IPFS, decrypt) —
 * and come back with every number token as written and every resource unchanged. Skipped where
 * ../shared is absent: tests never depend on it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Bundle, Patient } from '@medplum/fhirtypes';
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

import { connectChain } from '../chain';
import { parseJson, stringifyJson } from '../fhir';
import { createIpfsClient } from '../ipfs';
import { type TestSystem, startTestSystem } from '../testing/system';
import { type Vault, enrollWallet, exportBundleRecords, importBundleRecords, registerPatient } from '.';

const SYNTHEA = path.resolve(import.meta.dirname, '../../../shared/data/fhir-r4-synthea');
const GENERATIONS = {
  'Synthea 2.4 (smart-on-fhir/generated-sample-data)': 'smart-on-fhir_generated-sample-data',
  'Synthea a3482c8 (google/fhir-data-pipes synthea-hiv)': 'google_fhir-data-pipes_synthea-hiv',
} as const;

type Json = unknown;
interface LosslessEntry {
  fullUrl: string;
  resource: Json;
  request?: Json;
}
interface LosslessBundle {
  entry: LosslessEntry[];
}

/** Every number token below `value`, as written, in document order. */
function numberTokens(value: Json, out: string[] = []): string[] {
  if (isLosslessNumber(value)) out.push(value.toString());
  else if (Array.isArray(value)) for (const item of value) numberTokens(item, out);
  else if (value !== null && typeof value === 'object')
    for (const child of Object.values(value)) numberTokens(child, out);
  return out;
}

/** JSON text without the whitespace between tokens (strings untouched). */
function minify(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      out += char;
      if (char === '\\') out += text[++i];
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (!' \n\r\t'.includes(char)) {
      out += char;
    }
  }
  return out;
}

interface Tally {
  files: number;
  resources: number;
  numbers: number;
  decimals: number;
  /** Tokens `JSON.parse` + `JSON.stringify` would have changed (`0.0` → `0`): what this check guards. */
  rewrittenByPlainJson: number;
  tokenMismatches: number;
  resourceMismatches: number;
  /** Files whose entries, put back into the original transaction, give the file's text (modulo whitespace). */
  filesIdentical: number;
  /** Files also identical byte for byte when indented as the source indents them. */
  filesByteIdentical: number;
}

describe(
  'Synthea round trip, both generations (devnet + embedded IPFS node)',
  { skip: !existsSync(SYNTHEA) && `${SYNTHEA} is absent` },
  () => {
    let system: TestSystem;

    before(async () => {
      ({ system } = await startTestSystem());
    });

    after(async () => {
      await system?.stop();
    });

    /**
     * A fresh patient whose profile is the file's Patient imports the file (so the import is checked
     * against the profile, and reads no earlier records), then exports everything, written as
     * `medledger export` and the web app write it.
     */
    async function roundTrip(text: string): Promise<LosslessBundle> {
      const privateKey = generatePrivateKey();
      const owner = privateKeyToAccount(privateKey).address;
      await fetch(system.devnet.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'hardhat_setBalance',
          params: [owner, '0x56bc75e2d63100000'],
        }),
      });
      const chain = await connectChain({
        rpcUrl: system.devnet.rpcUrl,
        privateKey,
        deployment: system.devnet.deployment,
      });
      const { key: identity } = await enrollWallet(chain, { role: 'patient' });
      const vault: Vault = { chain, ipfs: createIpfsClient(system.ipfsNode.apiUrl), identity };
      const entries = (parseJson(text) as Bundle).entry!;
      await registerPatient(
        vault,
        entries.find(({ resource }) => resource?.resourceType === 'Patient')!.resource as Patient,
      );
      const report = await importBundleRecords(vault, owner, text);
      assert.deepEqual([report.identity.status, report.added.length], ['match', entries.length]);
      const { bundle, unreadable } = await exportBundleRecords(vault, owner);
      assert.equal(unreadable, 0);
      return parse(stringifyJson(bundle, 2)) as LosslessBundle;
    }

    for (const [generation, folder] of Object.entries(GENERATIONS)) {
      it(`${generation}: every number token and every resource comes back as written`, async (t) => {
        const tally: Tally = {
          files: 0,
          resources: 0,
          numbers: 0,
          decimals: 0,
          rewrittenByPlainJson: 0,
          tokenMismatches: 0,
          resourceMismatches: 0,
          filesIdentical: 0,
          filesByteIdentical: 0,
        };
        const mismatches: string[] = [];
        const names = (await readdir(path.join(SYNTHEA, folder))).filter((name) => name.endsWith('.json')).sort();
        for (const name of names) {
          const text = await readFile(path.join(SYNTHEA, folder, name), 'utf8');
          const exported = await roundTrip(text);
          const byFullUrl = new Map(exported.entry.map((entry) => [entry.fullUrl, entry]));
          const original = parse(text) as LosslessBundle;
          tally.files++;
          for (const entry of original.entry) {
            tally.resources++;
            const back = byFullUrl.get(entry.fullUrl);
            const expected = numberTokens(entry.resource);
            const actual = back ? numberTokens(back.resource) : [];
            tally.numbers += expected.length;
            tally.decimals += expected.filter((token) => /[.eE]/.test(token)).length;
            tally.rewrittenByPlainJson += expected.filter((token) => String(Number(token)) !== token).length;
            const wrong = expected.filter((token, index) => actual[index] !== token).length;
            tally.tokenMismatches += wrong + Math.max(0, actual.length - expected.length);
            if (!back || stringify(back.resource) !== stringify(entry.resource)) {
              tally.resourceMismatches++;
              if (mismatches.length < 5) mismatches.push(`${name} ${entry.fullUrl}`);
            }
          }
          // The exported resources back in the original transaction (its requests are what a collection
          // export leaves out), compared with the file.
          const rebuilt = {
            ...original,
            entry: original.entry.map((entry) => ({ ...entry, resource: byFullUrl.get(entry.fullUrl)?.resource })),
          };
          if (stringify(rebuilt) === minify(text)) tally.filesIdentical++;
          if (stringify(rebuilt, null, 4) === text || stringify(rebuilt, null, 2) === text) tally.filesByteIdentical++;
        }
        t.diagnostic(JSON.stringify(tally));
        assert.ok(tally.decimals > 0);
        assert.deepEqual([tally.tokenMismatches, tally.resourceMismatches], [0, 0], mismatches.join('\n'));
        assert.equal(tally.filesIdentical, tally.files);
      });
    }
  },
);
