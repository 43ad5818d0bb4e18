/**
 * The patient's profile: the encrypted FHIR Patient `registerPatient` stores on IPFS and the chain
 * points at (`PatientRegistered`, then `PatientProfileUpdated`). It says who the record is about, so an
 * import can tell whether a bundle's Patient is the owner or someone else.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Address, Hex } from 'viem';

import {
  PROFILE_CATEGORIES,
  RECORD_CATEGORIES,
  type SendOptions,
  eventsInChainOrder,
  readMedLedger,
  writeMedLedger,
} from '../chain';
import { type Keyring, type RecordContext, deriveKek, openRecord, sealRecord } from '../crypto';
import { IntegrityError, MedLedgerError, NotFoundError, describeError } from '../errors';
import { comparePatients, hasDemographics, patientLabel, validateResource } from '../fhir';
import { addBytes, fetchVerified, unpin } from '../ipfs';
import { loadKeyring, patientReaderKeys } from './read';
import { type Vault, actorOf, cidFromBytes, cidToBytes, decodePayload, encodePayload } from './vault';

/** A patient's current profile, opened. */
export interface PatientProfile {
  readonly resource: Patient;
  readonly cid: string;
  /** Its record context: a corrected profile is the next version of the same record uid. */
  readonly context: RecordContext;
}

/** The CID of `patient`'s current profile, from the chain's events. */
async function profileCid(vault: Vault, patient: Address): Promise<string> {
  const latest = (
    await eventsInChainOrder(vault.chain, ['PatientRegistered', 'PatientProfileUpdated'], { patient })
  ).at(-1);
  if (!latest) throw new NotFoundError(`${patient} is not a registered MedLedger patient.`);
  return cidFromBytes((latest.args as { profileCid: Hex }).profileCid);
}

/**
 * Reads `patient`'s profile: the patient with their own keys, a provider with the keyring the patient
 * shared (which opens it only if the grant includes the profile).
 *
 * @param options - `keyring`: a provider's keyring from this patient, when already loaded
 * @throws {@link NotFoundError} when `patient` is not registered; {@link AccessDeniedError} when the keys
 *   do not open it; {@link IntegrityError} when it is not a Patient profile of this patient
 */
export async function readProfile(
  vault: Vault,
  patient: Address,
  options: { keyring?: Keyring } = {},
): Promise<PatientProfile> {
  const cid = await profileCid(vault, patient);
  const isPatient = actorOf(vault).toLowerCase() === patient.toLowerCase();
  const keyring = isPatient
    ? undefined
    : (options.keyring ?? (await loadKeyring(vault, patient).catch(() => undefined)));
  const keys = isPatient ? patientReaderKeys(vault, patient) : { kek: keyring?.kek, identity: vault.identity };
  const opened = await openRecord(await fetchVerified(vault.ipfs, cid, undefined, { cache: vault.cache }), keys, {
    patient,
  });
  const resource = decodePayload(opened.plaintext).resource;
  if (!PROFILE_CATEGORIES.includes(opened.context.category) || resource.resourceType !== 'Patient') {
    throw new IntegrityError(`The profile ${cid} of ${patient} is not a FHIR Patient profile.`);
  }
  return { resource, cid, context: opened.context };
}

/**
 * Replaces the acting patient's profile with `profile`, as the next version of the same profile record,
 * sealed under the current key epoch (a provider whose access was revoked cannot read it).
 *
 * @returns the new profile's CID
 */
export async function correctProfile(
  vault: Vault,
  profile: Patient,
  previous: PatientProfile,
  options: SendOptions = {},
): Promise<string> {
  const patient = actorOf(vault);
  validateResource(profile);
  const { keyEpoch } = await readMedLedger(vault.chain, 'patientInfo', [patient]);
  const context: RecordContext = {
    patient,
    recordUid: previous.context.recordUid,
    version: previous.context.version + 1,
    category: RECORD_CATEGORIES.profile,
    epoch: keyEpoch,
  };
  const envelope = await sealRecord(encodePayload({ resource: profile }), context, {
    kek: await deriveKek(vault.identity, patient, keyEpoch, context.category),
  });
  const cid = await addBytes(vault.ipfs, envelope);
  try {
    await writeMedLedger(vault.chain, 'updatePatientProfile', [cidToBytes(cid)], options);
  } catch (error) {
    await unpin(vault.ipfs, cid).catch(() => false);
    throw error;
  }
  return cid;
}

/**
 * Whether records are about the owner:
 * - `match`: every Patient among them is the owner by name, birth date or identifier;
 * - `mismatch`: one of them is someone else;
 * - `unchecked`: the profile cannot be read, says nothing to compare with, or nothing is comparable;
 * - `adopt`: the patient's own profile says nothing yet, so the Patient becomes the profile;
 * - `none`: the records hold no Patient.
 */
export type IdentityStatus = 'match' | 'mismatch' | 'unchecked' | 'adopt' | 'none';

export interface IdentityCheck {
  readonly status: IdentityStatus;
  /** One sentence naming both people (empty for `none`). */
  readonly message: string;
  /** The Patients of the records, in order. */
  readonly subjects: readonly Patient[];
  /** The owner's profile, when it could be read. */
  readonly profile?: PatientProfile;
}

/**
 * Records about someone else than the owner (or whose person could not be checked) were refused;
 * nothing was written. `check` names both people.
 */
export class IdentityMismatchError extends MedLedgerError {
  readonly check: IdentityCheck;

  constructor(check: IdentityCheck) {
    super(`${check.message}, so nothing was imported.`);
    this.check = check;
  }
}

/**
 * Checks the Patients of records about to be written for `patient` against `patient`'s profile.
 *
 * @param vault - the acting account (the patient, or a provider importing for them)
 * @param patient - whose record the records go into
 * @param subjects - the Patient resources among the records
 * @param options - `keyring`: a provider's keyring from this patient
 */
export async function checkIdentity(
  vault: Vault,
  patient: Address,
  subjects: readonly Patient[],
  options: { keyring?: Keyring } = {},
): Promise<IdentityCheck> {
  if (subjects.length === 0) return { status: 'none', message: '', subjects };
  const isPatient = actorOf(vault).toLowerCase() === patient.toLowerCase();
  const theirs = subjects.map(patientLabel).join(' and ');
  let profile: PatientProfile;
  try {
    profile = await readProfile(vault, patient, options);
  } catch (error) {
    if (error instanceof NotFoundError) throw error;
    return {
      status: 'unchecked',
      message: `Whether ${theirs} is the patient ${patient} could not be checked, because their profile cannot be read (${describeError(error).replace(/\.$/, '')})`,
      subjects,
    };
  }
  const owner = profile.resource;
  if (!hasDemographics(owner)) {
    return isPatient
      ? {
          status: 'adopt',
          message: `Your profile has no name, birth date or identifier yet, so ${patientLabel(subjects[0]!)} becomes your profile (a correction of the profile record)`,
          subjects,
          profile,
        }
      : {
          status: 'unchecked',
          message: `Whether ${theirs} is the patient ${patient} could not be checked, because their profile has no name, birth date or identifier yet`,
          subjects,
          profile,
        };
  }
  const ownerLabel = `${patientLabel(owner)}, whose record this is`;
  const comparisons = subjects.map((subject) => comparePatients(owner, subject));
  const others = subjects.filter((_subject, index) => comparisons[index]!.verdict === 'different');
  if (others.length > 0) {
    return {
      status: 'mismatch',
      message: `These records are about ${others.map(patientLabel).join(' and ')}, not ${ownerLabel}`,
      subjects,
      profile,
    };
  }
  if (comparisons.some((comparison) => comparison.verdict === 'unknown')) {
    return {
      status: 'unchecked',
      message: `Whether ${theirs} is ${ownerLabel} could not be checked: they share no name, birth date or identifier to compare`,
      subjects,
      profile,
    };
  }
  return { status: 'match', message: `These records are about ${ownerLabel}`, subjects, profile };
}
