/**
 * `medledger claim …` and `medledger claims` end to end: each command its own process, as a person
 * runs it, against a real devnet (MedLedger + Claims) and embedded IPFS node. A doctor files from a
 * FHIR file, the insurer decides (an EOB drawn up from the claim) and pays, the patient disputes, and
 * each wallet's `claims` shows what it may see; refused commands exit non-zero with one sentence and
 * write nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestContext, after, before, describe, it } from 'node:test';

import { RECORD_CATEGORIES, readMedLedger, scopesFor, writeModelRegistry } from '../../lib/chain';
import { createIpfsClient } from '../../lib/ipfs';
import { cidToBytes, grantAccess } from '../../lib/records';
import { sampleClaim } from '../../lib/testing/claim-fixtures';
import { DEVNET_KEYS } from '../../lib/testing/devnet-accounts';
import { type TestSystem, addressOf as address, inDays, startTestSystem } from '../../lib/testing/system';
import { type CliRun, runCli, runCliJson } from '../../lib/testing/cli';

const CLAIMS_CARD = path.resolve(import.meta.dirname, '../../ml-models/cards/claims-fraud.json');

type Actor = 'patient' | 'doctor' | 'insurer';

interface ListedClaim {
  claimId: string;
  status: string;
  disputed: boolean;
  history: { kind: string; timestamp: number }[];
  claim: { recordId: string; resource?: { total?: { value?: number } }; error?: string };
  answer?: { resource?: { resourceType: string; disposition?: string } };
  disputeReason?: string | null;
  paymentReference?: string;
  flags?: { kind: string }[];
  modelScore?: number;
  combinedScore?: number;
  model?: { name: string; sha256: string };
}

describe(
  'medledger claim / claims (devnet + embedded IPFS node, one process per command)',
  { timeout: 5 * 60_000 },
  () => {
    let system: TestSystem;
    let workDir: string;
    let claimsModelSha256 = '';
    let claimFile: string;
    let wrongFile: string;

    const envOf = (actor: Actor) => ({
      MEDLEDGER_RPC_URL: system.devnet.rpcUrl,
      MEDLEDGER_IPFS_API_URL: system.ipfsNode.apiUrl,
      MEDLEDGER_PRIVATE_KEY: DEVNET_KEYS[actor],
    });
    const cli = (actor: Actor, ...args: string[]): Promise<CliRun> =>
      runCli(args, { cwd: workDir, env: envOf(actor), timeoutMs: 60_000 });
    const cliJson = <T>(actor: Actor, ...args: string[]): Promise<T> =>
      runCliJson<T>(args, { cwd: workDir, env: envOf(actor), timeoutMs: 60_000 });

    /** What a failing command could have written: records, pins, every party's transactions. */
    async function footprint() {
      const chain = system.admin;
      let pins = 0;
      for await (const _pin of createIpfsClient(system.ipfsNode.apiUrl).pin.ls()) pins++;
      return {
        records: (await readMedLedger(chain, 'patientInfo', [address('patient')])).recordCount,
        pins,
        nonces: await Promise.all(
          (['patient', 'doctor', 'insurer'] as const).map((actor) =>
            chain.publicClient.getTransactionCount({ address: address(actor) }),
          ),
        ),
      };
    }

    async function assertFailsCleanly(t: TestContext, run: () => Promise<CliRun>, command: string, message: RegExp) {
      const before = await footprint();
      const { code, stdout, stderr } = await run();
      t.diagnostic(stderr.trim());
      assert.equal(code, 1, `expected exit 1, got ${code}: ${stdout}${stderr}`);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
      assert.ok(lines[0]!.startsWith(`medledger ${command}: `), lines[0]);
      assert.match(lines[0]!, message);
      assert.deepEqual(await footprint(), before, 'a failed command wrote something');
    }

    before(async () => {
      workDir = await mkdtemp(path.join(tmpdir(), 'medledger-claims-cli-'));
      ({ system } = await startTestSystem({
        providers: [
          ['doctor', 'doctor'],
          ['insurer', 'insurer'],
        ],
        patients: ['patient'],
      }));
      const patientVault = await system.vaultFor('patient', 'patient');
      const rwBilling = scopesFor([RECORD_CATEGORIES.billing], { read: true, write: true });
      for (const provider of ['doctor', 'insurer'] as const) {
        await grantAccess(patientVault, { provider: address(provider), scopes: rwBilling, expiry: inDays(30) });
      }
      const terms = {
        chainId: system.devnet.deployment.chainId,
        patient: address('patient'),
        provider: address('doctor'),
        insurer: address('insurer'),
      };
      claimFile = path.join(workDir, 'claim.json');
      // 125.50 written as in the file a billing system exports: its decimal text survives the pipeline.
      await writeFile(claimFile, JSON.stringify(sampleClaim(terms), null, 2).replaceAll('125.5', '125.50'));
      wrongFile = path.join(workDir, 'wrong-patient.json');
      await writeFile(wrongFile, JSON.stringify(sampleClaim({ ...terms, patient: address('insurer') })));
      // The admin approves the claims model as the seed does: its SHA-256, with its card on IPFS.
      const card = await readFile(CLAIMS_CARD);
      claimsModelSha256 = (JSON.parse(card.toString('utf8')) as { sha256: string }).sha256;
      const { cid } = await createIpfsClient(system.ipfsNode.apiUrl).add(card);
      await writeModelRegistry(system.admin, 'approveModel', [
        `0x${claimsModelSha256}`,
        'claims-fraud',
        1,
        cidToBytes(cid.toString()),
      ]);
    });

    after(async () => {
      await system.stop();
      await rm(workDir, { recursive: true, force: true });
    });

    it('files a claim from a FHIR file as the doctor', async () => {
      const filed = await cliJson<{ claimId: string; recordId: string; insurer: string }>(
        'doctor',
        'claim',
        'submit',
        address('patient'),
        '--insurer',
        address('insurer'),
        '--claim',
        claimFile,
      );
      assert.equal(filed.claimId, '1');
      assert.equal(filed.insurer, address('insurer'));
    });

    it('refuses a claim about someone else, and a claim step by the wrong party, writing nothing', async (t) => {
      await assertFailsCleanly(
        t,
        () =>
          cli('doctor', 'claim', 'submit', address('patient'), '--insurer', address('insurer'), '--claim', wrongFile),
        'claim submit',
        /Claim\.patient: names 0x.*, but the patient is/,
      );
      await assertFailsCleanly(
        t,
        () => cli('doctor', 'claim', 'pay', '1', '--reference', 'X-1'),
        'claim pay',
        /There is no claim 1 this wallet may see as insurer/,
      );
      await assertFailsCleanly(
        t,
        () => cli('patient', 'claim', 'dispute', '1', '--reason', 'too early'),
        'claim dispute',
        /has not been decided yet/,
      );
      const usage = await cli('insurer', 'claim', 'adjudicate', '1', '--outcome', 'maybe');
      assert.equal(usage.code, 1);
      assert.match(usage.stderr, /--outcome: use approved or denied/);
    });

    it("lists the claim for each party: the patient's own, the doctor's filed, the insurer's queue", async () => {
      for (const [actor, as] of [
        ['patient', 'patient'],
        ['doctor', 'provider'],
        ['insurer', 'insurer'],
      ] as const) {
        const listed = await cliJson<{ as: string; claims: ListedClaim[]; refused: unknown[] }>(actor, 'claims');
        assert.equal(listed.as, as);
        assert.deepEqual(listed.refused, []);
        assert.deepEqual(
          listed.claims.map((claim) => [claim.claimId, claim.status, claim.claim.resource?.total?.value]),
          [['1', 'submitted', 125.5]],
        );
      }
      const queue = await cliJson<{ claims: ListedClaim[]; modelNote?: string }>('insurer', 'claims');
      assert.equal(queue.modelNote, undefined);
      const [scored] = queue.claims;
      assert.equal(scored!.model?.sha256, claimsModelSha256, 'scored by the approved claims model');
      assert.ok(
        scored!.modelScore! > 0 && scored!.modelScore! < 0.5,
        `a clean claim scores low: ${scored!.modelScore}`,
      );
      assert.ok(scored!.combinedScore! >= scored!.modelScore!);
      const table = await cli('insurer', 'claims');
      assert.equal(table.code, 0, table.stderr);
      const [header, row] = table.stdout.trim().split('\n');
      assert.match(header!, /^CLAIM\s+STATUS\s+FILED\s+PATIENT BY PROVIDER\s+SERVICE\s+AMOUNT\s+SCORE\s+FLAGS$/);
      assert.match(
        row!,
        /^#1\s+submitted\s+\d{4}-\d{2}-\d{2}\s+0x7099…79C8 by 0x90F7…b906\s+Office visit\s+\$125\.50\s+\d+%\s+none$/,
      );
    });

    it('the insurer approves with an EOB drawn up from the claim, then pays with a reference kept off-chain', async (t) => {
      const decided = await cliJson<{ outcome: string; recordId: string }>(
        'insurer',
        'claim',
        'adjudicate',
        '1',
        '--outcome',
        'approved',
      );
      assert.equal(decided.outcome, 'approved');
      const paid = await cliJson<{ paymentReference: string }>(
        'insurer',
        'claim',
        'pay',
        '1',
        '--reference',
        'SEPA-77',
      );
      assert.match(paid.paymentReference, /^0x[0-9a-f]{64}$/);
      await assertFailsCleanly(
        t,
        () => cli('insurer', 'claim', 'pay', '1', '--reference', 'SEPA-78'),
        'claim pay',
        /Claim 1 is paid; only an approved claim is paid/,
      );
    });

    it('the patient disputes; the doctor sees the reasons, the history and the status the chain holds', async () => {
      const disputed = await cliJson<{ claimId: string; recordId: string }>(
        'patient',
        'claim',
        'dispute',
        '1',
        '--reason',
        'The visit was cancelled.',
      );
      assert.equal(disputed.claimId, '1');
      const { claims } = await cliJson<{ claims: ListedClaim[] }>('doctor', 'claims');
      assert.equal(claims[0]!.status, 'paid');
      assert.equal(claims[0]!.disputed, true);
      assert.equal(claims[0]!.disputeReason, 'The visit was cancelled.');
      assert.equal(claims[0]!.answer?.resource?.disposition, 'Claim approved');
      assert.deepEqual(
        claims[0]!.history.map((event) => event.kind),
        ['submitted', 'adjudicated', 'paid', 'disputed'],
      );
      const table = await cli('patient', 'claims');
      assert.match(table.stdout, /^#1\s+paid, disputed\s/m);
      assert.match(table.stdout, /^#1 ExplanationOfBenefit: Claim approved, benefit \$125\.50$/m);
      assert.match(table.stdout, /^#1 disputed by the patient: The visit was cancelled\.$/m);
    });
  },
);
