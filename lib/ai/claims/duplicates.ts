/**
 * Duplicates and near-duplicates: a claim of the same type for the same patient, from the same provider,
 * with (nearly) the same services, days and amount as one submitted earlier. Only the later claim is flagged, naming
 * the closest earlier one, so a resubmission does not cast doubt on the original.
 */
import { codeOverlap, describeCode, money, SAME_SERVICES_OVERLAP, submittedBefore, type ClaimFacts } from './facts';
import type { ClaimFlag } from './types';

/** Thresholds of the duplicate rule. */
export interface DuplicateOptions {
  /** Service days at most this far apart. */
  readonly days: number;
  /** Totals within this relative difference. */
  readonly amountTolerance: number;
}

interface Comparison {
  readonly earlier: ClaimFacts;
  readonly overlap: number;
  readonly days: number;
  readonly amountGap: number;
  /** Both claims name encounters and none in common: they say they are two visits. */
  readonly separateEncounters: boolean;
  readonly similarity: number;
}

function compare(later: ClaimFacts, earlier: ClaimFacts, options: DuplicateOptions): Comparison | undefined {
  if (
    earlier.position === later.position ||
    earlier.provider !== later.provider ||
    earlier.patientId !== later.patientId
  )
    return undefined;
  if (earlier.type !== later.type) return undefined;
  if (later.dayNumber === undefined || earlier.dayNumber === undefined) return undefined;
  // Two claims for two prescriptions (or one for a prescription, one not) are two services, however alike their lines look.
  if (later.prescription !== earlier.prescription) return undefined;
  const days = Math.abs(later.dayNumber - earlier.dayNumber);
  if (days > options.days) return undefined;
  const overlap = codeOverlap(later, earlier);
  const larger = Math.max(Math.abs(later.total), Math.abs(earlier.total));
  const amountGap = larger === 0 ? 0 : Math.abs(later.total - earlier.total) / larger;
  const separateEncounters =
    later.encounters.length > 0 &&
    earlier.encounters.length > 0 &&
    !later.encounters.some((e) => earlier.encounters.includes(e));
  // Claims naming different encounters say they are two visits (a therapy series, dialysis): the rule
  // still notes them at low severity, but the model does not score them as copies.
  const similarity = separateEncounters
    ? 0
    : overlap * (1 - days / (options.days + 1)) * Math.max(0, 1 - amountGap / (2 * options.amountTolerance));
  return { earlier, overlap, days, amountGap, separateEncounters, similarity };
}

/** The duplicate rule's findings and the model's input for one claim. */
export interface DuplicateCheck {
  readonly flags: ClaimFlag[];
  /**
   * 1 for an exact copy of an earlier claim, towards 0 as codes, days and amount drift apart; 0 when
   * none is close or the close ones name other encounters.
   */
  readonly similarity: number;
}

/**
 * Compares a claim with the same patient's claims submitted before it.
 *
 * @param facts - the claim under review
 * @param samePatient - the patient's claims near its day (history included)
 * @param options - day and amount tolerances
 */
export function checkDuplicates(
  facts: ClaimFacts,
  samePatient: readonly ClaimFacts[],
  options: DuplicateOptions,
): DuplicateCheck {
  const comparisons = samePatient
    .filter((other) => submittedBefore(other, facts))
    .flatMap((other) => compare(facts, other, options) ?? [])
    .sort((a, b) => b.similarity - a.similarity || a.earlier.position - b.earlier.position);
  const flags: ClaimFlag[] = [];
  for (const c of comparisons) {
    if (c.overlap < SAME_SERVICES_OVERLAP || c.amountGap > options.amountTolerance) continue;
    const codes = [...facts.services];
    const services = facts.lines
      .filter((line) => codes.includes(line.code) && !line.diagnosis)
      .map((line) => describeCode(line.code, line.display));
    const exact = c.overlap === 1 && c.days === 0 && c.amountGap < 0.005 && !c.separateEncounters;
    if (exact) {
      flags.push({
        kind: 'duplicate',
        severity: 'high',
        claimIds: [facts.id, c.earlier.id],
        codes,
        message: `Same patient, provider, day (${facts.day}), services (${services.join(', ') || 'none coded'}) and total (${money(facts.total, facts.currency)}) as claim ${c.earlier.id}, submitted earlier.`,
      });
      break;
    }
    const differences = [
      c.overlap < 1 ? `${Math.round(c.overlap * 100)} % of the services in common` : 'the same services',
      c.days === 0
        ? 'the same day'
        : `service days ${c.days} day${c.days === 1 ? '' : 's'} apart (${c.earlier.day} and ${facts.day})`,
      c.amountGap < 0.005
        ? `the same total (${money(facts.total, facts.currency)})`
        : `totals ${money(c.earlier.total, c.earlier.currency)} and ${money(facts.total, facts.currency)} (${(c.amountGap * 100).toFixed(1)} % apart)`,
    ];
    flags.push({
      kind: 'near-duplicate',
      severity: c.separateEncounters ? 'low' : 'medium',
      claimIds: [facts.id, c.earlier.id],
      codes,
      message: `Nearly the same as claim ${c.earlier.id}, submitted earlier by the same provider for the same patient: ${differences.join(', ')}${
        c.separateEncounters ? ', though the two claims name different encounters' : ''
      }.`,
    });
    break;
  }
  return { flags, similarity: comparisons[0]?.similarity ?? 0 };
}
