/**
 * Services that contradict the patient record the insurer may read: a sex-specific service for a
 * patient recorded as the other sex, an age-specific one outside its ages. Skipped, never guessed,
 * when the record lacks the gender or date of birth.
 */
import { completedYears } from '../features';
import { DEMOGRAPHIC_RESTRICTIONS, type DemographicRestriction } from './codes';
import { describeCode, type ClaimFacts } from './facts';
import type { ClaimFlag, PatientContext } from './types';

const BY_CODE: ReadonlyMap<string, DemographicRestriction> = new Map(
  DEMOGRAPHIC_RESTRICTIONS.map((r) => [`${r.system}|${r.code}`, r]),
);

/** The demographic rule's findings and the model's inputs for one claim. */
export interface DemographicCheck {
  readonly flags: ClaimFlag[];
  /** 1 when a line contradicts the recorded gender. */
  readonly sexMismatch: number;
  /** 1 when a line contradicts the age at the day of service. */
  readonly ageMismatch: number;
}

function ageWords(restriction: DemographicRestriction): string {
  const { minAge, maxAge } = restriction;
  if (minAge !== undefined && maxAge !== undefined) return `patients aged ${minAge} to ${maxAge - 1} years`;
  if (minAge !== undefined) return `patients aged ${minAge} years or more`;
  return `patients younger than ${maxAge} years`;
}

/**
 * Checks each line of a claim against the sex and age its code is restricted to.
 *
 * @param facts - the claim
 * @param patient - what the insurer may read about the patient, if anything
 */
export function checkDemographics(facts: ClaimFacts, patient: PatientContext | undefined): DemographicCheck {
  const flags: ClaimFlag[] = [];
  let sexMismatch = 0;
  let ageMismatch = 0;
  const gender = patient?.gender === 'female' || patient?.gender === 'male' ? patient.gender : undefined;
  const age =
    patient?.birthDate && facts.day ? completedYears(patient.birthDate, new Date(`${facts.day}T00:00:00Z`)) : undefined;
  for (const line of facts.lines) {
    const restriction = BY_CODE.get(line.code);
    if (!restriction) continue;
    const service = describeCode(line.code, line.display || restriction.display);
    if (restriction.sex && gender && restriction.sex !== gender) {
      sexMismatch = 1;
      flags.push({
        kind: 'sex-mismatch',
        severity: restriction.severity,
        claimIds: [facts.id],
        codes: [line.code],
        message: `${service} is a service for ${restriction.sex} patients, but the patient's recorded gender is ${gender} (${restriction.source}); recorded gender is administrative, so check the record before acting, e.g. for a transgender patient.`,
      });
    }
    const tooYoung = restriction.minAge !== undefined && age !== undefined && age < restriction.minAge;
    const tooOld = restriction.maxAge !== undefined && age !== undefined && age >= restriction.maxAge;
    if (tooYoung || tooOld) {
      ageMismatch = 1;
      flags.push({
        kind: 'age-mismatch',
        severity: restriction.severity,
        claimIds: [facts.id],
        codes: [line.code],
        message: `${service} is for ${ageWords(restriction)}, but the patient was ${age} on ${facts.day} (${restriction.source}).`,
      });
    }
  }
  return { flags, sexMismatch, ageMismatch };
}
