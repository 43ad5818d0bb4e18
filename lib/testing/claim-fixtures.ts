import type { Claim } from '@medplum/fhirtypes';
import type { Address } from 'viem';

/** What a test claim bills: one coded service with a diagnosis, at one price. */
export interface SampleClaimTerms {
  readonly chainId: number;
  readonly patient: Address;
  readonly provider: Address;
  readonly insurer: Address;
  /** In US dollars, default 125.50. */
  readonly amount?: number;
  /** The billed procedure's code, default CPT 99213. */
  readonly procedureCode?: string;
  /** The diagnosis in words, default "Essential hypertension". */
  readonly diagnosisText?: string;
  /** `YYYY-MM-DD` of the service. */
  readonly serviceDate?: string;
}

const did = (chainId: number, address: Address) => ({
  identifier: { system: 'urn:ietf:rfc:3986', value: `did:pkh:eip155:${chainId}:${address}` },
});

/**
 * A FHIR R4 professional Claim for one service, built in code (tests never read ../shared), naming the
 * patient as `Patient/<address>` and the provider and insurer by their `did:pkh` accounts, as the web
 * app's billing form does.
 */
export function sampleClaim(terms: SampleClaimTerms): Claim {
  const money = { value: terms.amount ?? 125.5, currency: 'USD' } as const;
  const date = terms.serviceDate ?? '2026-11-03';
  return {
    resourceType: 'Claim',
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${terms.patient}` },
    billablePeriod: { start: date, end: date },
    created: `${date}T16:00:00Z`,
    insurer: { ...did(terms.chainId, terms.insurer), display: 'Test insurer' },
    provider: { ...did(terms.chainId, terms.provider), display: 'Test clinic' },
    priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
    diagnosis: [
      {
        sequence: 1,
        diagnosisCodeableConcept: {
          coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' }],
          text: terms.diagnosisText ?? 'Essential hypertension',
        },
      },
    ],
    insurance: [{ sequence: 1, focal: true, coverage: { display: 'Coverage with the test insurer' } }],
    item: [
      {
        sequence: 1,
        diagnosisSequence: [1],
        productOrService: {
          coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: terms.procedureCode ?? '99213' }],
          text: 'Office visit',
        },
        servicedDate: date,
        quantity: { value: 1 },
        unitPrice: money,
        net: money,
      },
    ],
    total: money,
  };
}
