import { type Address, type Hex, zeroAddress } from 'viem';

import { IntegrityError } from '../errors';
import { READ_MASK } from './categories';
import { fromNodeIfIndexerLies, verifiedChainEvents } from './chains';

import type { ChainContext } from './client';
import { modelRegistryAbi } from './deployments';
import { contractEvents, eventsInChainOrder } from './events';
import { readMedLedger, readModelRegistry } from './medledger';
import {
  type RecordBatch,
  checkRecordTiling,
  recordBatchesOf,
  storedRecords,
  unpackRecordHeaders,
  verifyRecordBatches,
} from './records';

/** One state change or access concerning a patient, in chain order. */
export type ActivityEvent = {
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  /** Block time in Unix seconds. */
  readonly timestamp: number;
} & (
  | { kind: 'registered' }
  | { kind: 'recordAdded'; recordId: bigint; author: Address; category: number; supersedes: bigint }
  | { kind: 'accessGranted'; provider: Address; scopes: bigint; expiry: number; keyring: Hex }
  | { kind: 'accessRevoked'; provider: Address; keyEpoch: number }
  | { kind: 'accessRequested'; provider: Address; scopes: bigint }
  | { kind: 'requestDenied'; provider: Address }
  | { kind: 'keyringShared'; provider: Address; keyEpoch: number; keyring: Hex }
  | { kind: 'accessLogged'; provider: Address; recordIds: readonly bigint[]; purpose: number }
);

/** An event's own fields, without where and when it happened (distributes over the union). */
type ActivityBody = ActivityEvent extends infer E
  ? E extends ActivityEvent
    ? Omit<E, 'blockNumber' | 'logIndex' | 'transactionHash' | 'timestamp'>
    : never
  : never;

/**
 * The audit trail of `patient`: every MedLedger event about them, oldest first, with block times.
 * Built from the chain alone, so it is the same for the patient, their providers and any auditor.
 */
export function patientActivity(context: ChainContext, patient: Address): Promise<ActivityEvent[]> {
  return fromNodeIfIndexerLies(context, (source) => patientActivityAt(source, patient));
}

async function patientActivityAt(context: ChainContext, patient: Address): Promise<ActivityEvent[]> {
  // Everything as of one block. The consent and audit events are proven by the patient's event chain;
  // the record batches by their count (public) and, for whoever may list them, by their digests; the
  // registration by the registration time the contract holds.
  const blockNumber = await context.publicClient.getBlockNumber({ cacheTime: 0 });
  const [chained, others, info] = await Promise.all([
    verifiedChainEvents(context, 'patient', patient, blockNumber),
    eventsInChainOrder(context, ['PatientRegistered', 'RecordsAdded'], { patient }, blockNumber),
    readMedLedger(context, 'patientInfo', [patient], { blockNumber }),
  ]);
  await checkRecordBatches(
    context,
    patient,
    recordBatchesOf(others as unknown as Parameters<typeof recordBatchesOf>[0]),
    info.recordCount,
    blockNumber,
  );
  const logs = [...chained, ...others].sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
  const bodies = logs.flatMap((log) => toBodies(log).map((body) => ({ log, body })));
  const times = await blockTimes(
    context,
    bodies.map(({ log }) => log.blockNumber),
  );
  const registrations = others.filter((log) => log.eventName === 'PatientRegistered');
  const registeredAt = registrations.map((log) => times.get(log.blockNumber));
  if (
    registrations.length !== (info.registeredAt === 0 ? 0 : 1) ||
    registeredAt.some((time) => time !== info.registeredAt)
  ) {
    throw new IntegrityError(`The registration of ${patient} in the events differs from what the contract holds.`);
  }
  return bodies.map(({ log, body }) => ({
    ...body,
    blockNumber: log.blockNumber,
    logIndex: log.logIndex,
    transactionHash: log.transactionHash,
    timestamp: times.get(log.blockNumber) ?? 0,
  })) as ActivityEvent[];
}

/**
 * Proves `batches` are `patient`'s records: against storage when the context may list them, else by
 * their tiling of the public record count.
 */
async function checkRecordBatches(
  context: ChainContext,
  patient: Address,
  batches: readonly RecordBatch[],
  recordCount: bigint,
  blockNumber: bigint,
): Promise<void> {
  const mayList =
    context.account?.toLowerCase() === patient.toLowerCase() ||
    (context.account !== undefined &&
      (await readMedLedger(context, 'grantOf', [patient, context.account], { blockNumber })).scopes & READ_MASK) !== 0n;
  if (recordCount === 0n || !mayList) return checkRecordTiling(batches, recordCount);
  try {
    verifyRecordBatches(batches, recordCount, await storedRecords(context, patient, recordCount, blockNumber));
  } catch (error) {
    // A grant that expired or a suspended provider: the list view refuses, the tiling still holds.
    if (error instanceof IntegrityError) throw error;
    checkRecordTiling(batches, recordCount);
  }
}

/** The activity an event stands for: one entry per record for a batch of records, none for others. */
function toBodies(log: { eventName: string; args: unknown }): ActivityBody[] {
  if (log.eventName !== 'RecordsAdded') {
    const body = toBody(log);
    return body ? [body] : [];
  }
  const args = log.args as { firstId: bigint; author: Address; headers: Hex };
  return unpackRecordHeaders(args.headers).map((input, index) => ({
    kind: 'recordAdded',
    recordId: args.firstId + BigInt(index),
    author: args.author,
    category: input.category,
    supersedes: input.supersedes,
  }));
}

// Not every event has a `patient` argument; viem's union of all events is narrowed by name here.
function toBody(log: { eventName: string; args: unknown }): ActivityBody | undefined {
  const args = log.args as Record<string, unknown>;
  switch (log.eventName) {
    case 'PatientRegistered':
      return { kind: 'registered' };
    case 'AccessGranted':
      return {
        kind: 'accessGranted',
        provider: args.provider as Address,
        scopes: args.scopes as bigint,
        expiry: Number(args.expiry),
        keyring: args.keyring as Hex,
      };
    case 'AccessRevoked':
      return { kind: 'accessRevoked', provider: args.provider as Address, keyEpoch: Number(args.keyEpoch) };
    case 'AccessRequested':
      return { kind: 'accessRequested', provider: args.provider as Address, scopes: args.scopes as bigint };
    case 'AccessRequestDenied':
      return { kind: 'requestDenied', provider: args.provider as Address };
    case 'KeyringShared':
      return {
        kind: 'keyringShared',
        provider: args.provider as Address,
        keyEpoch: Number(args.keyEpoch),
        keyring: args.keyring as Hex,
      };
    case 'AccessLogged':
      return {
        kind: 'accessLogged',
        provider: args.provider as Address,
        recordIds: args.recordIds as bigint[],
        purpose: Number(args.purpose),
      };
    default:
      return undefined;
  }
}

/**
 * Block times (Unix seconds) of `blockNumbers`, one request per distinct block.
 *
 * @param blockNumbers - the blocks of some events, repeats allowed
 */
export async function blockTimes(context: ChainContext, blockNumbers: readonly bigint[]): Promise<Map<bigint, number>> {
  const unique = [...new Set(blockNumbers)];
  const blocks = await Promise.all(unique.map((blockNumber) => context.publicClient.getBlock({ blockNumber })));
  return new Map(blocks.map((block) => [block.number, Number(block.timestamp)]));
}

/** A provider's current standing with a patient, folded from the activity. */
export interface ProviderAccess {
  readonly provider: Address;
  readonly scopes: bigint;
  readonly expiry: number;
  /** Live right now: granted, not revoked, not expired, provider active. */
  readonly active: boolean;
  /** Latest keyring CID handed to the provider (grant or keyring share). */
  readonly keyring?: Hex;
}

/** Every provider `patient` ever granted, with the grant as it stands now. */
export async function grantsOf(
  context: ChainContext,
  patient: Address,
  activity: readonly ActivityEvent[],
): Promise<ProviderAccess[]> {
  const keyrings = new Map<Address, Hex | undefined>();
  for (const event of activity) {
    if (event.kind === 'accessGranted' || event.kind === 'keyringShared') {
      keyrings.set(event.provider, event.keyring.length > 2 ? event.keyring : keyrings.get(event.provider));
    }
  }
  return Promise.all(
    [...keyrings].map(async ([provider, keyring]) => ({
      provider,
      ...(await grantStanding(context, patient, provider)),
      keyring,
    })),
  );
}

/**
 * `patient`'s grant to `provider` as it stands now: scopes 0 when there is none (never granted, or
 * revoked), `active` when the provider may use it right now (unexpired, provider not suspended).
 */
export async function grantStanding(
  context: ChainContext,
  patient: Address,
  provider: Address,
): Promise<{ scopes: bigint; expiry: number; active: boolean }> {
  const grant = await readMedLedger(context, 'grantOf', [patient, provider]);
  const active = grant.scopes !== 0n && (await readMedLedger(context, 'hasAccess', [patient, provider, grant.scopes]));
  return { scopes: grant.scopes, expiry: Number(grant.expiry), active };
}

/** Requests still waiting for an answer: no grant or denial from the patient since they were made. */
export function pendingRequests(
  activity: readonly ActivityEvent[],
): { provider: Address; scopes: bigint; timestamp: number }[] {
  const pending = new Map<Address, { provider: Address; scopes: bigint; timestamp: number }>();
  for (const event of activity) {
    if (event.kind === 'accessRequested') {
      pending.set(event.provider, { provider: event.provider, scopes: event.scopes, timestamp: event.timestamp });
    } else if (event.kind === 'accessGranted' || event.kind === 'requestDenied') {
      pending.delete(event.provider);
    }
  }
  return [...pending.values()];
}

/** A consent event between one provider and one patient, as the provider's dashboard sees it. */
export type ConsentEvent = ActivityEvent & { readonly patient: Address };

const KEY_EVENT_NAMES = ['AccessGranted', 'KeyringShared', 'AccessRevoked'] as const;

/**
 * Every grant, revocation, request and denial concerning `provider`, oldest first, across all
 * patients. One query per event with `provider` as a topic filter, so the node does the filtering.
 */
export async function providerActivity(context: ChainContext, provider: Address): Promise<ConsentEvent[]> {
  const logs = await verifiedChainEvents(context, 'provider', provider);
  const times = await blockTimes(
    context,
    logs.map((log) => log.blockNumber),
  );
  return logs.flatMap((log) => {
    const body = toBody(log);
    if (!body) return [];
    const event = {
      ...body,
      patient: (log.args as { patient: Address }).patient,
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
      transactionHash: log.transactionHash,
      timestamp: times.get(log.blockNumber) ?? 0,
    };
    return [event as ConsentEvent];
  });
}

/**
 * The key epoch of the newest keys each provider was handed by `patient` (in a grant or a keyring
 * share), folded from the patient's grant, share and revocation events alone: no block times, so it
 * stays cheap enough to check before every write.
 */
export async function keyEpochsHeld(context: ChainContext, patient: Address): Promise<Map<Address, number>> {
  const logs = (await verifiedChainEvents(context, 'patient', patient)).filter((log) =>
    (KEY_EVENT_NAMES as readonly string[]).includes(log.eventName),
  );
  const held = new Map<Address, number>();
  // Epochs start at 0 and only a revocation moves them on.
  let epoch = 0;
  for (const log of logs) {
    const body = toBody(log);
    if (body?.kind === 'accessRevoked') epoch = body.keyEpoch;
    // An empty keyring (a grant with no read scope) hands over no keys.
    if ((body?.kind === 'accessGranted' || body?.kind === 'keyringShared') && body.keyring.length > 2) {
      held.set(body.provider, body.kind === 'keyringShared' ? body.keyEpoch : epoch);
    }
  }
  return held;
}

/**
 * Why a provider can or cannot use a patient's grant right now: `suspended` means the provider itself
 * is suspended by an administrator, which pauses every grant it holds.
 */
export type GrantStatus = 'active' | 'expired' | 'revoked' | 'suspended';

/** A patient who granted the provider access, with that grant as it stands now. */
export interface PatientGrant {
  readonly patient: Address;
  /** The live scopes, or for a revoked grant the scopes it last had. */
  readonly scopes: bigint;
  /** Unix seconds; for a revoked grant, the expiry it last had. */
  readonly expiry: number;
  /** Block time of the latest grant. */
  readonly grantedAt: number;
  readonly status: GrantStatus;
}

/**
 * Every patient who ever granted `provider` access, with each grant's status checked against the
 * contract (`grantOf`, `hasAccess`) at the latest block, so expiry uses chain time, not the clock
 * of this machine.
 */
export async function patientsOf(
  context: ChainContext,
  provider: Address,
  activity: readonly ConsentEvent[],
): Promise<PatientGrant[]> {
  const latestGrant = new Map<Address, Extract<ConsentEvent, { kind: 'accessGranted' }>>();
  for (const event of activity) {
    if (event.kind === 'accessGranted') latestGrant.set(event.patient, event);
  }
  if (latestGrant.size === 0) return [];
  const now = Number((await context.publicClient.getBlock()).timestamp);
  return Promise.all(
    [...latestGrant.values()].map(async (granted): Promise<PatientGrant> => {
      const { patient } = granted;
      const grant = await readMedLedger(context, 'grantOf', [patient, provider]);
      if (grant.scopes === 0n) {
        return {
          patient,
          scopes: granted.scopes,
          expiry: granted.expiry,
          grantedAt: granted.timestamp,
          status: 'revoked',
        };
      }
      const active = await readMedLedger(context, 'hasAccess', [patient, provider, grant.scopes]);
      const expiry = Number(grant.expiry);
      const status: GrantStatus = active ? 'active' : expiry <= now ? 'expired' : 'suspended';
      return { patient, scopes: grant.scopes, expiry, grantedAt: Number(grant.grantedAt), status };
    }),
  );
}

/** The latest access request a provider sent to one patient, and what became of it. */
export interface SentRequest {
  readonly patient: Address;
  readonly scopes: bigint;
  /** Block time of the request. */
  readonly timestamp: number;
  /** `granted` when the patient granted access (any scopes) after the request. */
  readonly outcome: 'pending' | 'granted' | 'denied';
}

/** The latest request per patient, from a provider's activity; the patient answers with a grant or a denial. */
export function requestsSent(activity: readonly ConsentEvent[]): SentRequest[] {
  const latest = new Map<Address, SentRequest>();
  for (const event of activity) {
    const request = latest.get(event.patient);
    if (event.kind === 'accessRequested') {
      latest.set(event.patient, {
        patient: event.patient,
        scopes: event.scopes,
        timestamp: event.timestamp,
        outcome: 'pending',
      });
    } else if (request?.outcome === 'pending' && (event.kind === 'accessGranted' || event.kind === 'requestDenied')) {
      latest.set(event.patient, { ...request, outcome: event.kind === 'accessGranted' ? 'granted' : 'denied' });
    }
  }
  return [...latest.values()];
}

/** A registered provider as the registry holds it now. */
export interface ProviderSummary {
  readonly provider: Address;
  /** 1 doctor, 2 lab, 3 insurer (`IProviderRegistry.ProviderKind`). */
  readonly kind: number;
  /** Hash of the credential the administrator checked; the credential itself never goes on-chain. */
  readonly credentialHash: Hex;
  readonly suspended: boolean;
  /** Whether the provider has published its encryption key, without which nobody can share keys with it. */
  readonly hasKey: boolean;
  /** Unix seconds. */
  readonly registeredAt: number;
  /** The administrator who registered it. */
  readonly registeredBy: Address;
  /** SHA-256 of its public directory profile, zero when none was published (`lib/records/directory.ts`). */
  readonly profileHash: Hex;
}

/** Every provider ever registered, oldest first, with its current standing read from storage. */
export async function listProviders(context: ChainContext): Promise<ProviderSummary[]> {
  const logs = (await verifiedChainEvents(context, 'directory', zeroAddress)).filter(
    (log) => log.eventName === 'ProviderRegistered',
  ) as unknown as { args: { provider: Address; by: Address } }[];
  return Promise.all(
    logs.map(async ({ args }): Promise<ProviderSummary> => {
      const info = await readMedLedger(context, 'providerInfo', [args.provider]);
      return {
        provider: args.provider,
        kind: info.kind,
        credentialHash: info.credentialHash,
        suspended: info.suspended,
        hasKey: !/^0x0*$/.test(info.encryptionKey),
        registeredAt: Number(info.registeredAt),
        registeredBy: args.by,
        profileHash: info.profileHash,
      };
    }),
  );
}

/** An AI model in the registry. */
export interface ModelSummary {
  /** SHA-256 of the ONNX file, the model's identity. */
  readonly sha256Hash: Hex;
  readonly name: string;
  readonly version: number;
  /** CID bytes of the model card on IPFS. */
  readonly cardCid: Hex;
  /** Unix seconds. */
  readonly approvedAt: number;
  readonly deprecated: boolean;
}

/** Every model ever approved, oldest first, with whether it has since been deprecated. */
export async function listModels(context: ChainContext): Promise<ModelSummary[]> {
  const logs = await context.publicClient.getContractEvents({
    address: context.deployment.modelRegistry,
    abi: modelRegistryAbi,
    eventName: 'ModelApproved',
    fromBlock: BigInt(context.deployment.startBlock),
    strict: true,
  });
  return Promise.all(
    logs.map(async ({ args }): Promise<ModelSummary> => {
      const model = await readModelRegistry(context, 'modelOf', [args.sha256Hash]);
      return {
        sha256Hash: args.sha256Hash,
        name: model.name,
        version: model.version,
        cardCid: model.cardCid,
        approvedAt: Number(model.approvedAt),
        deprecated: model.deprecated,
      };
    }),
  );
}

/** One on-chain `AccessLogged` entry: a provider opened these records of this patient. */
export interface AccessLogEntry {
  readonly patient: Address;
  readonly provider: Address;
  readonly recordIds: readonly bigint[];
  /** The purpose-of-use value it was logged with (`lib/chain/purpose.ts`). */
  readonly purpose: number;
  /** Block timestamp, seconds. */
  readonly timestamp: number;
  readonly transactionHash: Hex;
}

/**
 * Every logged record access on the deployment, oldest first — of every provider (what an
 * administrator reviews for unusual access), or only of `providers` and/or of `patients` (what a
 * patient's screen needs to judge the providers that read them on the same data as the admin). The log is public
 * on-chain, so this reveals nothing new.
 */
export async function accessLog(
  context: ChainContext,
  filter: { providers?: readonly Address[]; patients?: readonly Address[] } = {},
): Promise<AccessLogEntry[]> {
  if (filter.providers?.length === 0 || filter.patients?.length === 0) return [];
  const logs = await contractEvents(context, {
    eventName: 'AccessLogged',
    args: {
      ...(filter.providers ? { provider: [...filter.providers] } : {}),
      ...(filter.patients ? { patient: [...filter.patients] } : {}),
    },
  });
  const times = await blockTimes(
    context,
    logs.map((log) => log.blockNumber),
  );
  return logs.map((log) => ({
    patient: log.args.patient,
    provider: log.args.provider,
    recordIds: log.args.recordIds,
    purpose: log.args.purpose,
    timestamp: times.get(log.blockNumber) ?? 0,
    transactionHash: log.transactionHash,
  }));
}
