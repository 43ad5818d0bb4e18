/**
 * `medledger validate` as a person runs it: the real CLI process, with no chain, IPFS node or wallet
 * (an RPC URL that nothing answers proves it connects to nothing).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { OperationOutcome } from '@medplum/fhirtypes';
import { type CliRun, runCli } from '../../lib/testing/cli';

const cli = (...args: string[]): Promise<CliRun> =>
  runCli(args, { env: { MEDLEDGER_RPC_URL: 'http://127.0.0.1:9', MEDLEDGER_PRIVATE_KEY: '' } });

describe('medledger validate', () => {
  let dir: string;
  let valid: string;
  let invalid: string;
  let notJson: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medledger-validate-'));
    valid = join(dir, 'valid.json');
    invalid = join(dir, 'invalid.json');
    notJson = join(dir, 'not.json');
    await writeFile(
      valid,
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001', resource: { resourceType: 'Patient' } }],
      }),
    );
    await writeFile(
      invalid,
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ fullUrl: 'Patient/1', resource: { resourceType: 'Patient', id: '1', meta: null } }],
      }),
    );
    await writeFile(notJson, '{"resourceType": ');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('says a valid file is valid and exits 0', async () => {
    const run = await cli('validate', valid);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /valid\.json: valid \(2 resources\)/);
  });

  it('lists each issue with its FHIR path and exits 1', async () => {
    const run = await cli('validate', valid, invalid);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /error \[structure\] Bundle\.entry\[0\]\.resource\.meta: must not be null/);
    assert.match(run.stdout, /error \[value\] Bundle\.entry\[0\]\.fullUrl: must be absolute/);
  });

  it('prints one OperationOutcome per file with --json; unreadable and non-JSON files are errors of their own', async () => {
    const run = await cli('validate', '--json', valid, invalid, notJson, join(dir, 'missing.json'));
    assert.equal(run.code, 1);
    const outcomes = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as OperationOutcome);
    assert.equal(outcomes.length, 4);
    assert.ok(outcomes.every((outcome) => outcome.resourceType === 'OperationOutcome'));
    assert.equal(outcomes[0]?.issue[0]?.severity, 'information');
    assert.deepEqual(
      outcomes[1]?.issue.map((issue) => [issue.code, issue.expression?.[0]]),
      [
        ['structure', 'Bundle.entry[0].resource.meta'],
        ['value', 'Bundle.entry[0].fullUrl'],
      ],
    );
    assert.equal(outcomes[2]?.issue[0]?.code, 'structure');
    assert.match(outcomes[2]?.issue[0]?.details?.text ?? '', /invalid JSON/);
    assert.equal(outcomes[3]?.issue[0]?.code, 'not-found');
  });
});
