/**
 * Claims against the patient's own record, where the insurer may read it: a service on a day with no
 * encounter in the record (a possible phantom service), and a diagnosis the record does not hold.
 * An absent or empty list means "cannot tell", never "none": an insurer granted no Encounters or
 * Conditions gets no such flags.
 */
import type { Condition, Encounter } from '@medplum/fhirtypes';

import { dayNumber, dayOf, describeCode, type ClaimFacts } from './facts';
import type { ClaimFlag, PatientContext } from './types';

/** Encounter spans as day numbers, read once per patient. */
export interface RecordIndex {
  /** `[first day, last day]` of each encounter; undefined when the record's encounters are unknown. */
  readonly encounterDays?: readonly (readonly [number, number])[];
  readonly encounterIds: ReadonlySet<string>;
  /** `system|code` of every coding of the patient's conditions; undefined when unknown. */
  readonly conditionCodes?: ReadonlySet<string>;
  readonly conditionCount: number;
}

const UNUSABLE_VERIFICATION = new Set(['entered-in-error', 'refuted']);

function encounterSpan(encounter: Encounter): [number, number] | undefined {
  const start = dayOf(encounter.period?.start) ?? dayOf(encounter.period?.end);
  if (!start) return undefined;
  const end = dayOf(encounter.period?.end) ?? start;
  return [dayNumber(start), Math.max(dayNumber(start), dayNumber(end))];
}

function usableCondition(condition: Condition): boolean {
  return !(condition.verificationStatus?.coding ?? []).some((c) => c.code && UNUSABLE_VERIFICATION.has(c.code));
}

/**
 * Indexes what the record says about encounters and conditions.
 *
 * @param patient - the patient's context
 */
export function indexRecord(patient: PatientContext): RecordIndex {
  const encounters = patient.encounters ?? [];
  const conditions = (patient.conditions ?? []).filter(usableCondition);
  return {
    encounterDays:
      encounters.length > 0
        ? encounters.flatMap((e) => {
            const span = encounterSpan(e);
            return span ? [span] : [];
          })
        : undefined,
    encounterIds: new Set(encounters.flatMap((e) => (e.id ? [e.id] : []))),
    conditionCodes:
      conditions.length > 0
        ? new Set(
            conditions.flatMap((c) =>
              (c.code?.coding ?? []).flatMap((coding) =>
                coding.code ? [`${coding.system ?? ''}|${coding.code}`] : [],
              ),
            ),
          )
        : undefined,
    conditionCount: conditions.length,
  };
}

/** The record rules' findings and the model's inputs for one claim. */
export interface RecordCheck {
  readonly flags: ClaimFlag[];
  /** 1 when no encounter in the record lies near the service day. */
  readonly noEncounter: number;
  /** Diagnoses the claim names that the record does not hold. */
  readonly unsupportedDiagnoses: number;
}

/**
 * Checks a claim against the patient's encounters and conditions.
 *
 * @param facts - the claim
 * @param record - the patient's indexed record, if the insurer may read it
 * @param toleranceDays - an encounter this many days from the service day still counts
 */
export function checkRecord(facts: ClaimFacts, record: RecordIndex | undefined, toleranceDays: number): RecordCheck {
  const flags: ClaimFlag[] = [];
  let noEncounter = 0;
  const codes = [...new Set(facts.lines.filter((line) => !line.diagnosis).map((line) => line.code))];
  if (record?.encounterDays && facts.dayNumber !== undefined) {
    const day = facts.dayNumber;
    const distance = (span: readonly [number, number]): number =>
      day < span[0] ? span[0] - day : day > span[1] ? day - span[1] : 0;
    const nearest = Math.min(...record.encounterDays.map(distance));
    if (nearest > toleranceDays) {
      noEncounter = 1;
      const unknown = facts.encounters.filter((id) => !record.encounterIds.has(id));
      const gap = Number.isFinite(nearest) ? `the nearest is ${nearest} days away` : 'it has no dated encounter';
      flags.push({
        kind: 'no-encounter',
        severity: unknown.length > 0 ? 'high' : 'medium',
        claimIds: [facts.id],
        codes,
        message: `The patient's record has no encounter within ${toleranceDays} day${toleranceDays === 1 ? '' : 's'} of ${facts.day}, the claim's service day (${gap})${
          unknown.length > 0 ? `, and the encounter the claim names (${unknown.join(', ')}) is not in the record` : ''
        }: the service may not have taken place.`,
      });
    }
  }
  let unsupportedDiagnoses = 0;
  if (record?.conditionCodes) {
    const missing = facts.diagnoses.filter((d) => !record.conditionCodes!.has(d.code));
    unsupportedDiagnoses = missing.length;
    if (missing.length > 0) {
      flags.push({
        kind: 'unsupported-diagnosis',
        severity: 'low',
        claimIds: [facts.id],
        codes: missing.map((d) => d.code),
        message: `The claim names ${missing.map((d) => describeCode(d.code, d.display)).join(', ')}, which ${
          missing.length === 1 ? 'is' : 'are'
        } not among the ${record.conditionCount} conditions in the patient's record.`,
      });
    }
  }
  return { flags, noEncounter, unsupportedDiagnoses };
}
