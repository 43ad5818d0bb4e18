/**
 * The `medledger` CLI end to end: every command is spawned as its own process, exactly as a person or
 * a script runs it, against a devnet and an embedded IPFS node this test starts on free ports.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestContext, after, before, describe, it } from 'node:test';

import type { Bundle } from '@medplum/fhirtypes';
import { type Address, getAddress, keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

import {
  type ChainContext,
  RECORD_CATEGORIES,
  connectChain,
  deploymentFor,
  readMedLedger,
  parseProviderKind,
  readScope,
  writeMedLedger,
  writeModelRegistry,
} from '../lib/chain';
import { FRAMINGHAM_LIPID, MODELS } from '../lib/ai';
import { CARDS_DIR } from '../lib/ai/node';
import { type KuboRPCClient, createIpfsClient } from '../lib/ipfs';
import { type RunningIpfsNode, startIpfsNode } from '../lib/ipfs/node';
import { DEVNET_KEYS } from '../lib/testing/devnet-accounts';
import { providerDirectory } from '../lib/records/directory';
import { PATRIA, personBundle, sampleBundle } from '../lib/testing/fixtures';
import { type Devnet, startDevnet } from './devnet';
import { type CliRun, runCli, runCliJson } from '../lib/testing/cli';

const MARKER = 'CLI-TEST-3b9c41d2';

type Actor = keyof typeof DEVNET_KEYS;

const addressOf = (actor: Actor): Address => privateKeyToAccount(DEVNET_KEYS[actor]).address;

describe('medledger CLI (devnet + embedded IPFS node, one process per command)', () => {
  let devnet: Devnet;
  let ipfsNode: RunningIpfsNode;
  let ipfs: KuboRPCClient;
  let chain: ChainContext;
  let workDir: string;
  let bundleFile: string;
  let patriaFile: string;

  const envOf = (actor: Actor) => ({
    MEDLEDGER_RPC_URL: devnet.rpcUrl,
    MEDLEDGER_IPFS_API_URL: ipfsNode.apiUrl,
    MEDLEDGER_PRIVATE_KEY: DEVNET_KEYS[actor],
  });
  /** Runs `medledger …args` as `actor`; resolves with the exit code and output, whatever the code. */
  const cli = (actor: Actor, ...args: string[]): Promise<CliRun> => runCli(args, { cwd: workDir, env: envOf(actor) });
  /** Runs a command with `--json` that must succeed, and parses what it printed. */
  const cliJson = <T>(actor: Actor, ...args: string[]): Promise<T> =>
    runCliJson<T>(args, { cwd: workDir, env: envOf(actor) });

  /** What a failing command could have written: transactions of every account, pins on the node. */
  async function footprint(): Promise<{ nonces: number[]; pins: number }> {
    const nonces = await Promise.all(
      (Object.keys(DEVNET_KEYS) as Actor[]).map((actor) =>
        chain.publicClient.getTransactionCount({ address: addressOf(actor) }),
      ),
    );
    let pins = 0;
    for await (const _pin of ipfs.pin.ls({ type: 'recursive' })) pins++;
    return { nonces, pins };
  }

  /**
   * Asserts a failing command exited non-zero, said `message` on stderr, and changed nothing. The
   * message is shown in the test report, so a reviewer sees what a person would read.
   */
  async function assertFailsCleanly(t: TestContext, run: () => Promise<CliRun>, message: RegExp): Promise<void> {
    const before = await footprint();
    const { code, stdout, stderr } = await run();
    t.diagnostic(stderr.split('\n')[0]!);
    assert.notEqual(code, 0, `expected a failure, got exit 0: ${stdout}`);
    assert.match(stderr, message);
    assert.doesNotMatch(stderr, /\n\s+at /, 'printed a stack trace instead of a message');
    assert.deepEqual(await footprint(), before, 'a failed command wrote something');
  }

  /** Asserts a failure was reported as one line `medledger <command>: <sentence>`, and returns the sentence. */
  function oneSentence(run: CliRun, command: string): string {
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${run.stderr}`);
    assert.ok(lines[0]!.startsWith(`medledger ${command}: `), lines[0]);
    return lines[0]!.slice(`medledger ${command}: `.length);
  }

  before(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'medledger-cli-'));
    [devnet, ipfsNode] = await Promise.all([
      startDevnet(),
      startIpfsNode({ dataDir: path.join(workDir, 'ipfs'), apiPort: 0, gatewayPort: 0, shutdownGraceMs: 500 }),
    ]);
    // The CLI finds MedLedger through the generated deployments file, as it does for a real chain; a
    // fresh devnet deploys to the same addresses (same deployer, same nonces).
    assert.equal(
      devnet.deployment.medLedger,
      deploymentFor(devnet.deployment.chainId).medLedger,
      'the test devnet deployed MedLedger somewhere other than lib/chain/deployments.ts says',
    );
    ipfs = createIpfsClient(ipfsNode.apiUrl);
    chain = await connectChain({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment });
    bundleFile = path.join(workDir, 'bundle.json');
    // A decimal whose precision JavaScript would drop (213.0 → 213): import and export must keep it.
    await writeFile(
      bundleFile,
      JSON.stringify(sampleBundle(MARKER), null, 2).replace('"value": 213,', '"value": 213.0,'),
    );
    patriaFile = path.join(workDir, 'patria.json');
    await writeFile(patriaFile, JSON.stringify(personBundle(PATRIA), null, 2));
  });

  after(async () => {
    await ipfsNode?.stop();
    await devnet?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('registers a patient with an encrypted profile', async () => {
    const out = await cliJson<{ patient: string; profileCid: string }>(
      'patient',
      'patient',
      'register',
      '--name',
      `Jane ${MARKER}`,
      '--birth-date',
      '1969-04-02',
    );
    assert.equal(out.patient, addressOf('patient'));
    assert.match(out.profileCid, /^baf/);
    const info = await readMedLedger(chain, 'patientInfo', [addressOf('patient')]);
    assert.notEqual(BigInt(info.encryptionKey), 0n);
  });

  it('lets the admin register providers with their public profiles, who then publish their encryption keys', async () => {
    for (const [actor, kind, ...profile] of [
      [
        'doctor',
        'doctor',
        '--name',
        'Dr. Ada Okafor',
        '--specialty',
        'Cardiology',
        '--organization',
        "St. Mary's Hospital",
        '--identifier',
        'npi|1234567893',
      ],
      ['lab', 'lab', '--name', 'Northside Clinical Lab', '--specialty', 'Clinical chemistry'],
      ['secondDoctor', 'doctor', '--name', 'Dr. Lars Berg'],
    ] as const) {
      const out = await cliJson<{ provider: string; kind: string; profileCid: string }>(
        'admin',
        'provider',
        'register',
        addressOf(actor),
        '--kind',
        kind,
        ...profile,
      );
      assert.deepEqual([out.provider, out.kind], [addressOf(actor), kind]);
      assert.match(out.profileCid, /^baf/);
    }
    const directory = await providerDirectory(chain, ipfs);
    assert.deepEqual(directory.find((entry) => entry.provider === addressOf('doctor'))?.profile, {
      name: 'Dr. Ada Okafor',
      type: 'Practitioner',
      specialty: 'Cardiology',
      organization: "St. Mary's Hospital",
      identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' },
    });
    assert.deepEqual(directory.find((entry) => entry.provider === addressOf('lab'))?.profile, {
      name: 'Northside Clinical Lab',
      type: 'Organization',
      specialty: 'Clinical chemistry',
    });
    await Promise.all(
      (['doctor', 'lab'] as const).map(async (actor) => {
        await cliJson(actor, 'provider', 'enroll');
        const info = await readMedLedger(chain, 'providerInfo', [addressOf(actor)]);
        assert.notEqual(BigInt(info.encryptionKey), 0n);
      }),
    );
  });

  it("replaces a provider's profile, and every reader sees the new one", async () => {
    const out = await cliJson<{ provider: string; profileCid: string }>(
      'admin',
      'provider',
      'profile',
      addressOf('secondDoctor'),
      '--name',
      'Dr. Lars Berg',
      '--specialty',
      'General practice',
      '--organization',
      'Harbour Street Practice',
    );
    assert.equal(out.provider, addressOf('secondDoctor'));
    assert.match(out.profileCid, /^baf/);
    const entry = (await providerDirectory(chain, ipfs)).find((row) => row.provider === addressOf('secondDoctor'));
    assert.deepEqual(entry?.profile, {
      name: 'Dr. Lars Berg',
      type: 'Practitioner',
      specialty: 'General practice',
      organization: 'Harbour Street Practice',
    });
  });

  it("prints the directory with each provider's standing, as JSON and in words", async () => {
    // A provider registered without a profile, then suspended: listed, unnamed, and said to be suspended.
    const unnamed = privateKeyToAccount(generatePrivateKey()).address;
    const admin = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: devnet.deployment,
    });
    await writeMedLedger(admin, 'registerProvider', [unnamed, parseProviderKind('insurer'), keccak256(toHex('x'))]);
    await writeMedLedger(admin, 'suspendProvider', [unnamed]);

    const { providers } = await cliJson<{
      providers: { address: string; name: string | null; kind: string; suspended: boolean; hasKey: boolean }[];
    }>('stranger', 'providers');
    assert.deepEqual(
      providers.map(({ address, name, kind, suspended, hasKey }) => ({ address, name, kind, suspended, hasKey })),
      [
        { address: addressOf('doctor'), name: 'Dr. Ada Okafor', kind: 'doctor', suspended: false, hasKey: true },
        { address: addressOf('lab'), name: 'Northside Clinical Lab', kind: 'lab', suspended: false, hasKey: true },
        { address: addressOf('secondDoctor'), name: 'Dr. Lars Berg', kind: 'doctor', suspended: false, hasKey: false },
        { address: unnamed, name: null, kind: 'insurer', suspended: true, hasKey: false },
      ],
    );
    assert.deepEqual(providers[0], {
      address: addressOf('doctor'),
      name: 'Dr. Ada Okafor',
      kind: 'doctor',
      type: 'Practitioner',
      specialty: 'Cardiology',
      organization: "St. Mary's Hospital",
      identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' },
      suspended: false,
      hasKey: true,
      registeredAt: (providers[0] as unknown as { registeredAt: string }).registeredAt,
    });

    const human = await cli('stranger', 'providers');
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 2), [
      "Dr. Ada Okafor — doctor, Cardiology, St. Mary's Hospital, NPI 1234567893",
      `  ${addressOf('doctor')}  active, key published`,
    ]);
    assert.deepEqual(lines.slice(6), [
      '(no profile published) — insurer',
      `  ${unnamed}  SUSPENDED, no encryption key yet`,
      '4 providers, 1 suspended.',
    ]);
  });

  it('imports a bundle, lists it as JSON and exports it back losslessly', async () => {
    const bundle = sampleBundle(MARKER);
    const imported = await cliJson<{
      records: unknown[];
      added: number;
      skipped: number;
      identity: { status: string };
    }>('patient', 'import', bundleFile);
    assert.equal(imported.records.length, bundle.entry!.length);
    assert.deepEqual([imported.added, imported.skipped, imported.identity.status], [bundle.entry!.length, 0, 'match']);

    const rows = await cliJson<
      {
        resourceType: string;
        category: string;
        superseded: boolean;
        error?: string;
        clinicalDate: string | null;
        summary: string;
      }[]
    >('patient', 'list');
    assert.deepEqual(
      rows.map((row) => row.clinicalDate),
      [null, '2026-10-01T09:30:00Z', '2026-09-12T08:00:00Z', '2020-03-01', '2020-03-01'],
    );
    assert.deepEqual(
      rows.map((row) => row.resourceType),
      bundle.entry!.map((entry) => entry.resource!.resourceType),
    );
    assert.ok(rows.every((row) => row.error === undefined && !row.superseded));
    assert.ok(rows.some((row) => row.category === 'observation'));
    const human = await cli('patient', 'list');
    assert.match(human.stdout, /^#\d+ 2026-09-12 observation Observation: Cholesterol .*213 mg\/dL$/m);
    assert.match(human.stdout, /^#\d+ 2020-03-01 condition Condition: .*\(active\)$/m);

    const out = path.join(workDir, 'export.json');
    const exported = await cliJson<{ resources: number; unreadable: number }>('patient', 'export', '--out', out);
    assert.deepEqual(exported, { out, resources: bundle.entry!.length, unreadable: 0 });
    const text = await readFile(out, 'utf8');
    assert.match(text, /"value": 213\.0,/);
    const written = JSON.parse(text) as Bundle;
    assert.deepEqual(
      written.entry!.map(({ resource, fullUrl }) => ({ resource, fullUrl })),
      bundle.entry!.map(({ resource, fullUrl }) => ({ resource, fullUrl })),
    );
  });

  it('grants a doctor, who then reads the granted records and is logged doing so', async () => {
    await cliJson('patient', 'grant', addressOf('doctor'), '--scopes', 'read:observation', '--expires', '30d');
    const rows = await cliJson<{ resourceType?: string; error?: string }[]>(
      'doctor',
      'list',
      '--patient',
      addressOf('patient'),
    );
    const readable = rows.filter((row) => row.error === undefined).map((row) => row.resourceType);
    assert.deepEqual(readable, ['Observation', 'Observation']);
    assert.ok(rows.filter((row) => row.error !== undefined).every((row) => /no key|not shared/i.test(row.error!)));
  });

  it('approves one access request and denies another', async () => {
    await cliJson('lab', 'request', addressOf('patient'), '--scopes', 'read:condition');
    await cliJson('secondDoctor', 'request', addressOf('patient'), '--scopes', 'read:all');
    const approved = await cliJson<{ provider: string; scopes: string }>(
      'patient',
      'approve',
      addressOf('lab'),
      '--expires',
      '7d',
    );
    assert.equal(approved.provider, addressOf('lab'));
    await cliJson('patient', 'deny', addressOf('secondDoctor'));

    const { activity, grants } = await cliJson<{
      activity: { kind: string; provider?: string }[];
      grants: { provider: string; active: boolean }[];
    }>('patient', 'audit');
    assert.ok(activity.some((event) => event.kind === 'requestDenied' && event.provider === addressOf('secondDoctor')));
    assert.ok(activity.some((event) => event.kind === 'accessLogged' && event.provider === addressOf('doctor')));
    const active = grants.filter((grant) => grant.active).map((grant) => grant.provider);
    assert.deepEqual(new Set(active), new Set([addressOf('doctor'), addressOf('lab')]));
  });

  it('revokes a grant', async () => {
    const out = await cliJson<{ revoked: boolean }>('patient', 'revoke', addressOf('doctor'));
    assert.equal(out.revoked, true);
    const { activity, grants } = await cliJson<{
      activity: { kind: string; provider?: string }[];
      grants: { provider: string; active: boolean }[];
    }>('patient', 'audit');
    assert.ok(activity.some((event) => event.kind === 'accessRevoked' && event.provider === addressOf('doctor')));
    assert.deepEqual(
      grants.filter((grant) => grant.active).map((grant) => grant.provider),
      [addressOf('lab')],
    );
  });

  it('exports the audit trail as CSV and as a FHIR Bundle of AuditEvents, as the web app does', async () => {
    const { activity } = await cliJson<{ activity: unknown[] }>('patient', 'audit');
    const csv = await cli('patient', 'audit', '--format', 'csv');
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.split('\r\n');
    assert.equal(
      lines[0],
      'time,actor,actor_name,action,purpose,provider,provider_name,records,categories,detail,transaction',
    );
    assert.ok(
      lines.some((line) => line.includes(`,${addressOf('doctor')},,Opened `) && line.includes(' records,treatment,')),
    );
    assert.equal(lines.length, activity.length + 2, 'a header, a line per event and the final CRLF');
    assert.ok(lines.some((line) => line.includes(`,Revoked access,,${addressOf('doctor')},`)));

    const out = path.join(workDir, 'audit.json');
    const written = await cliJson<{ out: string; format: string; events: number }>(
      'patient',
      'audit',
      '--format',
      'fhir',
      '--out',
      out,
    );
    assert.deepEqual(written, { out, format: 'fhir', events: activity.length });
    const bundle = JSON.parse(await readFile(out, 'utf8')) as Bundle;
    assert.equal(bundle.type, 'collection');
    assert.equal(bundle.entry!.length, activity.length);
    assert.ok(bundle.entry!.every((entry) => entry.resource?.resourceType === 'AuditEvent'));

    const wrong = await cli('patient', 'audit', '--format', 'xml');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /"xml" is not a format; use csv or fhir/);
  });

  it('tells the audit trail as the web app does: an import is one entry, a read says its purpose', async () => {
    const { story } = await cliJson<{
      story: { kind: string; text: string; actor: string; purpose?: string; recordIds: string[] }[];
    }>('patient', 'audit');
    const imports = story.filter((entry) => entry.kind === 'added');
    assert.deepEqual(
      imports.map((entry) => entry.text),
      [`You added ${sampleBundle(MARKER).entry!.length} records`],
    );
    const read = story.find((entry) => entry.kind === 'read' && entry.actor === addressOf('doctor'));
    assert.equal(read?.purpose, 'treatment');
    const count = read?.recordIds.length ?? 0;
    assert.equal(read?.text, `${addressOf('doctor')} read ${count} record${count === 1 ? '' : 's'} for treatment`);

    const human = await cli('patient', 'audit');
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /^\d{4}-\d\d-\d\d \d\d:\d\d(–[\d: -]+)? UTC {2}You added \d+ records — Observations \d/m,
    );
    assert.match(human.stdout, new RegExp(`UTC {2}${addressOf('doctor')} read \\d+ records? for treatment — `));
    assert.match(human.stdout, new RegExp(`UTC {2}You revoked access for ${addressOf('doctor')} — `));
    assert.match(human.stdout, /UTC {2}You registered as a patient$/m);
  });

  it('a consent link: the patient signs it without a transaction, the insurer submits it and holds billing access', async () => {
    await cliJson(
      'admin',
      'provider',
      'register',
      addressOf('insurer'),
      '--kind',
      'insurer',
      '--name',
      'Harbour Mutual Insurance',
    );
    await cliJson('insurer', 'provider', 'enroll');
    const billing = readScope(RECORD_CATEGORIES.billing);
    assert.equal(await readMedLedger(chain, 'hasAccess', [addressOf('patient'), addressOf('insurer'), billing]), false);

    const sent = await chain.publicClient.getTransactionCount({ address: addressOf('patient') });
    const human = await cli(
      'patient',
      'consent-link',
      addressOf('insurer'),
      '--scopes',
      'read:billing',
      '--expires',
      '30d',
      '--origin',
      'https://records.example',
    );
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout.split('\n')[0]!, /^https:\/\/records\.example\/consent#[A-Za-z0-9_-]+$/);
    const { link, deadline } = await cliJson<{ link: string; deadline: number }>(
      'patient',
      'consent-link',
      addressOf('insurer'),
      '--scopes',
      'read:billing',
      '--expires',
      '30d',
      '--valid',
      '2h',
    );
    assert.match(link, /^http:\/\/127\.0\.0\.1:3000\/consent#/);
    assert.ok(Math.abs(deadline - (Date.now() / 1000 + 2 * 3600)) < 120);
    assert.equal(
      await chain.publicClient.getTransactionCount({ address: addressOf('patient') }),
      sent,
      'no transaction',
    );

    const refused = await cli('doctor', 'consent-submit', link);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /This consent is for provider/);

    const submitted = await cliJson<{ patient: string; scopes: string }>('insurer', 'consent-submit', link);
    assert.deepEqual(submitted.patient, addressOf('patient'));
    assert.equal(BigInt(submitted.scopes), billing);
    assert.equal(await readMedLedger(chain, 'hasAccess', [addressOf('patient'), addressOf('insurer'), billing]), true);
    const observation = readScope(RECORD_CATEGORIES.observation);
    assert.equal(
      await readMedLedger(chain, 'hasAccess', [addressOf('patient'), addressOf('insurer'), observation]),
      false,
    );

    const again = await cli('insurer', 'consent-submit', human.stdout.split('\n')[0]!);
    assert.equal(again.code, 1, 'the other link of the same nonce is used up');
    assert.match(again.stderr, /already used, cancelled by the patient, or replaced/);
  });

  it('risk reports model approval from the chain it reaches, and says approval was not checked without one', async () => {
    const admin = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: devnet.deployment,
    });
    const lipid = FRAMINGHAM_LIPID;
    const card = JSON.parse(await readFile(path.join(CARDS_DIR, `${lipid.name}.json`), 'utf8')) as { sha256: string };
    await writeModelRegistry(admin, 'approveModel', [`0x${card.sha256}`, lipid.name, 1, '0x01']);

    type RiskJson = {
      approval: { checked: boolean; source: string };
      models: { model: string; approval: { approved: boolean } | null; refusal?: string }[];
      results: { model: string }[];
    };
    const onChain = await cliJson<RiskJson>('patient', 'risk', bundleFile);
    assert.equal(onChain.approval.checked, true);
    assert.match(onChain.approval.source, /on-chain ModelRegistry 0x[0-9a-fA-F]{40} \(chain 31337/);
    assert.deepEqual(
      onChain.models.map((model) => [model.model, model.approval?.approved]),
      MODELS.map((spec) => [spec.name, spec.name === lipid.name]),
    );
    assert.ok(
      onChain.models
        .filter((model) => model.model !== lipid.name)
        .every((model) => /not approved in the on-chain model registry/.test(model.refusal!)),
    );
    assert.deepEqual(
      onChain.results.map((result) => result.model),
      [lipid.name],
    );

    // Nothing answers on port 1: the models run on their shipped cards' hashes, and the report says so.
    const offline = await runCli(['risk', bundleFile], {
      cwd: workDir,
      env: { MEDLEDGER_RPC_URL: 'http://127.0.0.1:1' },
    });
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(
      offline.stdout,
      /Model approval: not checked \(no MedLedger chain reachable at http:\/\/127\.0\.0\.1:1: .*\); models run because their SHA-256 matches their shipped model card/,
    );
    assert.equal(offline.stdout.match(/approval: not checked \(file matches its model card\)/g)?.length, MODELS.length);
  });

  it('verifies every record against its CID and on-chain hash, and says so in plain text too', async () => {
    const report = await cliJson<{ status: string; recordId: string }[]>('patient', 'verify');
    assert.equal(report.length, sampleBundle(MARKER).entry!.length);
    assert.ok(report.every((line) => line.status === 'ok'));
    const human = await cli('patient', 'verify');
    assert.equal(human.code, 0);
    assert.match(human.stdout, new RegExp(`${report.length}/${report.length} records verified`));
  });

  it('erases a record: verify then reports it as no longer stored, and the rest as verified', async () => {
    const before = await cliJson<{ recordId: string }[]>('patient', 'list');
    const target = before[0]!.recordId;
    const report = await cliJson<{ recordIds: string[]; unpinned: string[]; blocksCollected: number }>(
      'patient',
      'erase',
      target,
    );
    assert.deepEqual(report.recordIds, [target]);
    assert.equal(report.unpinned.length, 1);
    assert.ok(report.blocksCollected >= 1);
    const verified = await cli('patient', 'verify');
    assert.equal(verified.code, 1, 'verify fails while a record is gone');
    assert.match(verified.stdout, new RegExp(`#${target} failed: .*not`, 'i'));
    assert.match(verified.stdout, new RegExp(`${before.length - 1}/${before.length} records verified`));
    const human = await cli('patient', 'erase', target);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`Erased #${target}: 0 blob\\(s\\) unpinned, 1 already gone`));
  });

  describe('failures exit non-zero with a clear message and write nothing', { concurrency: true }, () => {
    it('an unknown command', async (t) => {
      await assertFailsCleanly(t, () => cli('patient', 'frobnicate'), /unknown command "frobnicate"/);
    });

    it('an unknown option', async (t) => {
      await assertFailsCleanly(t, () => cli('patient', 'list', '--colour', 'red'), /--colour/);
    });

    it('a malformed address', async (t) => {
      await assertFailsCleanly(
        t,
        () => cli('patient', 'grant', '0x1234', '--scopes', 'read:all'),
        /"0x1234" is not an address/,
      );
    });

    it('a bundle file that is not JSON', async (t) => {
      const broken = path.join(workDir, 'broken.json');
      await writeFile(broken, '{ "resourceType": "Bundle", "entry": [');
      await assertFailsCleanly(t, () => cli('patient', 'import', broken), /JSON/);
    });

    it('a bundle file that does not exist', async (t) => {
      await assertFailsCleanly(
        t,
        () => cli('patient', 'import', path.join(workDir, 'missing.json')),
        /Cannot read the bundle: .*missing\.json: no such file/,
      );
    });

    it('a record id that is not a number, or that the patient does not have', async (t) => {
      await assertFailsCleanly(t, () => cli('patient', 'erase', 'first'), /"first" is not a record id/);
      await assertFailsCleanly(t, () => cli('patient', 'erase', '9999'), /has no record 9999; nothing was erased/);
    });

    it('a provider registration by someone who is not the admin', async (t) => {
      await assertFailsCleanly(
        t,
        () => cli('doctor', 'provider', 'register', addressOf('stranger'), '--kind', 'lab', '--name', 'Stranger Lab'),
        /admin|role|not allowed|unauthori[sz]ed/i,
      );
      const info = await readMedLedger(chain, 'providerInfo', [addressOf('stranger')]);
      assert.equal(info.kind, 0);
    });

    it('a provider registration without a name, or with an organisation for a lab; a profile for no provider', async (t) => {
      await assertFailsCleanly(
        t,
        () => cli('admin', 'provider', 'register', addressOf('stranger'), '--kind', 'doctor'),
        /--name: is required/,
      );
      await assertFailsCleanly(
        t,
        () =>
          cli(
            'admin',
            'provider',
            'register',
            addressOf('stranger'),
            '--kind',
            'lab',
            '--name',
            'Stranger Lab',
            '--organization',
            'Stranger Holdings',
            '--identifier',
            'licence|42',
          ),
        /--organization: is for a doctor; a lab is an organisation itself.*--identifier: the system "licence"/,
      );
      await assertFailsCleanly(
        t,
        () => cli('admin', 'provider', 'profile', addressOf('stranger'), '--name', 'Dr. Nobody'),
        /is not a registered provider; register it/,
      );
      const info = await readMedLedger(chain, 'providerInfo', [addressOf('stranger')]);
      assert.equal(info.kind, 0);
    });

    it('risk with a missing file, or a file that is not JSON: one sentence, and a JSON object with --json', async (t) => {
      const missing = path.join(workDir, 'no-such-bundle.json');
      const broken = path.join(workDir, 'risk-broken.json');
      await writeFile(broken, '');
      for (const [file, message] of [
        [missing, /^Cannot read the bundle: .*no-such-bundle\.json: no such file$/],
        [broken, /^Invalid JSON: .*risk-broken\.json: invalid JSON at line 1, column 1 .*end of input/],
      ] as const) {
        const run = await cli('patient', 'risk', file);
        assert.equal(run.code, 1);
        t.diagnostic(run.stderr.trim());
        assert.match(oneSentence(run, 'risk'), message);
        assert.doesNotMatch(run.stderr, /ENOENT|\n\s+at /);
        const json = await cli('patient', 'risk', file, '--json');
        assert.equal(json.code, 1);
        assert.match((JSON.parse(json.stdout) as { error: string }).error, message);
      }
    });

    it('list for a wallet that is not a registered patient', async (t) => {
      await assertFailsCleanly(
        t,
        () => cli('stranger', 'list'),
        /medledger list: 0x[0-9a-fA-F]{40} \(this wallet\) is not a registered patient; register with `medledger patient register` first/,
      );
      const json = await cli('stranger', 'list', '--patient', addressOf('admin'), '--json');
      assert.match((JSON.parse(json.stdout) as { error: string }).error, /is not a registered MedLedger patient\.$/);
    });

    it('a bundle with many invalid resources: the first 10 issues and the count; --json lists every one', async (t) => {
      const invalid = sampleBundle(MARKER);
      const observation = invalid.entry![2]!;
      invalid.entry = Array.from({ length: 15 }, (_unused, index) => ({
        fullUrl: `urn:uuid:00000000-0000-4000-8000-0000000000${String(index).padStart(2, '0')}`,
        resource: { ...observation.resource!, subject: undefined, status: 'finished-ish' } as never,
      }));
      const file = path.join(workDir, 'many-invalid.json');
      await writeFile(file, JSON.stringify(invalid));
      await assertFailsCleanly(
        t,
        () => cli('patient', 'import', file),
        /and 5 more \(15 issues in all; --json lists every one\)/,
      );
      const run = await cli('patient', 'import', file);
      const sentence = oneSentence(run, 'import');
      assert.equal(sentence.match(/Bundle\.entry\[\d+\]\.resource\.status/g)?.length, 10);
      const json = JSON.parse((await cli('patient', 'import', file, '--json')).stdout) as {
        error: string;
        issues: unknown[];
      };
      assert.equal(json.issues.length, 15);
      assert.equal(json.error, sentence);
    });

    it("another person's bundle, naming both people", async (t) => {
      await assertFailsCleanly(
        t,
        () => cli('patient', 'import', patriaFile),
        new RegExp(
          `^medledger import: These records are about Mrs\\. Patria Schimmel \\(born 1974-05-21\\), not Jane ${MARKER} \\(born 1969-04-02\\), whose record this is, so nothing was imported; if they really belong to this patient, import again with --accept-mismatch\\.`,
        ),
      );
    });

    it('reports failures as JSON with --json', async () => {
      const run = await cli(
        'patient',
        'grant',
        getAddress(addressOf('doctor')),
        '--scopes',
        'fly:everywhere',
        '--json',
      );
      assert.equal(run.code, 1);
      assert.match((JSON.parse(run.stdout) as { error: string }).error, /--scopes fly:everywhere/);
    });
  });

  it('imports the same bundle again: what is there is skipped, the record erased above is added back', async () => {
    const before = (await readMedLedger(chain, 'patientInfo', [addressOf('patient')])).recordCount;
    const run = await cli('patient', 'import', bundleFile);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: 1 added, 0 corrected, 4 already there and skipped\./);
    assert.equal((await readMedLedger(chain, 'patientInfo', [addressOf('patient')])).recordCount, before + 1n);
    const again = await cliJson<{ added: number; skipped: number }>('patient', 'import', bundleFile);
    assert.deepEqual([again.added, again.skipped], [0, 5]);
  });

  it('imports a single resource as well as a bundle', async () => {
    const file = path.join(workDir, 'weight.json');
    const weight = { ...sampleBundle(MARKER).entry![2]!.resource!, id: 'weight-1', subject: undefined };
    await writeFile(file, JSON.stringify(weight));
    const out = await cliJson<{ added: number; identity: { status: string } }>('patient', 'import', file);
    assert.deepEqual([out.added, out.identity.status], [1, 'none']);
  });

  it('imports an implausible value as it is, and prints the plausibility warning (all of them with --json)', async () => {
    const cholesterol = {
      resourceType: 'Observation',
      id: 'cholesterol-950',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '2093-3', display: 'Cholesterol' }] },
      effectiveDateTime: '2024-03-01T09:00:00Z',
      valueQuantity: { value: 950, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
    };
    const file = path.join(workDir, 'cholesterol.json');
    await writeFile(file, JSON.stringify(cholesterol));
    const human = await cli('patient', 'import', file);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /1 value to check \(imported as they are\):\n {2}please double-check: Observation\.valueQuantity/,
    );
    await writeFile(
      file,
      JSON.stringify({
        ...cholesterol,
        id: 'cholesterol-951',
        valueQuantity: { ...cholesterol.valueQuantity, value: 951 },
      }),
    );
    const json = await cliJson<{ warnings: { path: string; impossible: boolean }[] }>('patient', 'import', file);
    assert.deepEqual(
      json.warnings.map((warning) => [warning.path, warning.impossible]),
      [['Observation.valueQuantity', false]],
    );
  });

  it("imports another person's bundle with --accept-mismatch, and says whose it is", async () => {
    const run = await cli('patient', 'import', patriaFile, '--accept-mismatch');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: 6 added, 0 corrected, 0 already there and skipped\./);
    assert.match(
      run.stdout,
      /Imported as confirmed with --accept-mismatch: These records are about Mrs\. Patria Schimmel/,
    );
  });
});
