import type { Bundle, Patient } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { type RecordCategory, recordBatchEvents, recordHeadersOf, supersededIds } from '../chain';
import type { Keyring } from '../crypto';
import { exportBundle } from '../fhir';
import { type IdentityCheck, IdentityMismatchError, checkIdentity, correctProfile } from './profile';
import { draftsOf, planImport } from './import-plan';
import { type OpenRecord, type ReadOptions, loadKeyring, openAnchored, readRecords } from './read';
import { type Vault, actorOf } from './vault';
import { type AnchoredRecord, PartialWriteError, type WriteOptions, addRecords } from './write';

export interface ImportOptions extends WriteOptions {
  /**
   * Import even when the file's Patient is someone else than the owner's profile says, or when that
   * could not be checked: the person importing has confirmed that the records belong here.
   */
  readonly acceptMismatch?: boolean;
}

/** What an import did. */
export interface ImportReport {
  /** Records written for resources the record did not hold. */
  readonly added: readonly AnchoredRecord[];
  /** Corrections written for resources the record held with other content. */
  readonly corrected: readonly AnchoredRecord[];
  /** Resources the record already held unchanged: not written again. */
  readonly skipped: number;
  /** Whom the file is about, compared with the owner's profile. */
  readonly identity: IdentityCheck;
  /** The new profile's CID when the file's Patient became the profile (`identity.status` `adopt`). */
  readonly profileCid?: string;
}

/**
 * Imports a FHIR file — a Bundle (JSON text or parsed) or a single resource — as one record per
 * resource:
 * 1. the whole file is validated: one invalid resource and nothing is written;
 * 2. its Patient is compared with the owner's profile ({@link checkIdentity}): another person, or one
 *    that could not be checked, is refused with a sentence naming both, unless `acceptMismatch`; an
 *    empty profile of the patient's own becomes the file's Patient (a corrected profile);
 * 3. resources the record already holds unchanged are skipped, changed ones correct the version in
 *    the record, the rest are added ({@link planImport}), so a second run, or a run after an
 *    interrupted one, writes nothing twice.
 * The file's Patient is stored as a record like every other resource, so an export gives the file back.
 *
 * @throws {@link IdentityMismatchError} when refused for whom it is about; {@link PartialWriteError}
 *   when some transactions landed and a later one failed (importing again adds the rest)
 */
export async function importBundleRecords(
  vault: Vault,
  patient: Address,
  input: string | unknown,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const drafts = draftsOf(input);
  const isPatient = actorOf(vault).toLowerCase() === patient.toLowerCase();
  const keyring = isPatient
    ? undefined
    : (options.keyring ?? (await loadKeyring(vault, patient).catch(() => undefined)));
  const subjects = drafts.flatMap(({ resource }) => (resource.resourceType === 'Patient' ? [resource as Patient] : []));
  const identity = await checkIdentity(vault, patient, subjects, { keyring });
  if ((identity.status === 'mismatch' || identity.status === 'unchecked') && !options.acceptMismatch) {
    throw new IdentityMismatchError(identity);
  }
  const plan = planImport(drafts, await currentRecords(vault, patient, keyring, options));
  let anchored: AnchoredRecord[] = [];
  if (plan.records.length > 0) {
    try {
      anchored = await addRecords(vault, patient, plan.records, { ...options, keyring });
    } catch (error) {
      if (!(error instanceof PartialWriteError)) throw error;
      throw new PartialWriteError(
        error.anchored,
        error.total,
        error.cause,
        'importing the same file again skips what was written and adds the rest',
      );
    }
  }
  const profileCid =
    identity.status === 'adopt' ? await correctProfile(vault, subjects[0]!, identity.profile!) : undefined;
  return {
    added: anchored.filter((_record, index) => plan.kinds[index] === 'added'),
    corrected: anchored.filter((_record, index) => plan.kinds[index] === 'corrected'),
    skipped: plan.skipped,
    identity,
    ...(profileCid ? { profileCid } : {}),
  };
}

/**
 * The record's current versions the importer can compare with and correct: for the patient, every
 * record; for a provider, the records it wrote itself (the only ones it may correct; reading the
 * others would be a logged clinical read).
 */
async function currentRecords(
  vault: Vault,
  patient: Address,
  keyring: Keyring | undefined,
  options: ImportOptions,
): Promise<OpenRecord[]> {
  const progress = options.onProgress ?? (() => {});
  const provider = actorOf(vault).toLowerCase();
  if (provider === patient.toLowerCase()) {
    const results = await readRecords(vault, patient, {
      logAccess: false,
      onProgress: (event) => event.step !== 'done' && progress(event),
    });
    return results.filter((result): result is OpenRecord => result.ok && !result.superseded);
  }
  const headers = (await recordBatchEvents(vault.chain, patient)).flatMap(recordHeadersOf);
  const superseded = supersededIds(headers);
  const mine = headers.filter((header) => header.author.toLowerCase() === provider && !superseded.has(header.recordId));
  const keys = { kek: keyring?.kek, identity: vault.identity };
  const opened = await Promise.all(
    mine.map(async (header): Promise<OpenRecord | undefined> => {
      try {
        return { ok: true, header, ...(await openAnchored(vault, patient, header, keys)), superseded: false };
      } catch {
        return undefined;
      }
    }),
  );
  return opened.filter((record): record is OpenRecord => record !== undefined);
}

/**
 * The patient's current records as a collection Bundle (superseded versions left out, unreadable ones
 * reported in `unreadable`).
 */
export async function exportBundleRecords(
  vault: Vault,
  patient: Address,
  options: ReadOptions = {},
): Promise<{ bundle: Bundle; unreadable: number }> {
  const results = await readRecords(vault, patient, { ...options, logAccess: options.logAccess ?? false });
  const current = results.filter((result): result is OpenRecord => result.ok && !result.superseded);
  const bundle = exportBundle(
    current.map((result) => ({
      resource: result.payload.resource,
      entry: result.payload.entry ?? {},
      category: result.header.category as RecordCategory,
    })),
    { type: 'collection' },
  );
  return { bundle, unreadable: results.filter((result) => !result.ok).length };
}
