/**
 * `npm run bench -- scale [--quick]`: MedLedger on a hospital-sized chain. Builds a devnet (in a
 * process of its own) with 10,000 patients holding 100 records each — 1,000,000 records — and 100
 * doctors each granted by 100 of them, and measures, at 10k, 100k and 1M records (the `curve`):
 *
 * - `listRecordsIndexerMs`: one patient's 100 record headers through the indexer, verified against
 *   the chain (batch digests, state bytes, record count) — `listRecordHeaders` with an indexer.
 * - `auditIndexerMs`: one patient's audit trail (`patientActivity`), verified against the patient's
 *   event chain and record count, with block times.
 * - `providerPatientsIndexerMs`: a doctor's patient list (`providerActivity` verified against the
 *   doctor's event chain, then `patientsOf`, which reads each grant's standing from the contract).
 * - `…RpcMs`: the same, straight from the node through a proxy that refuses `eth_getLogs` over 10,000
 *   blocks, as Infura does.
 * - `indexerSyncEventsPerSec`: a fresh indexer (Ponder, embedded PGlite) indexing the whole chain:
 *   events over the seconds from start to caught up with the head.
 *
 * Every list figure is the median of 11 wall-clock runs after 2 warm-up runs, rotating among five
 * patients (and doctors). Records are written by the patients themselves through `addRecords` (one
 * packed batch of 100 each), 40 transactions a block with 200 empty blocks after each (about 100,000
 * blocks at a million records: a real chain's writes are spread over mostly empty blocks, and an RPC
 * capped at 10,000 blocks per log query must page through them). Their CIDs point at nothing: listing
 * verifies headers against the chain and never fetches ciphertext.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { type Address, type Hex, encodeFunctionData, keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { READ_MASK, RECORD_CATEGORIES } from '../../lib/chain/categories';
import { type ChainContext, type Deployment, connectChain } from '../../lib/chain/client';
import { medLedgerAbi } from '../../lib/chain/deployments';
import { patientActivity, patientsOf, providerActivity } from '../../lib/chain/activity';
import { listRecordHeaders, packRecordHeaders } from '../../lib/chain/records';
import { startIndexer } from '../indexer';
import { startRangeCappedRpc } from './lib/range-capped-rpc';

const ADMIN: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const RECORDS_PER_PATIENT = 100;
const RUNS = 11;
const WARM_UP = 2;
const SAMPLE_PATIENTS = 5;
const MAX_LOG_BLOCKS = 10_000;
/** JSON-RPC requests per HTTP batch while filling the chain. */
const SEND_BATCH = 100;
/** Transactions per block while filling: a busy block, well under the 30M gas limit. */
const TXS_PER_BLOCK = 40;
/**
 * Empty blocks mined after each block of transactions, so the chain spans blocks as a real one does
 * (mostly empty blocks between writes): about 100,000 blocks at a million records, which an RPC that
 * caps `eth_getLogs` at 10,000 blocks answers only page by page.
 */
const EMPTY_BLOCKS_BETWEEN = 200;

const TARGETS = { listRecordsIndexerMs: 200, auditIndexerMs: 300, providerPatientsIndexerMs: 300 };

const accountOf = (label: string): Address => privateKeyToAccount(keccak256(toHex(label))).address;
const cid = (label: string): Hex => `0x01551220${keccak256(toHex(label)).slice(2)}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function startDevnetProcess(): Promise<{ rpcUrl: string; deployment: Deployment; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(import.meta.dirname, 'lib/devnet-process.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Its output is read for as long as it runs: a pipe nobody drains blocks or breaks the writer.
  const started = await new Promise<{ rpcUrl: string; deployment: Deployment }>((resolve, reject) => {
    let pending = '';
    let ready = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (ready) return void process.stderr.write(chunk);
      pending += chunk.toString();
      const line = pending.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) {
        ready = true;
        resolve(JSON.parse(line) as { rpcUrl: string; deployment: Deployment });
      }
    });
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`The devnet process exited (${signal ?? code}) before it was ready.`));
      else if (signal !== 'SIGTERM') console.error(`The devnet process exited (${signal ?? code}).`);
    });
  });
  return { ...started, child };
}

/** POSTs one JSON body on a connection of its own (no keep-alive socket to go stale). */
function postJson(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString()));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends JSON-RPC requests in batches and fails on the first error. */
function rpcSender(rpcUrl: string) {
  let id = 0;
  return async (requests: { method: string; params: unknown[] }[]): Promise<unknown[]> => {
    const results: unknown[] = [];
    for (let start = 0; start < requests.length; start += SEND_BATCH) {
      const batch = requests
        .slice(start, start + SEND_BATCH)
        .map((request) => ({ jsonrpc: '2.0', id: ++id, ...request }));
      let text: string;
      try {
        text = await postJson(rpcUrl, JSON.stringify(batch));
      } catch (error) {
        throw new Error(`devnet: a batch of ${batch.length} ${batch[0]!.method} requests failed`, { cause: error });
      }
      const answers = JSON.parse(text) as { id: number; result?: unknown; error?: { message: string } }[];
      for (const answer of answers.sort((a, b) => a.id - b.id)) {
        if (answer.error) throw new Error(`devnet: ${answer.error.message}`);
        results.push(answer.result);
      }
    }
    return results;
  };
}

type Send = ReturnType<typeof rpcSender>;

/**
 * Mines `requests` (transactions) {@link TXS_PER_BLOCK} to a block, each block followed by
 * {@link EMPTY_BLOCKS_BETWEEN} empty ones, and fails unless every transaction succeeded.
 */
async function mineTransactions(send: Send, requests: { method: string; params: unknown[] }[]): Promise<void> {
  for (let start = 0; start < requests.length; start += TXS_PER_BLOCK) {
    const hashes = (await send(requests.slice(start, start + TXS_PER_BLOCK))) as Hex[];
    await send(Array.from({ length: 1 + EMPTY_BLOCKS_BETWEEN }, () => ({ method: 'evm_mine', params: [] })));
    const receipts = (await send(hashes.map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] })))) as ({
      status: Hex;
    } | null)[];
    const failed = receipts.filter((receipt) => receipt?.status !== '0x1').length;
    if (failed > 0) throw new Error(`${failed} of ${hashes.length} transactions failed while filling the chain.`);
  }
}

type Call = Parameters<typeof encodeFunctionData<typeof medLedgerAbi>>[0];

/** A MedLedger call sent from `from` with a fixed gas limit (no estimation: filling must be fast). */
function transactionTo(medLedger: Address) {
  return (from: Address, call: Call, gas: number) => ({
    method: 'eth_sendTransaction',
    params: [{ from, to: medLedger, data: encodeFunctionData(call), gas: toHex(gas) }],
  });
}

/** Median wall-clock ms of `operation` over the sample subjects, after warm-up. */
async function timed<S>(subjects: readonly S[], operation: (subject: S) => Promise<unknown>) {
  const samples: number[] = [];
  for (let run = 0; run < WARM_UP + RUNS; run += 1) {
    const subject = subjects[run % subjects.length]!;
    const started = performance.now();
    await operation(subject);
    if (run >= WARM_UP) samples.push(performance.now() - started);
  }
  return { medianMs: round(median(samples)), samplesMs: samples.map((sample) => round(sample)) };
}

export default async function scaleBench(args: string[]): Promise<Record<string, unknown>> {
  const quick = args.includes('--quick');
  const checkpoints = quick ? [10, 50, 100] : [100, 1_000, 10_000];
  const doctorCount = quick ? 5 : 100;
  const devnet = await startDevnetProcess();
  const send = rpcSender(devnet.rpcUrl);
  const medLedger = devnet.deployment.medLedger;
  const tx = transactionTo(medLedger);
  const capped = await startRangeCappedRpc(devnet.rpcUrl, MAX_LOG_BLOCKS);
  const expiry = Math.floor(Date.now() / 1000) + 5 * 365 * 86_400;
  const doctors = Array.from({ length: doctorCount }, (_, index) => accountOf(`scale doctor ${index}`));
  const patients: Address[] = [];
  let events = 0;
  const curve: Record<string, unknown>[] = [];
  const fillSeconds: number[] = [];
  try {
    await send(
      doctors.flatMap((doctor) => [
        { method: 'hardhat_impersonateAccount', params: [doctor] },
        { method: 'hardhat_setBalance', params: [doctor, toHex(10n ** 20n)] },
      ]),
    );
    await send([{ method: 'evm_setAutomine', params: [false] }]);
    await mineTransactions(
      send,
      doctors.map((doctor, index) =>
        tx(
          ADMIN,
          {
            abi: medLedgerAbi,
            functionName: 'registerProvider',
            args: [doctor, 1, keccak256(toHex(`licence ${index}`))],
          },
          200_000,
        ),
      ),
    );
    await mineTransactions(
      send,
      doctors.map((doctor) =>
        tx(
          doctor,
          { abi: medLedgerAbi, functionName: 'setProviderKey', args: [keccak256(toHex(`key ${doctor}`))] },
          100_000,
        ),
      ),
    );
    events += doctors.length * 2;

    for (const target of checkpoints) {
      const filling = performance.now();
      const fresh = Array.from({ length: target - patients.length }, (_, index) =>
        accountOf(`scale patient ${patients.length + index}`),
      );
      const firstIndex = patients.length;
      patients.push(...fresh);
      await send(
        fresh.flatMap((patient) => [
          { method: 'hardhat_impersonateAccount', params: [patient] },
          { method: 'hardhat_setBalance', params: [patient, toHex(10n ** 19n)] },
        ]),
      );
      await mineTransactions(
        send,
        fresh.map((patient) =>
          tx(
            patient,
            {
              abi: medLedgerAbi,
              functionName: 'registerPatient',
              args: [keccak256(toHex(`enc ${patient}`)), cid(`profile ${patient}`)],
            },
            150_000,
          ),
        ),
      );
      const categories = Object.values(RECORD_CATEGORIES);
      await mineTransactions(
        send,
        fresh.map((patient) =>
          tx(
            patient,
            {
              abi: medLedgerAbi,
              functionName: 'addRecords',
              args: [
                patient,
                packRecordHeaders(
                  Array.from({ length: RECORDS_PER_PATIENT }, (_, index) => ({
                    cid: cid(`${patient} record ${index}`),
                    ciphertextHash: keccak256(toHex(`${patient} ciphertext ${index}`)),
                    category: categories[index % categories.length]!,
                    supersedes: 0n,
                  })),
                ),
              ],
            },
            1_000_000,
          ),
        ),
      );
      await mineTransactions(
        send,
        fresh.map((patient, index) =>
          tx(
            patient,
            {
              abi: medLedgerAbi,
              functionName: 'grant',
              args: [doctors[(firstIndex + index) % doctors.length]!, READ_MASK, expiry, cid(`keyring ${patient}`)],
            },
            200_000,
          ),
        ),
      );
      // A doctor's read of five records, logged, for one patient in ten.
      const audited = fresh
        .map((patient, index) => ({ patient, index: firstIndex + index }))
        .filter(({ index }) => index % 10 === 0);
      await mineTransactions(
        send,
        audited.map(({ patient, index }) =>
          tx(
            doctors[index % doctors.length]!,
            { abi: medLedgerAbi, functionName: 'logAccess', args: [patient, [1n, 2n, 3n, 4n, 5n], 1] },
            200_000,
          ),
        ),
      );
      events += fresh.length * 3 + audited.length;
      fillSeconds.push(round((performance.now() - filling) / 1000));

      const head = BigInt((await send([{ method: 'eth_blockNumber', params: [] }]))[0] as string);
      const dataDir = path.join(os.tmpdir(), `medledger-bench-scale-${target}-${process.pid}`);
      await rm(dataDir, { recursive: true, force: true });
      const syncing = performance.now();
      const indexer = await startIndexer({
        port: 42_100 + checkpoints.indexOf(target),
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.deployment.chainId,
        medLedger,
        startBlock: devnet.deployment.startBlock,
        dataDir,
        quiet: true,
        readyTimeoutMs: 1_800_000,
      });
      const syncSeconds = (performance.now() - syncing) / 1000;
      try {
        const contexts = async (viaIndexer: boolean) => {
          const base = await connectChain({
            rpcUrl: viaIndexer ? devnet.rpcUrl : capped.url,
            deployment: devnet.deployment,
            ...(viaIndexer ? { indexerUrl: indexer.url } : {}),
          });
          return (account: Address): ChainContext => ({ ...base, account });
        };
        const sampled = Array.from(
          { length: SAMPLE_PATIENTS },
          (_, index) => patients[Math.floor(((index + 0.5) * patients.length) / SAMPLE_PATIENTS)]!,
        );
        // Patients in ten with a logged read, so every sampled audit trail has one.
        const auditedSample = sampled.map((patient) => patients[Math.floor(patients.indexOf(patient) / 10) * 10]!);
        const sampledDoctors = doctors.slice(0, SAMPLE_PATIENTS);
        const figures: Record<string, unknown> = {
          records: patients.length * RECORDS_PER_PATIENT,
          patients: patients.length,
          blocks: Number(head),
          events,
        };
        for (const viaIndexer of [true, false]) {
          const as = await contexts(viaIndexer);
          const suffix = viaIndexer ? 'Indexer' : 'Rpc';
          const list = await timed(sampled, async (patient) => {
            const headers = await listRecordHeaders(as(patient), patient);
            if (headers.length !== RECORDS_PER_PATIENT) throw new Error(`listed ${headers.length} records`);
          });
          const audit = await timed(auditedSample, async (patient) => {
            const activity = await patientActivity(as(patient), patient);
            if (!activity.some((event) => event.kind === 'accessLogged'))
              throw new Error('the audit trail lacks the logged read');
          });
          const providerPatients = await timed(sampledDoctors, async (doctor) => {
            const context = as(doctor);
            const grants = await patientsOf(context, doctor, await providerActivity(context, doctor));
            if (grants.length !== Math.ceil(patients.length / doctors.length))
              throw new Error(`doctor has ${grants.length} patients`);
          });
          figures[`listRecords${suffix}Ms`] = list.medianMs;
          figures[`audit${suffix}Ms`] = audit.medianMs;
          figures[`providerPatients${suffix}Ms`] = providerPatients.medianMs;
          figures[`samples${suffix}`] = {
            listRecords: list.samplesMs,
            audit: audit.samplesMs,
            providerPatients: providerPatients.samplesMs,
          };
        }
        figures.indexerSyncSeconds = round(syncSeconds);
        figures.indexerSyncEventsPerSec = round(events / syncSeconds, 0);
        curve.push(figures);
        console.error(JSON.stringify(figures));
      } finally {
        await indexer.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await capped.stop();
    devnet.child.kill('SIGTERM');
  }
  const last = curve[curve.length - 1]!;
  const result = {
    patients: patients.length,
    records: patients.length * RECORDS_PER_PATIENT,
    doctors: doctorCount,
    listRecordsIndexerMs: last.listRecordsIndexerMs,
    auditIndexerMs: last.auditIndexerMs,
    providerPatientsIndexerMs: last.providerPatientsIndexerMs,
    listRecordsRpcMs: last.listRecordsRpcMs,
    auditRpcMs: last.auditRpcMs,
    providerPatientsRpcMs: last.providerPatientsRpcMs,
    indexerSyncEventsPerSec: last.indexerSyncEventsPerSec,
    targets: TARGETS,
    met: Object.fromEntries(Object.entries(TARGETS).map(([name, target]) => [name, (last[name] as number) <= target])),
    curve,
    rangeRefusals: capped.refused(),
    fillSeconds,
    parameters: {
      quick,
      recordsPerPatient: RECORDS_PER_PATIENT,
      maxLogBlocks: MAX_LOG_BLOCKS,
      runs: RUNS,
      warmUpRuns: WARM_UP,
      samplePatients: SAMPLE_PATIENTS,
      txsPerBlock: TXS_PER_BLOCK,
      emptyBlocksBetween: EMPTY_BLOCKS_BETWEEN,
      indexer: 'Ponder 0.16 (embedded PGlite), a fresh one per checkpoint',
    },
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      memoryGiB: round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
  };
  return result;
}
