import type { Bundle } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { exportBundle, importBundle } from '../fhir';
import type { RecordCategory } from '../chain';
import { type OpenRecord, type ReadOptions, readRecords } from './read';
import type { Vault } from './vault';
import { type AnchoredRecord, type WriteOptions, addRecords } from './write';

/**
 * Imports a FHIR Bundle (JSON text or parsed) as one record per resource. The whole bundle is validated
 * first: one invalid resource and nothing is written.
 */
export async function importBundleRecords(
  vault: Vault,
  patient: Address,
  bundle: string | unknown,
  options: WriteOptions = {},
): Promise<AnchoredRecord[]> {
  const imported = importBundle(bundle);
  return addRecords(
    vault,
    patient,
    imported.records.map((draft) => ({ payload: { resource: draft.resource, entry: draft.entry }, category: draft.category })),
    options,
  );
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
