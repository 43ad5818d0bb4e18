#!/usr/bin/env -S npx tsx
/**
 * `medledger` — the command-line shell over lib/records. Environment:
 *   MEDLEDGER_RPC_URL       chain RPC (default http://127.0.0.1:8545)
 *   MEDLEDGER_IPFS_API_URL  Kubo RPC API of an IPFS node (default http://127.0.0.1:5001)
 *   MEDLEDGER_PRIVATE_KEY   the acting wallet (a public devnet key is refused on any other chain)
 *   MEDLEDGER_APP_URL       the web app, whose API serves SMART Health Links (default http://127.0.0.1:3000)
 * Every command takes --json for machine-readable output and exits non-zero with a clear message.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import type { Patient } from '@medplum/fhirtypes';
import { type Address, getAddress, isAddress } from 'viem';

import {
  type ChainContext,
  connectChain,
  describeScopes,
  patientActivity,
  pendingRequests,
  readMedLedger,
  writeMedLedger,
} from '../lib/chain';
import { plausibilityWarnings } from '../lib/ai/plausibility';
import { categoryName } from '../lib/chain/categories';
import { MedLedgerError, NotFoundError, ValidationError, describeError } from '../lib/errors';
import { clinicalDate, clinicalSummary, stringifyJson } from '../lib/fhir';
import { createIpfsClient } from '../lib/ipfs';
import {
  IdentityMismatchError,
  type PipelineProgress,
  type Vault,
  enrollWallet,
  eraseRecords,
  exportBundleRecords,
  grantAccess,
  importBundleRecords,
  listGrants,
  loadKeyring,
  publishProviderKey,
  readRecords,
  registerPatient,
  revokeAccess,
  verifyRecords,
} from '../lib/records';
import { parseExpiry, parseScopes } from './cli/args';
import { auditStoryLines, runAuditExport } from './cli/audit';
import { claimCommands } from './cli/claims';
import { consentCommands } from './cli/consent';
import { describeFailure } from './cli/failure';
import { fhirServerCommands } from './cli/fhir-server';
import { providerCommands } from './cli/providers';
import { shareCommands } from './cli/share';
import { assessRiskFile } from './cli/risk';
import { validateCommands } from './cli/validate';

const USAGE = `usage: medledger <command> [options] [--json]
  patient register [--name TEXT] [--birth-date YYYY-MM-DD] [--gender male|female|other|unknown]
  provider register ADDRESS --kind doctor|lab|insurer --name TEXT [--specialty TEXT]
        [--organization TEXT] [--identifier SYSTEM|VALUE] [--credential TEXT]
                                                    (admin) registers, then publishes the profile
  provider profile ADDRESS --name TEXT [--specialty …] [--organization …] [--identifier …]
                                                    (admin) replaces the provider's public profile
  provider enroll                                   publish this provider's encryption key
  providers                                         the directory: name, kind, specialty,
                                                    organisation, standing, key, address
  import FILE.json [--patient ADDRESS] [--accept-mismatch]
                                                    a Bundle or one resource, as the patient or a
                                                    provider with write scope; refused when it is
                                                    about someone else unless --accept-mismatch
  list [--patient ADDRESS]                          each record's clinical date and summary
  export --out FILE.json [--patient ADDRESS]
  grant PROVIDER --scopes read:observation,rw:condition|read:all --expires 30d|YYYY-MM-DD
  revoke PROVIDER
  request PATIENT --scopes …                        (provider)
  approve PROVIDER --expires 30d                    grants what the provider requested
  deny PROVIDER
  erase RECORD_ID… [--keep-blocks]                  crypto-shred records (every version, their files)
  verify [--patient ADDRESS]                        re-fetch and check every record
  audit [--patient ADDRESS] [--format csv|fhir [--out FILE]]
                                                    who did and read what, when; csv or a FHIR
                                                    Bundle of AuditEvents as the web app exports
  fhir-server [--port 8090] [--host 127.0.0.1] [--purpose treatment]
                                                    a FHIR R4 API (search, $everything, bulk
                                                    $export) of the records this wallet may read,
                                                    decrypted here; provider reads logged on-chain
  consent-link PROVIDER --scopes … --expires 30d [--valid 1d] [--origin URL]
                                                    a signed consent link to hand a provider
                                                    (patient; no transaction, no fee)
  consent-submit URL_OR_FRAGMENT                    submit a patient's consent link (provider)
  share create --categories allergy,medication,…|all --expires 7d [--passcode TEXT] [--label TEXT]
                                                    a SMART Health Link to those records (patient),
                                                    served by the app at MEDLEDGER_APP_URL
  share list                                        your links, their status and who opened them
  share revoke ID                                   end a link; the app deletes its encrypted file
  claim submit PATIENT --insurer ADDRESS --claim CLAIM.json
                                                    (provider) files a FHIR Claim as an encrypted
                                                    billing record, then the claim on-chain
  claims [--as patient|provider|insurer]            the claims this wallet may see (its own, those
                                                    it filed, or its queue), status verified on-chain
  claim adjudicate CLAIM_ID --outcome approved|denied [--response EOB.json]
                                                    (insurer) files its answer (an EOB drawn up from
                                                    the claim unless given), then approves or denies
  claim pay CLAIM_ID --reference TEXT               (insurer) only a hash of the reference goes on-chain
  claim dispute CLAIM_ID --reason TEXT              (patient) the reasons as an encrypted billing record
                                                    claim steps take --record RECORD_ID to finish a step
                                                    whose record was written but transaction failed
  risk BUNDLE.json [--at YYYY-MM-DD]                risk models on a bundle; model approval from the
                                                    chain's ModelRegistry when one answers, else not checked
  validate FILE…                                    FHIR R4 structural validation, offline (no chain):
                                                    each file valid or its issues by FHIR path; --json
                                                    one OperationOutcome per file per line; exit 1 on errors`;

interface Io {
  json: boolean;
  out(human: string, data: unknown): void;
  progress(progress: PipelineProgress): void;
}

function makeIo(json: boolean): Io {
  return {
    json,
    out(human, data) {
      console.log(
        json ? JSON.stringify(data, (_key, value) => (typeof value === 'bigint' ? value.toString() : value), 2) : human,
      );
    },
    progress({ step, done, total }) {
      if (json || !process.stderr.isTTY) return;
      process.stderr.write(
        `\r${step}${total ? ` ${done ?? 0}/${total}` : ''}`.padEnd(40) + (step === 'done' ? '\n' : ''),
      );
    },
  };
}

function address(value: string | undefined, what: string): Address {
  if (!value || !isAddress(value))
    throw new ValidationError([{ path: what, message: `"${value ?? ''}" is not an address` }]);
  return getAddress(value);
}

async function chainFromEnv(): Promise<ChainContext> {
  const privateKey = process.env.MEDLEDGER_PRIVATE_KEY as `0x${string}` | undefined;
  if (!privateKey || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new ValidationError([
      { path: 'MEDLEDGER_PRIVATE_KEY', message: 'set it to the acting wallet key (0x + 64 hex)' },
    ]);
  }
  return connectChain({
    rpcUrl: process.env.MEDLEDGER_RPC_URL,
    privateKey,
    logBlockRange: logBlockRangeFromEnv(),
    indexerUrl: process.env.MEDLEDGER_INDEXER_URL,
  });
}

/** `MEDLEDGER_LOG_RANGE`: blocks per log query, for an RPC that caps `eth_getLogs` below 10,000. */
function logBlockRangeFromEnv(): number | undefined {
  const value = process.env.MEDLEDGER_LOG_RANGE;
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d*$/.test(value)) {
    throw new ValidationError([{ path: 'MEDLEDGER_LOG_RANGE', message: `"${value}" is not a whole number of blocks` }]);
  }
  return Number(value);
}

async function vaultFromEnv(role: 'patient' | 'provider'): Promise<Vault> {
  const chain = await chainFromEnv();
  const { key } = await enrollWallet(chain, { role });
  return {
    chain,
    ipfs: createIpfsClient(process.env.MEDLEDGER_IPFS_API_URL ?? 'http://127.0.0.1:5001'),
    identity: key,
  };
}

/** The acting wallet acts as the patient when it is one and no other patient is named. */
async function roleFor(chain: ChainContext, patient: Address): Promise<'patient' | 'provider'> {
  return chain.account?.toLowerCase() === patient.toLowerCase() ? 'patient' : 'provider';
}

/** Fails with a sentence when `patient` is not a registered patient (rather than listing nothing). */
async function assertPatient(chain: ChainContext, patient: Address): Promise<void> {
  if (await readMedLedger(chain, 'isPatient', [patient])) return;
  throw new NotFoundError(
    patient === chain.account
      ? `${patient} (this wallet) is not a registered patient; register with \`medledger patient register\` first, or name a patient with --patient.`
      : `${patient} is not a registered MedLedger patient.`,
  );
}

async function patientVault(option: string | undefined): Promise<{ vault: Vault; patient: Address }> {
  const chain = await chainFromEnv();
  const patient = option ? address(option, '--patient') : chain.account!;
  await assertPatient(chain, patient);
  const { key } = await enrollWallet(chain, { role: await roleFor(chain, patient) });
  return {
    vault: {
      chain,
      ipfs: createIpfsClient(process.env.MEDLEDGER_IPFS_API_URL ?? 'http://127.0.0.1:5001'),
      identity: key,
    },
    patient,
  };
}

/** Reads an input file, failing with a sentence that names it (not a bare `ENOENT`). */
async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : describeError(error);
    throw new ValidationError([{ path: file, message: reason }], 'Cannot read the bundle');
  }
}

type Handler = (positionals: string[], values: Record<string, string | boolean | undefined>, io: Io) => Promise<void>;

/** How many plausibility warnings an import prints before saying how many more there are. */
const SHOWN_WARNINGS = 10;

/** The plausibility warnings of an imported file (none when it is not JSON: the import said why). */
function importWarnings(text: string): ReturnType<typeof plausibilityWarnings> {
  try {
    return plausibilityWarnings(JSON.parse(text));
  } catch {
    return [];
  }
}

/** Warnings as lines under the import's summary: the first few, then how many more. */
function warningLines(warnings: ReturnType<typeof plausibilityWarnings>): string {
  if (warnings.length === 0) return '';
  const lines = warnings
    .slice(0, SHOWN_WARNINGS)
    .map(
      (warning) =>
        `\n  ${warning.impossible ? 'impossible' : 'please double-check'}: ${warning.path}: ${warning.message}`,
    );
  const more = warnings.length - SHOWN_WARNINGS;
  return (
    `\n${warnings.length} value${warnings.length === 1 ? '' : 's'} to check (imported as they are):` +
    lines.join('') +
    (more > 0 ? `\n  and ${more} more (--json lists all of them).` : '')
  );
}

const COMMANDS: Record<string, Handler> = {
  async 'patient register'(_args, values, io) {
    const vault = await vaultFromEnv('patient');
    const profile: Patient = {
      resourceType: 'Patient',
      ...(values.name ? { name: [{ text: String(values.name) }] } : {}),
      ...(values['birth-date'] ? { birthDate: String(values['birth-date']) } : {}),
      ...(values.gender ? { gender: String(values.gender) as Patient['gender'] } : {}),
    };
    const cid = await registerPatient(vault, profile);
    io.out(`Registered ${vault.chain.account} as a patient; encrypted profile ${cid}.`, {
      patient: vault.chain.account,
      profileCid: cid,
    });
  },

  async 'provider enroll'(_args, _values, io) {
    const vault = await vaultFromEnv('provider');
    await publishProviderKey(vault);
    io.out(`Published the encryption key of ${vault.chain.account}.`, { provider: vault.chain.account });
  },

  async import([file], values, io) {
    if (!file)
      throw new ValidationError([{ path: 'FILE.json', message: 'name the FHIR file (a Bundle or one resource)' }]);
    const text = await readInput(file);
    const { vault, patient } = await patientVault(values.patient as string | undefined);
    const keyring =
      patient === vault.chain.account ? undefined : await loadKeyring(vault, patient).catch(() => undefined);
    let report;
    try {
      report = await importBundleRecords(vault, patient, text, {
        onProgress: io.progress,
        keyring,
        acceptMismatch: values['accept-mismatch'] === true,
      });
    } catch (error) {
      if (!(error instanceof IdentityMismatchError)) throw error;
      throw new MedLedgerError(
        `${error.check.message}, so nothing was imported; if they really belong to this patient, import again with --accept-mismatch.`,
        { cause: error },
      );
    }
    const { added, corrected, skipped, identity, profileCid } = report;
    const warnings = importWarnings(text);
    const notes = {
      adopt: `\n${identity.message}.`,
      mismatch: `\nImported as confirmed with --accept-mismatch: ${identity.message}.`,
      unchecked: `\nImported as confirmed with --accept-mismatch: ${identity.message}.`,
      match: '',
      none: '',
    };
    io.out(
      `Imported into the record of ${patient}: ${added.length} added, ${corrected.length} corrected, ` +
        `${skipped} already there and skipped.${notes[identity.status]}${warningLines(warnings)}`,
      {
        patient,
        added: added.length,
        corrected: corrected.length,
        skipped,
        identity: { status: identity.status, message: identity.message },
        warnings,
        ...(profileCid ? { profileCid } : {}),
        records: [...added, ...corrected],
      },
    );
  },

  async list(_args, values, io) {
    const { vault, patient } = await patientVault(values.patient as string | undefined);
    const results = await readRecords(vault, patient, { onProgress: io.progress });
    const rows = results.map((result) => ({
      recordId: result.header.recordId,
      category: categoryName(result.header.category) ?? result.header.category,
      createdAt: new Date(result.header.createdAt * 1000).toISOString(),
      author: result.header.author,
      cid: result.cid,
      superseded: result.superseded,
      ...(result.ok
        ? {
            resourceType: result.payload.resource.resourceType,
            id: result.payload.resource.id,
            clinicalDate: clinicalDate(result.payload.resource) ?? null,
            summary: clinicalSummary(result.payload.resource),
          }
        : { error: result.error.message }),
    }));
    io.out(
      rows
        .map((row) => {
          const what = 'error' in row ? `UNREADABLE: ${row.error}` : `${row.resourceType}: ${row.summary}`;
          const date = ('clinicalDate' in row && row.clinicalDate?.slice(0, 10)) || '—'.padEnd(10);
          return `#${row.recordId} ${date} ${row.category} ${what}${row.superseded ? ' (superseded)' : ''}`;
        })
        .join('\n') || 'No records.',
      rows,
    );
  },

  async export(_args, values, io) {
    if (!values.out) throw new ValidationError([{ path: '--out', message: 'name the output file' }]);
    const { vault, patient } = await patientVault(values.patient as string | undefined);
    const { bundle, unreadable } = await exportBundleRecords(vault, patient, { onProgress: io.progress });
    await writeFile(String(values.out), `${stringifyJson(bundle, 2)}\n`);
    io.out(
      `Wrote ${bundle.entry?.length ?? 0} resources to ${values.out}${unreadable ? ` (${unreadable} unreadable)` : ''}.`,
      {
        out: values.out,
        resources: bundle.entry?.length ?? 0,
        unreadable,
      },
    );
  },

  async grant([target], values, io) {
    const vault = await vaultFromEnv('patient');
    const provider = address(target, 'PROVIDER');
    const scopes = parseScopes(String(values.scopes ?? ''));
    const expiry = parseExpiry(String(values.expires ?? '30d'));
    await grantAccess(vault, { provider, scopes, expiry });
    io.out(`Granted ${provider}: ${describeScopes(scopes)}, until ${new Date(expiry * 1000).toISOString()}.`, {
      provider,
      scopes,
      expiry,
    });
  },

  async revoke([target], _values, io) {
    const vault = await vaultFromEnv('patient');
    const provider = address(target, 'PROVIDER');
    await revokeAccess(vault, provider);
    io.out(
      `Revoked ${provider}. It gets no key to anything you write from now on; what it already read cannot be recalled.`,
      { provider, revoked: true },
    );
  },

  async request([target], values, io) {
    const chain = await chainFromEnv();
    const patient = address(target, 'PATIENT');
    const scopes = parseScopes(String(values.scopes ?? ''));
    await writeMedLedger(chain, 'requestAccess', [patient, scopes]);
    io.out(`Asked ${patient} for: ${describeScopes(scopes)}.`, { patient, scopes });
  },

  async approve([target], values, io) {
    const vault = await vaultFromEnv('patient');
    const provider = address(target, 'PROVIDER');
    const pending = pendingRequests(await patientActivity(vault.chain, vault.chain.account!)).find(
      (request) => request.provider === provider,
    );
    if (!pending) throw new ValidationError([{ path: 'PROVIDER', message: `${provider} has no pending request` }]);
    const expiry = parseExpiry(String(values.expires ?? '30d'));
    await grantAccess(vault, { provider, scopes: pending.scopes, expiry });
    io.out(`Approved ${provider}: ${describeScopes(pending.scopes)}.`, { provider, scopes: pending.scopes, expiry });
  },

  async deny([target], _values, io) {
    const chain = await chainFromEnv();
    const provider = address(target, 'PROVIDER');
    await writeMedLedger(chain, 'denyRequest', [provider]);
    io.out(`Denied the request of ${provider}.`, { provider, denied: true });
  },

  async erase(args, values, io) {
    if (args.length === 0) {
      throw new ValidationError([{ path: 'RECORD_ID', message: 'name the records to erase (their ids, see `list`)' }]);
    }
    const recordIds = args.map((arg) => {
      if (!/^[1-9]\d{0,18}$/.test(arg)) {
        throw new ValidationError([{ path: 'RECORD_ID', message: `"${arg}" is not a record id` }]);
      }
      return BigInt(arg);
    });
    const vault = await vaultFromEnv('patient');
    const report = await eraseRecords(vault, recordIds, { collectGarbage: !values['keep-blocks'] });
    const blocks =
      report.blocksCollected === undefined
        ? 'the node deletes their blocks at its next garbage collection'
        : `the node deleted ${report.blocksCollected} unpinned block(s)`;
    const refused =
      report.refused.length === 0
        ? ''
        : `\nLeft ${report.refused.length} blob(s) pinned that these records name but do not own ` +
          '(written into them by someone else, or still used by a record you keep):\n' +
          report.refused.map(({ cid, reason }) => `  ${cid}: ${reason}`).join('\n');
    io.out(
      `Erased ${report.recordIds.map((id) => `#${id}`).join(', ')}: ${report.unpinned.length} blob(s) unpinned` +
        `${report.notPinned.length > 0 ? `, ${report.notPinned.length} already gone` : ''}; ${blocks}.\n` +
        "The chain keeps each record's CID and ciphertext hash (no health data); what a provider already " +
        `downloaded cannot be recalled.${refused}`,
      report,
    );
  },

  async verify(_args, values, io) {
    const { vault, patient } = await patientVault(values.patient as string | undefined);
    const report = await verifyRecords(vault, patient, { onProgress: io.progress });
    const failed = report.filter((line) => line.status === 'failed');
    io.out(
      report.map((line) => `#${line.recordId} ${line.status}${line.reason ? `: ${line.reason}` : ''}`).join('\n') +
        `\n${report.length - failed.length}/${report.length} records verified.`,
      report,
    );
    if (failed.length > 0) process.exitCode = 1;
  },

  async risk([file, ...extra], values, io) {
    if (!file) throw new ValidationError([{ path: 'BUNDLE.json', message: 'name the bundle file' }]);
    if (extra.length > 0) throw new ValidationError([{ path: extra[0]!, message: 'risk takes one bundle file' }]);
    const { human, data } = await assessRiskFile(file, await readInput(file), { at: values.at as string | undefined });
    io.out(human, data);
  },

  async audit(_args, values, io) {
    const chain = await chainFromEnv();
    const patient = values.patient ? address(String(values.patient), '--patient') : chain.account!;
    await assertPatient(chain, patient);
    if (values.format !== undefined) {
      const written = await runAuditExport(chain, patient, {
        format: String(values.format),
        out: values.out as string | undefined,
      });
      if (written) io.out(written.human, written.data);
      return;
    }
    const activity = await patientActivity(chain, patient);
    const grants = await listGrants({ chain } as Vault, patient);
    const lines = activity.map((event) => {
      const when = new Date(event.timestamp * 1000).toISOString();
      const who = 'provider' in event ? event.provider : 'author' in event ? event.author : patient;
      return { when, who, ...event };
    });
    const { human, story } = auditStoryLines(patient, activity, chain.account);
    io.out(
      `${human || 'Nothing has happened yet.'}\n${grants.filter((grant) => grant.active).length} provider(s) hold access now.`,
      { patient, story, activity: lines, grants },
    );
  },

  ...consentCommands({ vault: vaultFromEnv, address }),
  ...shareCommands({ vault: vaultFromEnv, chain: chainFromEnv }),
  ...claimCommands({ vault: vaultFromEnv, chain: chainFromEnv, address, readInput }),
  ...fhirServerCommands({
    chain: chainFromEnv,
    ipfs: () => createIpfsClient(process.env.MEDLEDGER_IPFS_API_URL ?? 'http://127.0.0.1:5001'),
  }),
  ...validateCommands(),
  ...providerCommands({
    chain: chainFromEnv,
    readChain: () =>
      connectChain({
        rpcUrl: process.env.MEDLEDGER_RPC_URL,
        logBlockRange: logBlockRangeFromEnv(),
        indexerUrl: process.env.MEDLEDGER_INDEXER_URL,
      }),
    ipfs: () => createIpfsClient(process.env.MEDLEDGER_IPFS_API_URL ?? 'http://127.0.0.1:5001'),
    address,
  }),
};

const OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
  patient: { type: 'string' },
  out: { type: 'string' },
  scopes: { type: 'string' },
  expires: { type: 'string' },
  kind: { type: 'string' },
  credential: { type: 'string' },
  name: { type: 'string' },
  specialty: { type: 'string' },
  organization: { type: 'string' },
  identifier: { type: 'string' },
  'birth-date': { type: 'string' },
  gender: { type: 'string' },
  'keep-blocks': { type: 'boolean', default: false },
  format: { type: 'string' },
  valid: { type: 'string' },
  origin: { type: 'string' },
  'accept-mismatch': { type: 'boolean', default: false },
  at: { type: 'string' },
  categories: { type: 'string' },
  passcode: { type: 'string' },
  label: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  purpose: { type: 'string' },
  insurer: { type: 'string' },
  claim: { type: 'string' },
  record: { type: 'string' },
  as: { type: 'string' },
  outcome: { type: 'string' },
  response: { type: 'string' },
  reference: { type: 'string' },
  reason: { type: 'string' },
} as const;

/** Reports a mistake in the command line itself (exit code 2, like the usage text). */
function usageError(message: string, json: boolean): number {
  if (json) console.log(JSON.stringify({ error: message }));
  console.error(`medledger: ${message}

${USAGE}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // Unknown options and missing option values: node:util's message names the option.
    return usageError(error instanceof Error ? error.message : String(error), argv.includes('--json'));
  }
  const { values, positionals } = parsed;
  const io = makeIo(Boolean(values.json));
  const twoWords = `${positionals[0]} ${positionals[1]}`;
  const [name, rest] = COMMANDS[twoWords]
    ? [twoWords, positionals.slice(2)]
    : [positionals[0] ?? '', positionals.slice(1)];
  const handler = COMMANDS[name];
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!handler) return usageError(name ? `unknown command "${positionals.join(' ')}"` : 'name a command', io.json);
  try {
    await handler(rest, values, io);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const failure = describeFailure(error);
    if (io.json) console.log(JSON.stringify(failure.json));
    console.error(`medledger ${name}: ${failure.message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
