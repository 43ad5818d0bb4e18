/**
 * Insurance claims end to end against the real devnet (MedLedger + Claims) and the embedded IPFS node:
 * a doctor files, the insurer decides and pays, the patient disputes; each party lists exactly what it
 * may see, refusals write nothing, and a node that lies about claim events is caught.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Claim, ExplanationOfBenefit } from '@medplum/fhirtypes';
import { UserRejectedRequestError, createTestClient, http, isAddressEqual } from 'viem';

import {
  type ChainContext,
  type ClaimRef,
  RECORD_CATEGORIES,
  claimsAbi,
  listChainClaims,
  medLedgerAbi,
  paymentReferenceHash,
  paymentReferenceMatches,
  readClaims,
  readMedLedger,
  recordHeader,
  scopesFor,
  sealClaim,
  writeClaims,
} from '../chain';
import { AccessDeniedError, TransactionError, ValidationError } from '../errors';
import { sampleClaim } from '../testing/claim-fixtures';
import { type TestSystem, addressOf as address, inDays, startTestSystem } from '../testing/system';
import {
  type ClaimView,
  type Vault,
  ClaimRecordOrphanedError,
  ClaimRefusedError,
  adjudicateClaim,
  addRecords,
  disputeClaim,
  explanationOfBenefitFor,
  findClaim,
  grantAccess,
  listClaims,
  loadKeyring,
  openAnchored,
  payClaim,
  submitClaim,
} from '.';

const { billing } = RECORD_CATEGORIES;
const rwBilling = scopesFor([billing], { read: true, write: true });

type Actor = 'patient' | 'otherPatient' | 'doctor' | 'secondDoctor' | 'insurer' | 'stranger';

describe('insurance claims (devnet + embedded IPFS node)', () => {
  let system: TestSystem;
  let vaults: Record<Actor, Vault>;
  let chainId: number;
  let claimA: ClaimRef;
  let claimB: ClaimRef;

  const claimFor = (patient: Actor, insurer: Actor, extra: Partial<Parameters<typeof sampleClaim>[0]> = {}) =>
    sampleClaim({
      chainId,
      patient: address(patient),
      provider: address('doctor'),
      insurer: address(insurer),
      ...extra,
    });

  /** Everything a refused step could have left behind: records, pins and the transactions of every party. */
  async function footprint(): Promise<{ records: bigint[]; pins: number; nonces: number[] }> {
    const chain = vaults.patient.chain;
    const records = await Promise.all(
      (['patient', 'otherPatient'] as const).map(
        async (actor) => (await readMedLedger(chain, 'patientInfo', [address(actor)])).recordCount,
      ),
    );
    let pins = 0;
    for await (const _pin of vaults.patient.ipfs.pin.ls({ type: 'recursive' })) pins++;
    const nonces = await Promise.all(
      (Object.keys(vaults) as Actor[]).map((actor) =>
        chain.publicClient.getTransactionCount({ address: address(actor) }),
      ),
    );
    return { records, pins, nonces };
  }

  async function assertRefusedCleanly(
    step: () => Promise<unknown>,
    expected: RegExp,
    kind: new (...args: never[]) => Error = ClaimRefusedError,
  ) {
    const before = await footprint();
    await assert.rejects(step(), (error: unknown) => {
      assert.ok(error instanceof kind, `expected a ${kind.name}, got ${error}`);
      assert.match((error as Error).message, expected);
      return true;
    });
    assert.deepEqual(await footprint(), before, 'a refused step wrote something');
  }

  const only = async (vault: Vault, as: 'patient' | 'provider' | 'insurer'): Promise<ClaimView[]> => {
    const { claims, refused } = await listClaims(vault, { as, logAccess: false });
    assert.deepEqual(refused, []);
    return claims;
  };

  before(async () => {
    ({ system, vaults } = (await startTestSystem({
      providers: [
        ['doctor', 'doctor'],
        ['secondDoctor', 'doctor'],
        ['insurer', 'insurer'],
        ['stranger', 'insurer'],
      ],
      patients: ['patient', 'otherPatient'],
    })) as { system: TestSystem; vaults: typeof vaults });
    chainId = system.devnet.deployment.chainId;
    for (const provider of ['doctor', 'insurer', 'stranger'] as const) {
      await grantAccess(vaults.patient, { provider: address(provider), scopes: rwBilling, expiry: inDays(30) });
    }
    // The other patient lets the doctor bill but grants no insurer anything.
    await grantAccess(vaults.otherPatient, { provider: address('doctor'), scopes: rwBilling, expiry: inDays(30) });
  });

  after(() => system.stop());

  describe('refusals before anything is written', () => {
    it('an invalid Claim, or one naming another patient or insurer, lists every issue', async () => {
      const wrong = claimFor('otherPatient', 'stranger');
      delete (wrong as Partial<Claim>).priority;
      await assertRefusedCleanly(
        () => submitClaim(vaults.doctor, address('patient'), address('insurer'), wrong),
        /Claim\.priority.*Claim\.patient: names .* but the patient is .*Claim\.insurer: names/s,
        ValidationError,
      );
    });

    it('a provider without billing consent, an account that is no insurer, a patient billing themselves', async () => {
      await assertRefusedCleanly(
        () =>
          submitClaim(
            vaults.secondDoctor,
            address('patient'),
            address('insurer'),
            claimFor('patient', 'insurer', { provider: address('secondDoctor') }),
          ),
        /has not granted this wallet live "write billing" access/,
      );
      await assertRefusedCleanly(
        () =>
          submitClaim(vaults.doctor, address('patient'), address('secondDoctor'), claimFor('patient', 'secondDoctor')),
        /is not a registered insurer/,
      );
      await assertRefusedCleanly(
        () =>
          submitClaim(
            vaults.patient,
            address('patient'),
            address('insurer'),
            claimFor('patient', 'insurer', { provider: address('patient') }),
          ),
        /A patient cannot bill their own record/,
      );
    });

    it('an insurer the patient has not granted billing access', async () => {
      await assertRefusedCleanly(
        () =>
          submitClaim(vaults.doctor, address('otherPatient'), address('insurer'), claimFor('otherPatient', 'insurer')),
        /has not granted the insurer .* live "read billing" access/,
      );
    });
  });

  describe('the life of a claim', () => {
    it('a doctor files claim A: one encrypted billing record, the claim submitted on-chain', async () => {
      const before = (await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount;
      const steps: string[] = [];
      const filed = await submitClaim(
        vaults.doctor,
        address('patient'),
        address('insurer'),
        claimFor('patient', 'insurer'),
        {
          onProgress: ({ step }) => steps.push(step),
        },
      );
      claimA = filed.ref;
      assert.equal(claimA.claimId, 1n);
      assert.equal(filed.recordId, before + 1n);
      assert.ok(
        isAddressEqual(claimA.provider, address('doctor')) && isAddressEqual(claimA.insurer, address('insurer')),
      );
      for (const step of ['validate', 'encrypt', 'upload', 'sign', 'pending', 'confirmed'])
        assert.ok(steps.includes(step), step);
      const header = await recordHeader(vaults.patient.chain, address('patient'), filed.recordId);
      assert.equal(header.category, billing);
      assert.equal(header.ciphertextHash, claimA.ciphertextHash);
      assert.deepEqual(await readClaims(vaults.patient.chain, 'claimStatus', [claimA]), [1, false]);
      assert.equal(await readClaims(vaults.patient.chain, 'sealClaim', [claimA]), sealClaim(claimA));
    });

    it('the patient, the doctor and the insurer each list claim A with the decrypted Claim', async () => {
      for (const [actor, as] of [
        ['patient', 'patient'],
        ['doctor', 'provider'],
        ['insurer', 'insurer'],
      ] as const) {
        const [claim, ...more] = await only(vaults[actor], as);
        assert.equal(more.length, 0, actor);
        assert.equal(claim!.status, 'submitted');
        assert.ok(claim!.claim.ok, `${actor}: ${!claim!.claim.ok && claim!.claim.error.message}`);
        assert.equal((claim!.claim.resource as Claim).total?.value, 125.5);
        assert.deepEqual(
          claim!.history.map((event) => event.kind),
          ['submitted'],
        );
        assert.ok(claim!.history[0]!.timestamp > 1_700_000_000);
      }
    });

    it('claim B to another insurer: the first insurer does not see it, its own insurer does', async () => {
      claimB = (
        await submitClaim(
          vaults.doctor,
          address('patient'),
          address('stranger'),
          claimFor('patient', 'stranger', { amount: 40 }),
        )
      ).ref;
      assert.deepEqual(
        (await only(vaults.insurer, 'insurer')).map((claim) => claim.claimId),
        [claimA.claimId],
      );
      await assert.rejects(
        findClaim(vaults.insurer, claimB.claimId, { as: 'insurer', logAccess: false }),
        /no claim 2/,
      );
      const [seen] = await only(vaults.stranger, 'insurer');
      assert.equal(seen!.claimId, claimB.claimId);
      assert.equal(seen!.claim.ok && (seen!.claim.resource as Claim).total?.value, 40);
      assert.deepEqual(
        (await only(vaults.patient, 'patient')).map((claim) => claim.claimId),
        [claimA.claimId, claimB.claimId],
      );
    });

    it('a doctor without a grant sees no claim and cannot open the Claim record', async () => {
      assert.deepEqual(await only(vaults.secondDoctor, 'provider'), []);
      assert.deepEqual(await only(vaults.secondDoctor, 'insurer'), []);
      const header = await recordHeader(vaults.patient.chain, address('patient'), claimA.recordId);
      await assert.rejects(
        openAnchored(vaults.secondDoctor, address('patient'), header, { identity: vaults.secondDoctor.identity }),
        AccessDeniedError,
      );
    });

    it('only the insurer of a claim adjudicates it, and only once it is submitted', async () => {
      const [view] = (await listClaims(vaults.insurer, { as: 'insurer', logAccess: false })).claims;
      const answer = explanationOfBenefitFor(
        view!.claim.ok ? (view!.claim.resource as Claim) : assert.fail(),
        claimA,
        'approved',
        chainId,
      );
      await assertRefusedCleanly(
        () => adjudicateClaim(vaults.stranger, claimA, 'approved', answer),
        /Only the insurer of claim 1/,
      );
      await assertRefusedCleanly(
        () => payClaim(vaults.insurer, claimA, 'TRANSFER-1'),
        /Claim 1 is submitted; only an approved claim is paid/,
      );
      await assertRefusedCleanly(
        () => disputeClaim(vaults.patient, claimA, 'Not yet decided'),
        /has not been decided yet/,
      );
    });

    it('the insurer approves claim A with an ExplanationOfBenefit everyone on the claim can open', async () => {
      const [view] = (await listClaims(vaults.insurer, { as: 'insurer' })).claims;
      assert.ok(view!.claim.ok);
      const decrypted = view!.claim.resource as Claim;
      const answer = explanationOfBenefitFor(decrypted, claimA, 'approved', chainId);
      const decided = await adjudicateClaim(vaults.insurer, claimA, 'approved', answer);
      assert.deepEqual(await readClaims(vaults.patient.chain, 'claimStatus', [claimA]), [2, false]);
      for (const [actor, as] of [
        ['patient', 'patient'],
        ['doctor', 'provider'],
        ['insurer', 'insurer'],
      ] as const) {
        const claim = (await only(vaults[actor], as)).find((candidate) => candidate.claimId === claimA.claimId)!;
        assert.equal(claim.status, 'approved', actor);
        assert.equal(claim.answer?.recordId, decided.recordId);
        assert.ok(claim.answer?.ok, `${actor} could not open the answer`);
        const eob = claim.answer.resource as ExplanationOfBenefit;
        assert.equal(eob.disposition, 'Claim approved');
        assert.deepEqual(
          eob.total?.map((total) => total.amount?.value),
          [125.5, 125.5],
        );
      }
      await assertRefusedCleanly(
        () =>
          adjudicateClaim(
            vaults.insurer,
            claimA,
            'denied',
            explanationOfBenefitFor(decrypted, claimA, 'denied', chainId),
          ),
        /Claim 1 is approved, not waiting for a decision/,
      );
    });

    it("the insurer's read of claim A is logged for the patient, for payment", async () => {
      const logs = await vaults.patient.chain.publicClient.getContractEvents({
        address: system.devnet.deployment.medLedger,
        abi: medLedgerAbi,
        eventName: 'AccessLogged',
        args: { patient: address('patient'), provider: address('insurer') },
        fromBlock: 0n,
      });
      assert.deepEqual(
        logs.map((log) => [log.args.recordIds, log.args.purpose]),
        [[[claimA.recordId], 3]],
      );
    });

    it('the insurer pays claim A: only a hash of the reference goes on-chain', async () => {
      const paid = await payClaim(vaults.insurer, claimA, 'SEPA-2026-11-0042');
      assert.equal(
        paid.paymentReference,
        paymentReferenceHash(vaults.insurer.chain, claimA.claimId, 'SEPA-2026-11-0042'),
      );
      const [claim] = (await only(vaults.patient, 'patient')).filter(
        (candidate) => candidate.claimId === claimA.claimId,
      );
      assert.equal(claim!.status, 'paid');
      const chainClaim = (await listChainClaims(vaults.patient.chain, 'patient', address('patient'))).claims[0]!;
      assert.ok(paymentReferenceMatches(vaults.patient.chain, chainClaim, 'SEPA-2026-11-0042'));
      assert.ok(!paymentReferenceMatches(vaults.patient.chain, chainClaim, 'SEPA-2026-11-0043'));
      const tx = await vaults.patient.chain.publicClient.getTransaction({ hash: paid.transactionHash });
      assert.ok(!tx.input.includes(Buffer.from('SEPA-2026').toString('hex')));
      await assertRefusedCleanly(() => payClaim(vaults.insurer, claimA, 'again'), /Claim 1 is paid/);
    });

    it('the patient disputes claim A; insurer and doctor read the reasons; a second dispute is refused', async () => {
      const reasons = 'I was billed for a visit that was cancelled.';
      await disputeClaim(vaults.patient, claimA, reasons);
      assert.deepEqual(await readClaims(vaults.patient.chain, 'claimStatus', [claimA]), [4, true]);
      for (const [actor, as] of [
        ['patient', 'patient'],
        ['doctor', 'provider'],
        ['insurer', 'insurer'],
      ] as const) {
        const claim = (await only(vaults[actor], as)).find((candidate) => candidate.claimId === claimA.claimId)!;
        assert.equal(claim.status, 'paid');
        assert.equal(claim.disputed, true);
        assert.equal(claim.disputeReason, reasons, actor);
        assert.deepEqual(
          claim.history.map((event) => event.kind),
          ['submitted', 'adjudicated', 'paid', 'disputed'],
        );
        const times = claim.history.map((event) => event.timestamp);
        assert.deepEqual([...times].sort(), times);
      }
      await assertRefusedCleanly(() => disputeClaim(vaults.patient, claimA, 'again'), /already disputed/);
      await assertRefusedCleanly(
        () => disputeClaim(vaults.otherPatient, claimB, 'not mine'),
        /Only the patient of claim 2/,
      );
    });

    it('a denied claim can be disputed without being paid', async () => {
      const [view] = await only(vaults.stranger, 'insurer');
      assert.ok(view!.claim.ok);
      const denial = explanationOfBenefitFor(view!.claim.resource as Claim, claimB, 'denied', chainId);
      await adjudicateClaim(vaults.stranger, claimB, 'denied', denial);
      await assertRefusedCleanly(() => payClaim(vaults.stranger, claimB, 'x'), /Claim 2 is denied/);
      await disputeClaim(vaults.patient, claimB, 'The visit was necessary.');
      const claim = (await only(vaults.patient, 'patient')).find((candidate) => candidate.claimId === claimB.claimId)!;
      assert.equal(claim.status, 'denied');
      assert.equal(claim.disputed, true);
      assert.ok(claim.answer?.ok && (claim.answer.resource as ExplanationOfBenefit).total?.[1]?.amount?.value === 0);
    });
  });

  describe('failures lose nothing', () => {
    it('a claim transaction rejected in the wallet names the record it wrote, and the retry presents it', async () => {
      const before = (await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount;
      const doctor = vaults.doctor;
      const claims = system.devnet.deployment.claims;
      const wallet = doctor.chain.walletClient!;
      const refusing: ChainContext = {
        ...doctor.chain,
        walletClient: {
          ...wallet,
          writeContract: async (request: Parameters<typeof wallet.writeContract>[0]) => {
            if (isAddressEqual(request.address, claims)) throw new UserRejectedRequestError(new Error('rejected'));
            return wallet.writeContract(request);
          },
        } as typeof wallet,
      };
      let orphan: ClaimRecordOrphanedError | undefined;
      await assert.rejects(
        submitClaim(
          { ...doctor, chain: refusing },
          address('patient'),
          address('insurer'),
          claimFor('patient', 'insurer'),
        ),
        (error: unknown) => {
          assert.ok(error instanceof ClaimRecordOrphanedError);
          assert.match(error.message, /rejected the request in your wallet/);
          orphan = error;
          return true;
        },
      );
      assert.equal(orphan!.recordId, before + 1n);
      const retried = await submitClaim(doctor, address('patient'), address('insurer'), { recordId: orphan!.recordId });
      assert.equal(retried.recordId, orphan!.recordId);
      assert.equal(retried.ref.recordId, orphan!.recordId);
      assert.equal(
        (await readMedLedger(vaults.patient.chain, 'patientInfo', [address('patient')])).recordCount,
        before + 1n,
        'the retry wrote a second record',
      );
      await assert.rejects(
        submitClaim(doctor, address('patient'), address('insurer'), { recordId: orphan!.recordId }),
        /was already filed as a claim/,
      );
    });

    it('a record of another kind or author cannot be presented as a claim', async () => {
      const keyring = await loadKeyring(vaults.doctor, address('patient'));
      const [note] = await addRecords(
        vaults.doctor,
        address('patient'),
        [
          {
            payload: {
              resource: {
                resourceType: 'Coverage',
                status: 'active',
                beneficiary: { reference: 'Patient/x' },
                payor: [{ display: 'x' }],
              },
            },
          },
        ],
        { keyring },
      );
      await assert.rejects(
        submitClaim(vaults.doctor, address('patient'), address('insurer'), { recordId: note!.recordId }),
        /Record \d+ cannot be used for this step: resourceType: is Coverage, not Claim/,
      );
      const byPatient = (await only(vaults.patient, 'patient'))[0]!.dispute!.recordId;
      await assert.rejects(
        submitClaim(vaults.doctor, address('patient'), address('insurer'), { recordId: byPatient }),
        new RegExp(`Record ${byPatient} of .* was written by ${address('patient')}, not by ${address('doctor')}`),
      );
    });
  });

  describe("the insurer's review", () => {
    const insurerLogs = () =>
      vaults.patient.chain.publicClient.getContractEvents({
        address: system.devnet.deployment.medLedger,
        abi: medLedgerAbi,
        eventName: 'AccessLogged',
        args: { patient: address('patient'), provider: address('insurer') },
        fromBlock: 0n,
      });
    const insurerNonce = () => vaults.patient.chain.publicClient.getTransactionCount({ address: address('insurer') });

    it('flags a claim filed again for the same visit, naming the claim it repeats by its number', async () => {
      const claims = await only(vaults.insurer, 'insurer');
      const [first, again] = [claims.find((c) => c.claimId === 1n)!, claims.find((c) => c.claimId === 3n)!];
      assert.deepEqual(first.review?.flags, []);
      const duplicate = again.review?.flags.find((flag) => flag.kind === 'duplicate');
      assert.ok(duplicate, `no duplicate flag: ${JSON.stringify(again.review?.flags)}`);
      assert.equal(duplicate.severity, 'high');
      assert.match(duplicate.message, /as claim 1, submitted earlier/);
      assert.deepEqual(duplicate.claimIds, ['3', '1']);
      assert.equal((await only(vaults.patient, 'patient'))[0]!.review, undefined, 'only the insurer reviews');
    });

    it('reads the conditions the patient granted it, and flags a diagnosis the record lacks', async () => {
      await grantAccess(vaults.patient, {
        provider: address('doctor'),
        scopes: rwBilling | scopesFor([RECORD_CATEGORIES.condition], { read: true, write: true }),
        expiry: inDays(30),
      });
      const [condition] = await addRecords(
        vaults.doctor,
        address('patient'),
        [
          {
            payload: {
              resource: {
                resourceType: 'Condition',
                subject: { reference: `Patient/${address('patient')}` },
                code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9' }], text: 'Diabetes' },
              },
            },
          },
        ],
        { keyring: await loadKeyring(vaults.doctor, address('patient')) },
      );
      const before = (await only(vaults.insurer, 'insurer')).find((c) => c.claimId === 1n)!;
      assert.ok(
        !before.review?.flags.some((flag) => flag.kind === 'unsupported-diagnosis'),
        'no conditions granted yet',
      );
      await grantAccess(vaults.patient, {
        provider: address('insurer'),
        scopes: rwBilling | scopesFor([RECORD_CATEGORIES.condition], { read: true }),
        expiry: inDays(30),
      });
      const logsBefore = await insurerLogs();
      const noncesBefore = await insurerNonce();
      const { claims, reviewed } = await listClaims(vaults.insurer, { as: 'insurer' });
      const flag = claims
        .find((c) => c.claimId === 1n)!
        .review?.flags.find((candidate) => candidate.kind === 'unsupported-diagnosis');
      assert.ok(flag, 'the hypertension billed is not among the conditions the insurer may read');
      assert.deepEqual(reviewed, [{ patient: address('patient'), categories: [RECORD_CATEGORIES.condition] }]);
      const logs = (await insurerLogs()).slice(logsBefore.length);
      assert.ok(
        logs.some((log) => log.args.purpose === 3 && log.args.recordIds!.includes(condition!.recordId)),
        'the condition read for the review is logged, for payment',
      );
      assert.equal(logs.length, 1, "the queue logs the patient's claims and the condition read in one transaction");
      assert.equal((await insurerNonce()) - noncesBefore, 1, 'one transaction for the one patient of the queue');
      const claimRecords = claims.flatMap((c) => [c.claim, c.dispute]).flatMap((d) => (d?.ok ? [d.recordId] : []));
      assert.deepEqual(
        [...logs[0]!.args.recordIds!].sort(),
        [...new Set([...claimRecords, condition!.recordId])].sort(),
        'every record opened is logged once',
      );
    });

    it('does not count a patient whose grant has expired as checked against their records', async () => {
      const latest = await vaults.patient.chain.publicClient.getBlock();
      await grantAccess(vaults.patient, {
        provider: address('insurer'),
        scopes: rwBilling | scopesFor([RECORD_CATEGORIES.condition], { read: true }),
        expiry: Number(latest.timestamp) + 3_600,
      });
      const testClient = createTestClient({ mode: 'hardhat', transport: http(system.devnet.rpcUrl) });
      await testClient.increaseTime({ seconds: 2 * 3_600 });
      await testClient.mine({ blocks: 1 });
      const grant = await readMedLedger(vaults.insurer.chain, 'grantOf', [address('patient'), address('insurer')]);
      assert.notEqual(
        grant.scopes & scopesFor([RECORD_CATEGORIES.condition], { read: true }),
        0n,
        'grantOf still names it',
      );
      const noncesBefore = await insurerNonce();
      const { claims, reviewed } = await listClaims(vaults.insurer, { as: 'insurer' });
      assert.deepEqual(reviewed, [{ patient: address('patient'), categories: [] }]);
      assert.ok(
        claims.every((c) => !c.review?.flags.some((flag) => flag.kind === 'unsupported-diagnosis')),
        'the rules that need the record are skipped, not run on the expired grant',
      );
      assert.equal(await insurerNonce(), noncesBefore, 'nothing is logged once the grant has expired');
      await grantAccess(vaults.patient, { provider: address('insurer'), scopes: rwBilling, expiry: inDays(30) });
    });

    it('is not run on one claim found by its number, which it would compare with nothing', async () => {
      const found = await findClaim(vaults.insurer, 3n, { as: 'insurer', logAccess: false });
      assert.equal(found.claim.ok, true);
      assert.equal(found.review, undefined, 'a review of claim 3 alone misses that it repeats claim 1');
    });
  });

  describe('a node that lies about claim events', () => {
    /** The patient's chain, with a node that rewrites the claim logs it returns. */
    function lyingChain(rewrite: (log: { eventName: string; args: Record<string, unknown> }) => unknown): ChainContext {
      const { publicClient } = vaults.patient.chain;
      return {
        ...vaults.patient.chain,
        publicClient: {
          ...publicClient,
          getContractEvents: async (parameters: Parameters<typeof publicClient.getContractEvents>[0]) => {
            const logs = await publicClient.getContractEvents(parameters);
            if (parameters.abi !== claimsAbi) return logs;
            return logs.flatMap((log) => {
              const changed = rewrite(log as unknown as { eventName: string; args: Record<string, unknown> });
              return changed === undefined ? [] : [changed];
            });
          },
        } as typeof publicClient,
      };
    }

    it('a submission whose record id was altered does not seal: the claim is refused, the others shown', async () => {
      const chain = lyingChain((log) =>
        log.eventName === 'ClaimSubmitted' && log.args.claimId === claimA.claimId
          ? { ...log, args: { ...log.args, recordId: (log.args.recordId as bigint) + 1n } }
          : log,
      );
      const { claims, refused } = await listChainClaims(chain, 'patient', address('patient'));
      assert.deepEqual(refused, [
        { claimId: claimA.claimId, reason: 'The event for claim 1 does not match any claim the contract stores.' },
      ]);
      assert.ok(claims.every((claim) => claim.ref.claimId !== claimA.claimId) && claims.length > 0);
    });

    it('a hidden payment is caught: the events no longer lead to the status the contract holds', async () => {
      const chain = lyingChain((log) => (log.eventName === 'ClaimPaid' ? undefined : log));
      const { refused } = await listChainClaims(chain, 'insurer', address('insurer'));
      assert.equal(refused.length, 1);
      assert.match(refused[0]!.reason, /the events say approved, disputed; the contract, paid, disputed/);
    });
  });

  it('a claim step by someone not on the claim fails in the contract too, with a sentence', async () => {
    await assert.rejects(
      writeClaims(vaults.stranger.chain, 'payClaim', [claimA, `0x${'11'.repeat(32)}`]),
      (error: unknown) =>
        error instanceof TransactionError && /Only the insurer of claim 1 may decide or pay it/.test(error.message),
    );
  });
});
