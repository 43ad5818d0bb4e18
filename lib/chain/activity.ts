import type { Address, Hex } from 'viem';

import type { ChainContext } from './client';
import { medLedgerAbi } from './deployments';
import { readMedLedger } from './medledger';

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
  | { kind: 'accessLogged'; provider: Address; recordIds: readonly bigint[] }
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
export async function patientActivity(context: ChainContext, patient: Address): Promise<ActivityEvent[]> {
  const logs = await context.publicClient.getContractEvents({
    address: context.deployment.medLedger,
    abi: medLedgerAbi,
    args: { patient },
    fromBlock: BigInt(context.deployment.startBlock),
    strict: true,
  });
  const bodies: { log: (typeof logs)[number]; body: ActivityBody }[] = [];
  for (const log of logs) {
    const body = toBody(log);
    if (body) bodies.push({ log, body });
  }
  const times = await blockTimes(
    context,
    bodies.map(({ log }) => log.blockNumber),
  );
  return bodies.map(({ log, body }) => ({
    ...body,
    blockNumber: log.blockNumber,
    logIndex: log.logIndex,
    transactionHash: log.transactionHash,
    timestamp: times.get(log.blockNumber) ?? 0,
  })) as ActivityEvent[];
}

// Not every event has a `patient` argument; viem's union of all events is narrowed by name here.
function toBody(log: { eventName: string; args: unknown }): ActivityBody | undefined {
  const args = log.args as Record<string, unknown>;
  switch (log.eventName) {
    case 'PatientRegistered':
      return { kind: 'registered' };
    case 'RecordAdded':
      return {
        kind: 'recordAdded',
        recordId: args.recordId as bigint,
        author: args.author as Address,
        category: args.category as number,
        supersedes: args.supersedes as bigint,
      };
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
      return { kind: 'accessLogged', provider: args.provider as Address, recordIds: args.recordIds as bigint[] };
    default:
      return undefined;
  }
}

async function blockTimes(context: ChainContext, blockNumbers: readonly bigint[]): Promise<Map<bigint, number>> {
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
    [...keyrings].map(async ([provider, keyring]) => {
      const grant = await readMedLedger(context, 'grantOf', [patient, provider]);
      const active = grant.scopes !== 0n && (await readMedLedger(context, 'hasAccess', [patient, provider, grant.scopes]));
      return { provider, scopes: grant.scopes, expiry: Number(grant.expiry), active, keyring };
    }),
  );
}

/** Requests still waiting for an answer: no grant or denial from the patient since they were made. */
export function pendingRequests(activity: readonly ActivityEvent[]): { provider: Address; scopes: bigint; timestamp: number }[] {
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
