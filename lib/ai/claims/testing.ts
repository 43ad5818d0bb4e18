/** Small FHIR Claim fixtures for the claims tests (here and in the app and CLI that call the review). */
import type { Claim, ClaimItem } from '@medplum/fhirtypes';

import { SNOMED } from './codes';

export interface LineFixture {
  readonly code: string;
  readonly system?: string;
  readonly display?: string;
  readonly net?: number;
  /** Makes the line a diagnosis line (`diagnosisSequence`). */
  readonly diagnosis?: boolean;
}

export interface ClaimFixture {
  readonly id: string;
  readonly patient?: string;
  readonly provider?: string;
  /** `YYYY-MM-DD` of service; default 2024-03-01. */
  readonly day?: string;
  /** Hour of the day the service started (UTC); default 9. */
  readonly hour?: number;
  /** ISO instant of submission; default the end of the service day. */
  readonly created?: string;
  readonly type?: string;
  readonly lines: readonly LineFixture[];
  /** Default: the sum of the line prices. */
  readonly total?: number;
  readonly encounter?: string;
  readonly prescription?: string;
}

/**
 * A FHIR R4 Claim shaped like Synthea's: one line per service, `net` per priced line, `total`.
 *
 * @param fixture - the claim's parts; everything but id and lines has a default
 */
export function claimFixture(fixture: ClaimFixture): Claim {
  const day = fixture.day ?? '2024-03-01';
  const hour = String(fixture.hour ?? 9).padStart(2, '0');
  let diagnosisSequence = 0;
  const item: ClaimItem[] = fixture.lines.map((line, i) => ({
    sequence: i + 1,
    productOrService: { coding: [{ system: line.system ?? SNOMED, code: line.code, display: line.display }] },
    ...(line.net === undefined ? {} : { net: { value: line.net, currency: 'USD' } }),
    ...(line.diagnosis ? { diagnosisSequence: [(diagnosisSequence += 1)] } : {}),
    ...(i === 0 && fixture.encounter ? { encounter: [{ reference: fixture.encounter }] } : {}),
  }));
  return {
    resourceType: 'Claim',
    id: fixture.id,
    status: 'active',
    type: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: fixture.type ?? 'institutional' }],
    },
    use: 'claim',
    patient: { reference: fixture.patient ?? 'Patient/p1' },
    billablePeriod: { start: `${day}T${hour}:00:00+00:00`, end: `${day}T${hour}:30:00+00:00` },
    created: fixture.created ?? `${day}T23:00:00+00:00`,
    provider: { reference: fixture.provider ?? 'Organization/clinic' },
    priority: { coding: [{ code: 'normal' }] },
    ...(fixture.prescription ? { prescription: { reference: fixture.prescription } } : {}),
    insurance: [{ sequence: 1, focal: true, coverage: { display: 'private' } }],
    item,
    total: { value: fixture.total ?? fixture.lines.reduce((sum, line) => sum + (line.net ?? 0), 0), currency: 'USD' },
  };
}
