/**
 * Record categories: small codes for FHIR resource classes, the only thing the chain learns about a
 * record's content. They index consent scopes (read bit `c`, write bit `32 + c`), mirroring
 * `contracts/libraries/Scopes.sol`. Codes are stored on-chain with every record, so a code is never
 * renumbered: new categories take the next free code below 32.
 */
import { ValidationError } from '../errors';

export const RECORD_CATEGORIES = {
  /** Anything not modelled below. Holds the patient profile of records written before code 11. */
  other: 0,
  observation: 1,
  condition: 2,
  medication: 3,
  allergy: 4,
  immunization: 5,
  procedure: 6,
  diagnosticReport: 7,
  document: 8,
  encounter: 9,
  carePlan: 10,
  /** The patient profile (FHIR Patient: name, date of birth, sex), shared on its own scope bit. */
  profile: 11,
  /** Claims, explanations of benefit and coverage, so an insurer can be granted billing alone. */
  billing: 12,
} as const;

export type RecordCategoryName = keyof typeof RECORD_CATEGORIES;
export type RecordCategory = (typeof RECORD_CATEGORIES)[RecordCategoryName];

/** Number of categories a scope mask can address (contract constant `Scopes.CATEGORY_COUNT`). */
export const CATEGORY_COUNT = 32;

/** The read bits of a scope mask (contract constant `Scopes.READ_MASK`). */
export const READ_MASK = 0xffffffffn;

/**
 * Where a patient's profile may be stored: its own category, and `other`, where profiles were filed
 * before the profile had a category of its own. Readers looking for the profile read both.
 */
export const PROFILE_CATEGORIES: readonly number[] = [RECORD_CATEGORIES.profile, RECORD_CATEGORIES.other];

const CATEGORY_BY_RESOURCE_TYPE: Readonly<Record<string, RecordCategory>> = {
  Patient: RECORD_CATEGORIES.profile,
  Observation: RECORD_CATEGORIES.observation,
  Condition: RECORD_CATEGORIES.condition,
  MedicationRequest: RECORD_CATEGORIES.medication,
  MedicationStatement: RECORD_CATEGORIES.medication,
  MedicationAdministration: RECORD_CATEGORIES.medication,
  MedicationDispense: RECORD_CATEGORIES.medication,
  AllergyIntolerance: RECORD_CATEGORIES.allergy,
  Immunization: RECORD_CATEGORIES.immunization,
  Procedure: RECORD_CATEGORIES.procedure,
  DiagnosticReport: RECORD_CATEGORIES.diagnosticReport,
  DocumentReference: RECORD_CATEGORIES.document,
  Encounter: RECORD_CATEGORIES.encounter,
  CarePlan: RECORD_CATEGORIES.carePlan,
  Claim: RECORD_CATEGORIES.billing,
  ClaimResponse: RECORD_CATEGORIES.billing,
  ExplanationOfBenefit: RECORD_CATEGORIES.billing,
  Coverage: RECORD_CATEGORIES.billing,
};

/** The category a FHIR resource type is filed under; types not modelled go to `other`. */
export function categoryOf(resourceType: string): RecordCategory {
  return CATEGORY_BY_RESOURCE_TYPE[resourceType] ?? RECORD_CATEGORIES.other;
}

/** Human name of a category code, e.g. `diagnosticReport`; undefined for codes not assigned. */
export function categoryName(category: number): RecordCategoryName | undefined {
  return (Object.keys(RECORD_CATEGORIES) as RecordCategoryName[]).find((name) => RECORD_CATEGORIES[name] === category);
}

/**
 * What people call each category, in the order lists show them: the profile first, then the
 * clinical records, billing, and `other` last.
 */
export const CATEGORY_LABELS: Readonly<Record<RecordCategoryName, string>> = {
  profile: 'Profile',
  observation: 'Observations',
  condition: 'Conditions',
  medication: 'Medications',
  allergy: 'Allergies',
  immunization: 'Immunizations',
  procedure: 'Procedures',
  diagnosticReport: 'Reports',
  document: 'Documents',
  encounter: 'Encounters',
  carePlan: 'Care plans',
  billing: 'Billing & insurance',
  other: 'Other',
};

/** Every category code with its name and label, in display order. */
export const CATEGORY_ORDER: readonly { category: number; name: RecordCategoryName; label: string }[] = (
  Object.keys(CATEGORY_LABELS) as RecordCategoryName[]
).map((name) => ({ category: RECORD_CATEGORIES[name], name, label: CATEGORY_LABELS[name] }));

/** The label of a category code, e.g. 1 → "Observations"; unknown codes say their number. */
export function categoryLabel(category: number): string {
  const name = categoryName(category);
  return name ? CATEGORY_LABELS[name] : `Category ${category}`;
}

/**
 * A scope mask in words a clinician reads at a glance, e.g. "Read Observations, Conditions · Write
 * Observations". (`describeScopes` in lib/chain/errors is the terser form used in error sentences.)
 *
 * @param scopes - the scope mask
 */
export function scopeSummary(scopes: bigint): string {
  const { read, write } = decodeScopes(scopes);
  const list = (categories: number[]) => categories.map(categoryLabel).join(', ');
  const parts = [read.length ? `Read ${list(read)}` : '', write.length ? `Write ${list(write)}` : ''].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'Nothing';
}

/** Scope bit to read records of `category`. */
export function readScope(category: number): bigint {
  return 1n << BigInt(category);
}

/** Scope bit to append records of `category`. */
export function writeScope(category: number): bigint {
  return 1n << BigInt(32 + category);
}

/** Union of read (and optionally write) scopes for several categories. */
export function scopesFor(categories: readonly number[], access: { read?: boolean; write?: boolean }): bigint {
  let scopes = 0n;
  for (const category of categories) {
    if (access.read) scopes |= readScope(category);
    if (access.write) scopes |= writeScope(category);
  }
  return scopes;
}

/** The categories a scope mask can read and write. */
export function decodeScopes(scopes: bigint): { read: number[]; write: number[] } {
  const read: number[] = [];
  const write: number[] = [];
  for (let category = 0; category < CATEGORY_COUNT; category++) {
    if (scopes & readScope(category)) read.push(category);
    if (scopes & writeScope(category)) write.push(category);
  }
  return { read, write };
}

const NAMES = Object.keys(RECORD_CATEGORIES) as RecordCategoryName[];
const ACCESS = ['read', 'write', 'rw'] as const;

/**
 * Scopes written as text, the form the CLI's `--scopes` takes: comma-separated `access:category`
 * with access `read`, `write` or `rw` and a category name or `all`, e.g. `read:observation,rw:condition`.
 *
 * @param text - the scopes as text
 * @returns the scope mask
 * @throws {@link ValidationError} naming every part that is not a scope, or when none is named
 */
export function parseScopes(text: string): bigint {
  let scopes = 0n;
  const issues = [];
  for (const part of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [access, name] = part.split(':') as [string, string | undefined];
    const categories =
      name === 'all'
        ? NAMES.map((n) => RECORD_CATEGORIES[n])
        : NAMES.includes(name as RecordCategoryName)
          ? [RECORD_CATEGORIES[name as RecordCategoryName]]
          : undefined;
    if (!categories || !(ACCESS as readonly string[]).includes(access)) {
      issues.push({ path: `--scopes ${part}`, message: `use read|write|rw:<${NAMES.join('|')}|all>` });
      continue;
    }
    for (const category of categories) {
      if (access !== 'write') scopes |= readScope(category);
      if (access !== 'read') scopes |= writeScope(category);
    }
  }
  if (scopes === 0n && issues.length === 0) issues.push({ path: '--scopes', message: 'name at least one scope' });
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid scopes');
  return scopes;
}

/**
 * A scope mask as the text {@link parseScopes} reads, in display order: `rw:` where both are held,
 * e.g. `read:profile,rw:observation`. Codes without a name print as their number.
 *
 * @param scopes - the scope mask
 */
export function formatScopes(scopes: bigint): string {
  const { read, write } = decodeScopes(scopes);
  const order = new Map(CATEGORY_ORDER.map(({ category }, index) => [category, index]));
  const rank = (category: number) => order.get(category) ?? CATEGORY_COUNT + category;
  return [...new Set([...read, ...write])]
    .sort((a, b) => rank(a) - rank(b))
    .map((category) => {
      const access = read.includes(category) ? (write.includes(category) ? 'rw' : 'read') : 'write';
      return `${access}:${categoryName(category) ?? category}`;
    })
    .join(',');
}
