/**
 * Canary: a claim with a distinctive amount, procedure code and diagnosis goes through its whole life
 * (filed, read by the insurer, approved with an ExplanationOfBenefit, paid with a reference that names
 * the amount, disputed with reasons that repeat it), and then everything public is searched for them:
 * every transaction input of every block, every log of MedLedger and Claims, and every block the IPFS
 * node stores on disk. Amounts and codes must never reach the chain or IPFS in the clear — not as text,
 * hex, UTF-16 or base64, nor the amount in cents, as text or as an ABI word.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Claim } from '@medplum/fhirtypes';
import { type Hex, keccak256, toHex } from 'viem';

import { startDevnet, type Devnet } from '../../scripts/devnet';
import { RECORD_CATEGORIES, connectChain, parseProviderKind, scopesFor, writeMedLedger } from '../chain';
import { createIpfsClient } from '../ipfs';
import { type RunningIpfsNode, startIpfsNode } from '../ipfs/node';
import { sampleClaim } from '../testing/claim-fixtures';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import { addressOf as address, inDays } from '../testing/system';
import {
  type Vault,
  adjudicateClaim,
  disputeClaim,
  enrollWallet,
  explanationOfBenefitFor,
  grantAccess,
  listClaims,
  payClaim,
  publishProviderKey,
  registerPatient,
  submitClaim,
} from '.';

const AMOUNT = 98765.43;
const AMOUNT_TEXT = '98765.43';
const CENTS = 9876543n;
const PROCEDURE_CODE = '1234567';
const DIAGNOSIS = 'Quillon zebra-stripe fever';

/** Every form the canary values could take in hex (calldata, log data) or bytes (IPFS blocks). */
function needles(): { label: string; hex: string }[] {
  const texts = [AMOUNT_TEXT, CENTS.toString(), PROCEDURE_CODE, DIAGNOSIS];
  const forms = texts.flatMap((text) => [
    { label: `"${text}" as UTF-8`, bytes: Buffer.from(text, 'utf8') },
    { label: `"${text}" as UTF-16LE`, bytes: Buffer.from(text, 'utf16le') },
    { label: `"${text}" as UTF-16BE`, bytes: Buffer.from(text, 'utf16le').swap16() },
    { label: `"${text}" as base64`, bytes: Buffer.from(Buffer.from(text, 'utf8').toString('base64'), 'utf8') },
    { label: `"${text}" hex-encoded as text`, bytes: Buffer.from(Buffer.from(text, 'utf8').toString('hex'), 'utf8') },
  ]);
  return [
    ...forms.map(({ label, bytes }) => ({ label, hex: bytes.toString('hex') })),
    { label: `${CENTS} cents as an ABI word`, hex: CENTS.toString(16).padStart(64, '0') },
  ];
}

/** Every file under `dir`. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('claims canary: no amount, code or diagnosis on-chain or on IPFS in the clear', () => {
  let devnet: Devnet;
  let ipfsNode: RunningIpfsNode;
  let dataDir: string;
  const vaults = {} as Record<'patient' | 'doctor' | 'insurer', Vault>;

  async function vaultFor(actor: keyof typeof vaults, role: 'patient' | 'provider'): Promise<Vault> {
    const chain = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS[actor],
      deployment: devnet.deployment,
    });
    const { key: identity } = await enrollWallet(chain, { role });
    return { chain, ipfs: createIpfsClient(ipfsNode.apiUrl), identity };
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-claims-canary-'));
    [devnet, ipfsNode] = await Promise.all([
      startDevnet(),
      startIpfsNode({ dataDir: path.join(dataDir, 'ipfs'), apiPort: 0, gatewayPort: 0, shutdownGraceMs: 500 }),
    ]);
    const admin = await connectChain({
      rpcUrl: devnet.rpcUrl,
      privateKey: DEVNET_KEYS.admin,
      deployment: devnet.deployment,
    });
    for (const actor of ['doctor', 'insurer'] as const) {
      await writeMedLedger(admin, 'registerProvider', [
        address(actor),
        parseProviderKind(actor),
        keccak256(toHex(actor)),
      ]);
      vaults[actor] = await vaultFor(actor, 'provider');
      await publishProviderKey(vaults[actor]);
    }
    vaults.patient = await vaultFor('patient', 'patient');
    await registerPatient(vaults.patient, { resourceType: 'Patient', name: [{ text: 'Canary patient' }] });
    const rwBilling = scopesFor([RECORD_CATEGORIES.billing], { read: true, write: true });
    for (const provider of ['doctor', 'insurer'] as const) {
      await grantAccess(vaults.patient, { provider: address(provider), scopes: rwBilling, expiry: inDays(30) });
    }
  });

  after(async () => {
    await ipfsNode.stop();
    await devnet.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes the claim through its whole life; every party reads the values back', async () => {
    const claim = sampleClaim({
      chainId: devnet.deployment.chainId,
      patient: address('patient'),
      provider: address('doctor'),
      insurer: address('insurer'),
      amount: AMOUNT,
      procedureCode: PROCEDURE_CODE,
      diagnosisText: DIAGNOSIS,
    });
    const { ref } = await submitClaim(vaults.doctor, address('patient'), address('insurer'), claim);
    const [queued] = (await listClaims(vaults.insurer, { as: 'insurer' })).claims;
    assert.ok(queued?.claim.ok);
    const opened = queued.claim.resource as Claim;
    assert.equal(opened.total?.value, AMOUNT);
    assert.equal(opened.item?.[0]?.productOrService.coding?.[0]?.code, PROCEDURE_CODE);
    await adjudicateClaim(
      vaults.insurer,
      ref,
      'approved',
      explanationOfBenefitFor(opened, ref, 'approved', devnet.deployment.chainId, {
        disposition: `Approved ${AMOUNT_TEXT} for ${PROCEDURE_CODE} (${DIAGNOSIS})`,
      }),
    );
    await payClaim(vaults.insurer, ref, `TRANSFER ${AMOUNT_TEXT} ${CENTS} ${PROCEDURE_CODE}`);
    await disputeClaim(vaults.patient, ref, `I never had ${DIAGNOSIS}; ${PROCEDURE_CODE} for ${AMOUNT_TEXT} is wrong.`);
    const [mine] = (await listClaims(vaults.patient, { as: 'patient' })).claims;
    assert.equal(mine?.status, 'paid');
    assert.ok(mine?.answer?.ok && mine.answer.resource.disposition?.includes(DIAGNOSIS));
    assert.ok(mine?.disputeReason?.includes(AMOUNT_TEXT));
  });

  it('finds none of them in any transaction, any log of either contract, or any block on IPFS', async (t) => {
    const client = vaults.patient.chain.publicClient;
    const head = await client.getBlockNumber();
    const searched = needles();
    const hits: string[] = [];
    const search = (where: string, hex: string) => {
      const haystack = hex.toLowerCase().replace(/^0x/, '');
      for (const needle of searched) if (haystack.includes(needle.hex)) hits.push(`${needle.label} in ${where}`);
    };

    let transactions = 0;
    for (let number = 0n; number <= head; number++) {
      const block = await client.getBlock({ blockNumber: number, includeTransactions: true });
      for (const { hash } of block.transactions) {
        // The node's own answer for each transaction, as anyone can ask for it.
        const tx = await client.getTransaction({ hash });
        search(`the input of ${hash}`, tx.input);
        transactions++;
      }
    }
    const logs = await client.getLogs({
      address: [devnet.deployment.medLedger, devnet.deployment.claims],
      fromBlock: 0n,
      toBlock: head,
    });
    for (const log of logs) {
      search(`a log of ${log.transactionHash}`, [log.data, ...log.topics].map((part: Hex) => part.slice(2)).join(''));
    }
    // Every block on disk (pinned or not), and every pinned blob read whole through the node's API, so a
    // value split across two blocks of a large blob would be found too.
    const blockFiles = (await filesUnder(path.join(dataDir, 'ipfs', 'blocks'))).filter((file) =>
      file.endsWith('.data'),
    );
    for (const file of blockFiles) search(`IPFS block ${path.basename(file)}`, (await readFile(file)).toString('hex'));
    const ipfs = vaults.patient.ipfs;
    let blobs = 0;
    for await (const { cid } of ipfs.pin.ls({ type: 'recursive' })) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of ipfs.cat(cid)) chunks.push(chunk);
      search(`IPFS blob ${cid}`, Buffer.concat(chunks).toString('hex'));
      blobs++;
    }

    t.diagnostic(
      `scanned ${transactions} transactions, ${logs.length} logs of MedLedger and Claims, ${blobs} pinned IPFS blobs ` +
        `(${blockFiles.length} blocks on disk) ` +
        `for ${searched.length} forms of ${AMOUNT_TEXT}, ${CENTS} cents, ${PROCEDURE_CODE} and "${DIAGNOSIS}"`,
    );
    assert.deepEqual(hits, []);
    assert.ok(transactions >= 12, `only ${transactions} transactions`);
    assert.ok(logs.some((log) => log.address.toLowerCase() === devnet.deployment.claims.toLowerCase()));
    // The profile, two keyrings, the Claim, the EOB and the dispute's reasons.
    assert.ok(blobs >= 6 && blockFiles.length >= blobs, `only ${blobs} blobs, ${blockFiles.length} blocks`);
  });

  it('would have found them: the same search sees the values in the decrypted records', async () => {
    const [mine] = (await listClaims(vaults.patient, { as: 'patient' })).claims;
    const opened = JSON.stringify([mine?.claim, mine?.answer, mine?.disputeReason], (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
    const plaintext = Buffer.from(opened, 'utf8').toString('hex');
    const found = needles().filter(({ hex }) => plaintext.includes(hex));
    assert.deepEqual(
      found.map(({ label }) => label),
      [`"${AMOUNT_TEXT}" as UTF-8`, `"${PROCEDURE_CODE}" as UTF-8`, `"${DIAGNOSIS}" as UTF-8`],
    );
  });
});
