/**
 * Synthetic fraud injected into clean Synthea claims, so the claims model has labels and the review can
 * be measured. Every pattern is drawn at the same rate from the clean claims with a seeded generator;
 * each clean claim is the source of at most one injection. The protocol is written into the model card
 * ({@link INJECTION_PROTOCOL}); injected fraud is built to match what the rules look for, so results
 * on it are not real-world performance.
 */
import type { Claim, ClaimItem } from '@medplum/fhirtypes';
import { amountKey, buildAmountReference } from '../../lib/ai/claims/amounts';
import {
  CVX,
  DEMOGRAPHIC_RESTRICTIONS,
  LAB_PANELS,
  SNOMED,
  type DemographicRestriction,
} from '../../lib/ai/claims/codes';
import { dayNumber, dayOf } from '../../lib/ai/claims/facts';
import { completedYears } from '../../lib/ai/features';
import { createRandom } from '../prng';
import type { SyntheaPatient } from './synthea';

export const FRAUD_PATTERNS = ['duplicate', 'upcoding', 'unbundling', 'phantom'] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

/** A claim and, when it was injected or altered, the pattern and variant. */
export interface LabelledClaim {
  readonly claim: Claim;
  readonly pattern?: FraudPattern;
  readonly variant?: string;
}

export interface LabelledPatient {
  readonly patient: SyntheaPatient;
  readonly claims: readonly LabelledClaim[];
}

/** Price of one injected lab component line and of an injected panel line: round illustrative figures, not a fee schedule. */
const LAB_COMPONENT_PRICE = 25;
const LAB_PANEL_PRICE = 60;
/** Price of an injected contradicting service when the clean claims never priced its code. */
const FALLBACK_PRICE = 150;
const UPCODING_FACTOR = { min: 1.5, max: 4 };
/** A phantom day lies more than this many days from every encounter of the patient. */
const PHANTOM_GAP_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** The protocol as written into the model card, one sentence per pattern. */
export const INJECTION_PROTOCOL: readonly { pattern: FraudPattern; description: string }[] = [
  {
    pattern: 'duplicate',
    description:
      'A copy of a clean claim under a new id, submitted 1–72 h later; half exact, half near-duplicates with the service dates moved 1–3 days later and every price scaled by a factor in [0.95, 1.05]. The copy is the fraud; the original stays clean.',
  },
  {
    pattern: 'upcoding',
    description: `A clean claim whose most expensive priced line (or, with no priced line, its total) is multiplied by a factor drawn uniformly from [${UPCODING_FACTOR.min}, ${UPCODING_FACTOR.max}]; the total follows.`,
  },
  {
    pattern: 'unbundling',
    description: `Half: a clean institutional claim with at least two service lines split into two claims of the same day and provider, each billing the visit line and part of the other lines; the second claim, submitted 1–24 h later, is the fraud (in half of the splits it drops the encounter reference), the first stays clean. Half: an extra claim on a clean visit's day, provider and encounter billing every required component of a lab panel from the rule table at $${LAB_COMPONENT_PRICE} each, in half of them beside the panel code itself at $${LAB_PANEL_PRICE}.`,
  },
  {
    pattern: 'phantom',
    description: `Half: a copy of a clean claim moved to a day more than ${PHANTOM_GAP_DAYS} days from every encounter in the patient's record (half naming a made-up encounter, half naming none). Half: an extra claim on a clean visit's day and encounter for a SNOMED CT or CVX service of the rule table that contradicts the patient's recorded gender or age at that day, priced at that code's median among the clean claims ($${FALLBACK_PRICE} if it has none).`,
  },
];

const round2 = (value: number): number => Math.round(value * 100) / 100;
const later = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
const shiftIso = (iso: string | undefined, ms: number): string | undefined =>
  iso === undefined ? undefined : new Date(Date.parse(iso) + ms).toISOString();

function serviceItems(claim: Claim): ClaimItem[] {
  return (claim.item ?? []).filter((item) => !item.diagnosisSequence?.length);
}

function netSum(items: readonly ClaimItem[]): number {
  return items.reduce((sum, item) => sum + (item.net?.value ?? 0), 0);
}

function withItems(claim: Claim, items: ClaimItem[], total: number): Claim {
  return {
    ...claim,
    item: items.map((item, i) => ({ ...item, sequence: i + 1 })),
    total: { ...claim.total, value: round2(total) },
  };
}

interface Source {
  readonly patient: number;
  readonly index: number;
  readonly claim: Claim;
}

/**
 * Injects every pattern at `rate` of the clean claims (at least one of each), half of each pattern's
 * injections per variant.
 *
 * @param patients - clean patients and their claims
 * @param options - `rate` per pattern and the generator's `seed`
 * @returns the patients' claims with the altered ones replaced and the injected ones appended, labelled
 */
export function injectFraud(
  patients: readonly SyntheaPatient[],
  options: { rate: number; seed: number },
): LabelledPatient[] {
  const random = createRandom(options.seed);
  const uniform = (min: number, max: number): number => min + (max - min) * random();
  const labelled: LabelledClaim[][] = patients.map((p) => p.claims.map((claim) => ({ claim })));
  const sources: Source[] = patients.flatMap((p, patient) =>
    p.claims.map((claim, index) => ({ patient, index, claim })),
  );
  const used = new Set<Source>();
  const prices = buildAmountReference(
    sources.map((s) => s.claim),
    1,
  );
  const perPattern = Math.max(1, Math.round(options.rate * sources.length));
  let counter = 0;

  const pick = (eligible: (source: Source) => boolean): Source | undefined => {
    const candidates = sources.filter((source) => !used.has(source) && eligible(source));
    if (candidates.length === 0) return undefined;
    const chosen = candidates[Math.floor(random() * candidates.length)]!;
    used.add(chosen);
    return chosen;
  };
  const replace = (source: Source, claim: Claim, pattern: FraudPattern, variant: string) => {
    labelled[source.patient]![source.index] = { claim, pattern, variant };
  };
  const add = (source: Source, claim: Claim, pattern: FraudPattern, variant: string) => {
    labelled[source.patient]!.push({ claim, pattern, variant });
  };
  const encounterRef = (claim: Claim): string | undefined =>
    claim.item?.find((item) => item.encounter?.length)?.encounter?.[0]?.reference;
  const isInstitutional = (claim: Claim): boolean => claim.type?.coding?.[0]?.code === 'institutional';

  const injectors: Record<FraudPattern, (variant: 0 | 1) => void> = {
    duplicate: (variant) => {
      const source = pick(() => true);
      if (!source) return;
      const { claim } = source;
      const copy: Claim = structuredClone(claim);
      copy.id = `${claim.id}-dup`;
      if (variant === 0) {
        copy.created = later(claim.created, Math.ceil(uniform(1, 72)) * HOUR_MS);
        add(source, copy, 'duplicate', 'exact');
        return;
      }
      const shift = Math.ceil(uniform(0, 3)) * DAY_MS;
      const scale = uniform(0.95, 1.05);
      copy.billablePeriod = {
        start: shiftIso(claim.billablePeriod?.start, shift),
        end: shiftIso(claim.billablePeriod?.end, shift),
      };
      copy.created = later(claim.created, shift + Math.ceil(uniform(1, 72)) * HOUR_MS);
      copy.item = copy.item?.map((item) =>
        item.net ? { ...item, net: { ...item.net, value: round2(item.net.value! * scale) } } : item,
      );
      copy.total = { ...copy.total, value: round2((claim.total?.value ?? 0) * scale) };
      add(source, copy, 'duplicate', 'near');
    },
    upcoding: () => {
      const source = pick((s) => (s.claim.total?.value ?? 0) > 0);
      if (!source) return;
      const { claim } = source;
      const factor = uniform(UPCODING_FACTOR.min, UPCODING_FACTOR.max);
      const items = structuredClone(claim.item ?? []);
      const priced = items
        .filter((item) => (item.net?.value ?? 0) > 0)
        .sort((a, b) => b.net!.value! - a.net!.value!)[0];
      if (priced) {
        const before = priced.net!.value!;
        priced.net = { ...priced.net, value: round2(before * factor) };
        replace(
          source,
          withItems(claim, items, (claim.total?.value ?? 0) + priced.net.value! - before),
          'upcoding',
          'line',
        );
      } else {
        replace(source, withItems(claim, items, (claim.total?.value ?? 0) * factor), 'upcoding', 'visit');
      }
    },
    unbundling: (variant) => {
      if (variant === 0) {
        const source = pick((s) => isInstitutional(s.claim) && serviceItems(s.claim).length >= 2);
        if (!source) return;
        const { claim } = source;
        const [visit, ...others] = serviceItems(claim);
        const diagnoses = (claim.item ?? []).filter((item) => item.diagnosisSequence?.length);
        const visitPrice = (claim.total?.value ?? 0) - netSum(claim.item ?? []);
        const half = Math.ceil(others.length / 2);
        const first = [visit!, ...others.slice(0, half), ...diagnoses];
        const dropEncounter = random() < 0.5;
        const secondVisit = dropEncounter ? { ...visit!, encounter: undefined } : visit!;
        const second = [secondVisit, ...others.slice(half)];
        // The first half alone is a proper claim for the visit; the second one bills the visit again.
        labelled[source.patient]![source.index] = { claim: withItems(claim, first, visitPrice + netSum(first)) };
        add(
          source,
          {
            ...withItems(claim, second, visitPrice + netSum(second)),
            id: `${claim.id}-split`,
            created: later(claim.created, Math.ceil(uniform(1, 24)) * HOUR_MS),
          },
          'unbundling',
          dropEncounter ? 'split, encounter dropped' : 'split',
        );
        return;
      }
      const source = pick((s) => isInstitutional(s.claim));
      if (!source) return;
      const { claim } = source;
      const panel = LAB_PANELS[Math.floor(random() * LAB_PANELS.length)]!;
      const withPanel = random() < 0.5;
      const codes = [
        ...(withPanel ? [{ code: panel.codes[0]!, price: LAB_PANEL_PRICE }] : []),
        ...panel.required.map((code) => ({ code, price: LAB_COMPONENT_PRICE })),
      ];
      const encounter = encounterRef(claim);
      const items: ClaimItem[] = codes.map(({ code, price }, i) => ({
        sequence: i + 1,
        productOrService: { coding: [{ system: panel.system, code }] },
        net: { value: price, currency: 'USD' },
        ...(i === 0 && encounter ? { encounter: [{ reference: encounter }] } : {}),
      }));
      const total = codes.reduce((sum, c) => sum + c.price, 0);
      add(
        source,
        {
          ...withItems(claim, items, total),
          id: `${claim.id}-lab`,
          diagnosis: undefined,
          procedure: undefined,
          supportingInfo: undefined,
          created: later(claim.created, HOUR_MS),
        },
        'unbundling',
        withPanel ? `${panel.display} with its components` : `${panel.display} components`,
      );
    },
    phantom: (variant) => {
      if (variant === 0) {
        const source = pick((s) => (patients[s.patient]!.context.encounters?.length ?? 0) > 0);
        if (!source) return;
        const { claim } = source;
        const encounterDays = (patients[source.patient]!.context.encounters ?? []).flatMap((e) => {
          const day = dayOf(e.period?.start);
          return day ? [dayNumber(day)] : [];
        });
        const first = Math.min(...encounterDays);
        const last = Math.max(...encounterDays);
        let day: number | undefined;
        for (let attempt = 0; attempt < 100 && day === undefined; attempt += 1) {
          const candidate = first + Math.floor(random() * (last - first + 1));
          if (encounterDays.every((d) => Math.abs(d - candidate) > PHANTOM_GAP_DAYS)) day = candidate;
        }
        const start = claim.billablePeriod?.start;
        if (day === undefined || !start) return;
        const shift = (day - dayNumber(dayOf(start)!)) * DAY_MS;
        counter += 1;
        const madeUp = random() < 0.5 ? `urn:uuid:phantom-encounter-${counter}` : undefined;
        const copy: Claim = structuredClone(claim);
        copy.id = `${claim.id}-ph`;
        copy.billablePeriod = { start: shiftIso(start, shift), end: shiftIso(claim.billablePeriod?.end, shift) };
        copy.created = later(claim.created, shift);
        copy.item = copy.item?.map((item) =>
          item.encounter ? { ...item, encounter: madeUp ? [{ reference: madeUp }] : undefined } : item,
        );
        add(
          source,
          copy,
          'phantom',
          madeUp ? 'no encounter that day, made-up encounter named' : 'no encounter that day',
        );
        return;
      }
      const sexContradicts = (s: Source, r: DemographicRestriction): boolean => {
        const gender = patients[s.patient]!.context.gender;
        return r.sex !== undefined && (gender === 'female' || gender === 'male') && r.sex !== gender;
      };
      const ageContradicts = (s: Source, r: DemographicRestriction): boolean => {
        const context = patients[s.patient]!.context;
        const day = dayOf(s.claim.billablePeriod?.start);
        const age =
          context.birthDate && day ? completedYears(context.birthDate, new Date(`${day}T00:00:00Z`)) : undefined;
        return (
          age !== undefined &&
          ((r.minAge !== undefined && age < r.minAge) || (r.maxAge !== undefined && age >= r.maxAge))
        );
      };
      const contradicting = (s: Source): DemographicRestriction[] =>
        DEMOGRAPHIC_RESTRICTIONS.filter(
          (r) => (r.system === SNOMED || r.system === CVX) && (sexContradicts(s, r) || ageContradicts(s, r)),
        );
      const source = pick((s) => isInstitutional(s.claim) && contradicting(s).length > 0);
      if (!source) return;
      const { claim } = source;
      const options = contradicting(source);
      const restriction = options[Math.floor(random() * options.length)]!;
      const price =
        prices.byKey.get(amountKey({ type: 'institutional' }, { code: `${restriction.system}|${restriction.code}` }))
          ?.median ?? FALLBACK_PRICE;
      const encounter = encounterRef(claim);
      const item: ClaimItem = {
        sequence: 1,
        productOrService: {
          coding: [{ system: restriction.system, code: restriction.code, display: restriction.display }],
        },
        net: { value: price, currency: 'USD' },
        ...(encounter ? { encounter: [{ reference: encounter }] } : {}),
      };
      add(
        source,
        {
          ...withItems(claim, [item], price),
          id: `${claim.id}-dx`,
          diagnosis: undefined,
          procedure: undefined,
          supportingInfo: undefined,
          created: later(claim.created, HOUR_MS),
        },
        'phantom',
        sexContradicts(source, restriction) ? 'contradicts recorded gender' : 'contradicts age',
      );
    },
  };

  for (const pattern of FRAUD_PATTERNS) {
    for (let i = 0; i < perPattern; i += 1) injectors[pattern]((i % 2) as 0 | 1);
  }
  return patients.map((patient, i) => ({ patient, claims: labelled[i]! }));
}
