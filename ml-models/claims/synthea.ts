/**
 * The Synthea claims the claims model is trained and evaluated on: every Claim of the FHIR R4 patient
 * bundles under `<data>/fhir-r4-synthea`, with the context an insurer granted the patient's records
 * would read (gender, date of birth, Conditions, Encounters). Read from the shared data directory,
 * never copied into the repository.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Bundle, Claim, ExplanationOfBenefit } from '@medplum/fhirtypes';
import { patientContextOf, type PatientContext } from '../../lib/ai/claims';

export interface SyntheaPatient {
  /** Bundle file, relative to the data directory, for the card. */
  readonly file: string;
  readonly context: PatientContext;
  readonly claims: readonly Claim[];
  /** Claims that have an ExplanationOfBenefit, and of those the ones whose EOB line submitted charges equal the Claim's line prices. */
  readonly eob: { readonly claims: number; readonly matching: number };
}

const SUBMITTED = 'https://bluebutton.cms.gov/resources/variables/line_sbmtd_chrg_amt';

/** Whether an EOB's submitted line charges add up to the Claim's priced lines, to the cent. */
function eobMatches(claim: Claim, eob: ExplanationOfBenefit): boolean {
  const submitted = (eob.item ?? [])
    .flatMap((item) => item.adjudication ?? [])
    .filter((a) => a.category?.coding?.some((c) => c.code === SUBMITTED))
    .reduce((sum, a) => sum + (a.amount?.value ?? 0), 0);
  const priced = (claim.item ?? []).reduce((sum, item) => sum + (item.net?.value ?? 0), 0);
  return Math.abs(submitted - priced) < 0.005;
}

/**
 * Reads every patient bundle under `<dataDir>/fhir-r4-synthea/<source>/*.json`, in file-name order.
 *
 * @param dataDir - the shared data directory
 */
export async function loadSyntheaPatients(dataDir: string): Promise<SyntheaPatient[]> {
  const root = path.join(dataDir, 'fhir-r4-synthea');
  const sources = (await readdir(root, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const patients: SyntheaPatient[] = [];
  for (const source of sources) {
    for (const file of (await readdir(path.join(root, source))).filter((name) => name.endsWith('.json')).sort()) {
      const bundle = JSON.parse(await readFile(path.join(root, source, file), 'utf8')) as Bundle;
      const patientEntry = bundle.entry?.find((entry) => entry.resource?.resourceType === 'Patient');
      if (!patientEntry) continue;
      const claims = (bundle.entry ?? []).flatMap((entry) =>
        entry.resource?.resourceType === 'Claim' ? [entry.resource as Claim] : [],
      );
      const byUrl = new Map(
        (bundle.entry ?? []).flatMap((entry) =>
          entry.resource?.resourceType === 'Claim' && entry.fullUrl
            ? [[entry.fullUrl, entry.resource as Claim] as const]
            : [],
        ),
      );
      const eobs = (bundle.entry ?? []).flatMap((entry) =>
        entry.resource?.resourceType === 'ExplanationOfBenefit' ? [entry.resource as ExplanationOfBenefit] : [],
      );
      const explained = eobs.flatMap((eob) => {
        const claim = eob.claim?.reference ? byUrl.get(eob.claim.reference) : undefined;
        return claim ? [{ claim, eob }] : [];
      });
      // Synthea's claims name the patient by the bundle entry's urn:uuid full URL.
      patients.push({
        file: `fhir-r4-synthea/${source}/${file}`,
        context: patientContextOf(bundle, patientEntry.fullUrl),
        claims,
        eob: {
          claims: explained.length,
          matching: explained.filter(({ claim, eob }) => eobMatches(claim, eob)).length,
        },
      });
    }
  }
  return patients;
}
