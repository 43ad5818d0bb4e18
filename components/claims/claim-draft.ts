/**
 * The FHIR R4 resources the billing forms write: a provider's `Claim` for one service, and the
 * patient's `Coverage` naming their insurer. Parties are named as the app names them (directory names)
 * and identified by their account as a `did:pkh` URI, the way the audit export identifies them, so a
 * reader of the resource alone knows who is meant. Pure functions, no React.
 */
import type { Claim, CodeableConcept, Coverage, Money, Organization, Reference } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { accountReference } from '../../lib/records/claims';
import type { CodedSuggestion } from '../records/resource-builders';

export const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10-cm';
const CLAIM_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claim-type';
const PRIORITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/processpriority';
const RELATIONSHIP_SYSTEM = 'http://terminology.hl7.org/CodeSystem/subscriber-relationship';
const COVERAGE_CLASS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/coverage-class';

/** Services doctors and labs bill most, by CPT code; anything else is written as text. */
export const SERVICE_SUGGESTIONS: readonly CodedSuggestion[] = [
  { text: 'Office visit, established patient, low complexity', code: '99213' },
  { text: 'Office visit, established patient, moderate complexity', code: '99214' },
  { text: 'Office visit, new patient, moderate complexity', code: '99204' },
  { text: 'Preventive visit, established patient, 40–64 years', code: '99396' },
  { text: 'Electrocardiogram, 12 leads, with interpretation', code: '93000' },
  { text: 'Comprehensive metabolic panel', code: '80053' },
  { text: 'Basic metabolic panel', code: '80048' },
  { text: 'Lipid panel', code: '80061' },
  { text: 'Hemoglobin A1c', code: '83036' },
  { text: 'Complete blood count with differential', code: '85025' },
  { text: 'Thyroid stimulating hormone (TSH)', code: '84443' },
  { text: 'Urinalysis, automated, with microscopy', code: '81001' },
  { text: 'Venipuncture', code: '36415' },
  { text: 'Influenza vaccine administration', code: '90471' },
];

/** Common diagnoses by ICD-10-CM code, the code set US claims carry. */
export const DIAGNOSIS_SUGGESTIONS: readonly CodedSuggestion[] = [
  { text: 'Essential (primary) hypertension', code: 'I10' },
  { text: 'Type 2 diabetes mellitus without complications', code: 'E11.9' },
  { text: 'Hyperlipidemia, unspecified', code: 'E78.5' },
  { text: 'Prediabetes', code: 'R73.03' },
  { text: 'Hypothyroidism, unspecified', code: 'E03.9' },
  { text: 'Iron deficiency anemia, unspecified', code: 'D50.9' },
  { text: 'Chest pain, unspecified', code: 'R07.9' },
  { text: 'Fatigue', code: 'R53.83' },
  { text: 'Encounter for general adult medical examination', code: 'Z00.00' },
  { text: 'Acute upper respiratory infection, unspecified', code: 'J06.9' },
];

/** The currencies the claim form offers. */
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF'] as const;

/** What the provider fills in for one billed service. */
export interface ClaimDraft {
  /** The service as written, or a suggestion's text (then coded), e.g. "Lipid panel". */
  readonly service: string;
  /** A code for the service the provider typed; wins over a suggestion's code. */
  readonly serviceCode: string;
  /** `YYYY-MM-DD` the service was given. */
  readonly date: string;
  /** The amount billed, as typed ("125", "125.50"). */
  readonly amount: string;
  readonly currency: (typeof CURRENCIES)[number];
  /** The diagnosis as written, or a suggestion's text (then coded); optional. */
  readonly diagnosis: string;
}

/** Someone a resource names: their account and what the app calls them. */
export interface Party {
  readonly address: Address;
  readonly name: string;
}

/** Who a claim is between, and on which chain their accounts live. */
export interface ClaimParties {
  readonly chainId: number;
  readonly patient: Address;
  readonly provider: Party;
  readonly insurer: Party;
}

/** The form's starting values: today, in US dollars. */
export function emptyClaimDraft(today: string): ClaimDraft {
  return { service: '', serviceCode: '', date: today, amount: '', currency: 'USD', diagnosis: '' };
}

function partyReference(chainId: number, party: Party): Reference<Organization> {
  return accountReference(chainId, party.address, party.name);
}

/** Text as a concept, coded with `code` when given, else with a suggestion's code when it matches. */
function codedConcept(
  text: string,
  code: string,
  system: string,
  suggestions: readonly CodedSuggestion[],
): CodeableConcept {
  const trimmed = text.trim();
  const typed = code.trim();
  const match = suggestions.find((suggestion) => suggestion.text.toLowerCase() === trimmed.toLowerCase());
  const chosen = typed || match?.code;
  if (!chosen) return { text: trimmed };
  const display = match && (!typed || typed === match.code) ? match.text : trimmed;
  return { coding: [{ system, code: chosen, ...(display ? { display } : {}) }], ...(trimmed ? { text: trimmed } : {}) };
}

/** `"125.5"` → 125.5 with at most two decimals; undefined for anything else. */
export function parseAmount(text: string): number | undefined {
  const trimmed = text.trim().replace(/,/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/**
 * Everything wrong with a draft, each as a sentence for the field it is about; empty when it can be
 * billed.
 *
 * @param draft - the form's values
 * @param today - `YYYY-MM-DD` of today, in the provider's time zone
 */
export function draftProblems(draft: ClaimDraft, today: string): { field: keyof ClaimDraft; message: string }[] {
  const problems: { field: keyof ClaimDraft; message: string }[] = [];
  if (!draft.service.trim() && !draft.serviceCode.trim()) {
    problems.push({ field: 'service', message: 'Say which service you are billing for.' });
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date)) {
    problems.push({ field: 'date', message: 'Give the date the service was given.' });
  } else if (draft.date > today) {
    problems.push({ field: 'date', message: 'The service date is in the future; bill a service once it was given.' });
  }
  const amount = parseAmount(draft.amount);
  if (amount === undefined) {
    problems.push({ field: 'amount', message: 'Give the amount as a number with at most two decimals, e.g. 125.00.' });
  } else if (amount <= 0) {
    problems.push({ field: 'amount', message: 'The amount must be more than zero.' });
  }
  return problems;
}

/**
 * A FHIR R4 Claim for one service: its code and price, the service date, the diagnosis it treats, the
 * provider who bills and the insurer billed. Call {@link draftProblems} first.
 *
 * @param draft - the form's values
 * @param parties - patient, provider and insurer
 * @param created - when the claim is made (ISO date-time)
 * @param id - the claim's logical id (a fresh UUID by default)
 */
export function buildClaim(
  draft: ClaimDraft,
  parties: ClaimParties,
  created: string = new Date().toISOString(),
  id: string = crypto.randomUUID(),
): Claim {
  const amount = parseAmount(draft.amount) ?? 0;
  const money: Money = { value: amount, currency: draft.currency };
  const diagnosis = draft.diagnosis.trim();
  return {
    resourceType: 'Claim',
    id,
    status: 'active',
    type: { coding: [{ system: CLAIM_TYPE_SYSTEM, code: 'professional', display: 'Professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${parties.patient}` },
    billablePeriod: { start: draft.date, end: draft.date },
    created,
    insurer: partyReference(parties.chainId, parties.insurer),
    provider: partyReference(parties.chainId, parties.provider),
    priority: { coding: [{ system: PRIORITY_SYSTEM, code: 'normal' }] },
    ...(diagnosis
      ? {
          diagnosis: [
            {
              sequence: 1,
              diagnosisCodeableConcept: codedConcept(diagnosis, '', ICD10_SYSTEM, DIAGNOSIS_SUGGESTIONS),
            },
          ],
        }
      : {}),
    insurance: [{ sequence: 1, focal: true, coverage: { display: `Coverage with ${parties.insurer.name}` } }],
    item: [
      {
        sequence: 1,
        ...(diagnosis ? { diagnosisSequence: [1] } : {}),
        productOrService: codedConcept(draft.service, draft.serviceCode, CPT_SYSTEM, SERVICE_SUGGESTIONS),
        servicedDate: draft.date,
        quantity: { value: 1 },
        unitPrice: money,
        net: money,
      },
    ],
    total: money,
  };
}

/** What the patient tells about their insurance. */
export interface CoverageDraft {
  /** The insurer's account and directory name. */
  readonly insurer: Party;
  /** The member (subscriber) id on the insurance card. */
  readonly memberId: string;
  /** The plan's name, e.g. "Gold PPO"; optional. */
  readonly plan: string;
}

/**
 * A FHIR R4 Coverage: the patient is covered by the insurer's plan, as themselves.
 *
 * @param draft - insurer, member id and plan
 * @param chainId - the chain the accounts live on
 * @param patient - the patient's account
 * @param start - `YYYY-MM-DD` the coverage is recorded from
 */
export function buildCoverage(draft: CoverageDraft, chainId: number, patient: Address, start: string): Coverage {
  const memberId = draft.memberId.trim();
  const plan = draft.plan.trim();
  return {
    resourceType: 'Coverage',
    id: crypto.randomUUID(),
    status: 'active',
    ...(memberId ? { subscriberId: memberId, identifier: [{ type: { text: 'Member id' }, value: memberId }] } : {}),
    beneficiary: { reference: `Patient/${patient}` },
    relationship: { coding: [{ system: RELATIONSHIP_SYSTEM, code: 'self', display: 'Self' }] },
    period: { start },
    payor: [partyReference(chainId, draft.insurer)],
    ...(plan
      ? { class: [{ type: { coding: [{ system: COVERAGE_CLASS_SYSTEM, code: 'plan' }] }, value: plan, name: plan }] }
      : {}),
  };
}
