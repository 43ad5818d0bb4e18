/**
 * What the FHIR server serves, read through the record pipeline (lib/records) for the acting wallet:
 * a provider's patients with a live grant, each in the categories the grant lets it read, or the
 * patient's own record. Every record is listed from the chain, fetched, verified and decrypted by
 * `readRecords`; a provider's reads are logged on-chain with the purpose of use, each record once per
 * reading session (the vault's read log), however often a client asks.
 *
 * The server answers from a snapshot that is read again when it is older than `maxAgeMs`, so a
 * revoked or expired grant stops being served within that time and new records appear.
 */
import type { Patient } from '@medplum/fhirtypes';
import { type Address, getAddress } from 'viem';

import {
  CATEGORY_COUNT,
  DEFAULT_PURPOSE,
  type GrantStatus,
  PROFILE_CATEGORIES,
  type PurposeOfUse,
  decodeScopes,
  patientsOf,
  providerActivity,
  readMedLedger,
} from '../chain';
import { AccessDeniedError, describeError } from '../errors';
import { lruBlobCache, memoryBlobStorage } from '../ipfs';
import { type Vault, actorOf, createReadLog, readProfile, readRecords } from '../records';
import { type LoadedRecord, type ServedResource, servedResources } from './resources';

/** A patient whose records the wallet may read. */
export interface ReadablePatient {
  readonly address: Address;
  /** The record categories the wallet may read (every category for the patient themself). */
  readonly categories: readonly number[];
  /** Whether the wallet may read the profile (the Patient resource). */
  readonly profileGranted: boolean;
}

/** A record (or profile) the wallet may read but could not open, and why. */
export interface UnreadableRecord {
  readonly patient: Address;
  readonly recordId?: bigint;
  readonly reason: string;
}

/** Everything the server serves, as read at one time. */
export interface Snapshot {
  /** When the records were read (the Bulk Data manifest's `transactionTime`). */
  readonly readAt: Date;
  readonly actor: Address;
  readonly role: 'patient' | 'provider';
  readonly patients: readonly ReadablePatient[];
  readonly resources: readonly ServedResource[];
  readonly unreadable: readonly UnreadableRecord[];
  /** Patients whose grant to this wallet has ended, by lower-case address, and how it ended. */
  readonly ended: ReadonlyMap<string, Exclude<GrantStatus, 'active'>>;
}

/** Where the server gets what it serves. */
export interface RecordSource {
  /** The current snapshot, read again when it is too old. */
  snapshot(): Promise<Snapshot>;
  /** Whether `address` is a registered patient (a refusal then says 403, not 404). */
  isPatient(address: Address): Promise<boolean>;
}

/** Options of {@link createRecordSource}. */
export interface RecordSourceOptions {
  /** Whether the wallet reads as the patient (its own record) or as a provider (its patients'). */
  readonly role: 'patient' | 'provider';
  /** Why a provider reads, logged on-chain with its reads; treatment unless said. */
  readonly purpose?: PurposeOfUse;
  /** How old a snapshot may be before it is read again. Default 30 s. */
  readonly maxAgeMs?: number;
  /** Reports each patient being read, for a person waiting on a large first read. */
  readonly onProgress?: (progress: { done: number; total: number }) => void;
  readonly now?: () => number;
}

/** Default {@link RecordSourceOptions.maxAgeMs}. */
export const DEFAULT_SNAPSHOT_AGE_MS = 30_000;

const EVERY_CATEGORY = Array.from({ length: CATEGORY_COUNT }, (_, category) => category);

/**
 * The records `vault`'s wallet may read, as snapshots. The vault gets a blob cache (so a new snapshot
 * fetches only new ciphertext) and a read log (so reads are logged once per session) unless it has them.
 *
 * @param vault - the acting wallet's vault
 * @param options - role, purpose of use and snapshot age
 */
export function createRecordSource(vault: Vault, options: RecordSourceOptions): RecordSource {
  const session: Vault = {
    ...vault,
    cache: vault.cache ?? lruBlobCache(memoryBlobStorage()),
    readLog: vault.readLog ?? createReadLog(),
  };
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_SNAPSHOT_AGE_MS;
  let current: Snapshot | undefined;
  let loading: Promise<Snapshot> | undefined;
  return {
    async snapshot() {
      if (current && now() - current.readAt.getTime() < maxAgeMs) return current;
      loading ??= readSnapshot(session, options, now).then(
        (snapshot) => {
          current = snapshot;
          loading = undefined;
          return snapshot;
        },
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
    isPatient(address) {
      return readMedLedger(session.chain, 'isPatient', [address]);
    },
  };
}

/** Reads every patient's records the wallet may read, and their profiles. */
async function readSnapshot(vault: Vault, options: RecordSourceOptions, now: () => number): Promise<Snapshot> {
  const actor = getAddress(actorOf(vault));
  const readAt = new Date(now());
  const ended = new Map<string, Exclude<GrantStatus, 'active'>>();
  let patients: ReadablePatient[];
  if (options.role === 'patient') {
    patients = [{ address: actor, categories: EVERY_CATEGORY, profileGranted: true }];
  } else {
    const grants = await patientsOf(vault.chain, actor, await providerActivity(vault.chain, actor));
    patients = [];
    for (const grant of grants) {
      if (grant.status !== 'active') {
        ended.set(grant.patient.toLowerCase(), grant.status);
        continue;
      }
      const categories = decodeScopes(grant.scopes).read;
      if (categories.length === 0) continue;
      const profileGranted = categories.some((category) => PROFILE_CATEGORIES.includes(category));
      patients.push({ address: getAddress(grant.patient), categories, profileGranted });
    }
  }
  const records: LoadedRecord[] = [];
  const profiles = new Map<Address, Patient | undefined>();
  const unreadable: UnreadableRecord[] = [];
  for (const [index, patient] of patients.entries()) {
    options.onProgress?.({ done: index, total: patients.length });
    const results = await readRecords(vault, patient.address, {
      ...(options.role === 'provider' ? { categories: patient.categories } : {}),
      purpose: options.purpose ?? DEFAULT_PURPOSE,
    });
    for (const result of results) {
      if (result.superseded) continue;
      if (!result.ok) {
        unreadable.push({ patient: patient.address, recordId: result.header.recordId, reason: result.error.message });
        continue;
      }
      records.push({
        patient: patient.address,
        recordId: result.header.recordId,
        category: result.header.category,
        createdAt: result.header.createdAt,
        recordUid: result.context.recordUid,
        resource: result.payload.resource,
        ...(result.payload.entry?.fullUrl ? { fullUrl: result.payload.entry.fullUrl } : {}),
      });
    }
    profiles.set(patient.address, patient.profileGranted ? await profileOf(vault, patient, unreadable) : undefined);
  }
  options.onProgress?.({ done: patients.length, total: patients.length });
  return {
    readAt,
    actor,
    role: options.role,
    patients,
    resources: servedResources(records, profiles),
    unreadable,
    ended,
  };
}

/** The patient's profile, or `undefined` (with the reason in `unreadable`) when it cannot be opened. */
async function profileOf(
  vault: Vault,
  patient: ReadablePatient,
  unreadable: UnreadableRecord[],
): Promise<Patient | undefined> {
  try {
    return (await readProfile(vault, patient.address)).resource;
  } catch (error) {
    // A profile sealed under a category the grant does not cover (`other` versus `profile`) is not
    // shared, not broken.
    if (!(error instanceof AccessDeniedError))
      unreadable.push({ patient: patient.address, reason: describeError(error) });
    return undefined;
  }
}
