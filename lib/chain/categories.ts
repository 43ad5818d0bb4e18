/**
 * Record categories: small codes for FHIR resource classes, the only thing the chain learns about a
 * record's content. They index consent scopes (read bit `c`, write bit `32 + c`), mirroring
 * `contracts/libraries/Scopes.sol`.
 */
export const RECORD_CATEGORIES = {
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
} as const;

export type RecordCategoryName = keyof typeof RECORD_CATEGORIES;
export type RecordCategory = (typeof RECORD_CATEGORIES)[RecordCategoryName];

/** Number of categories a scope mask can address (contract constant `Scopes.CATEGORY_COUNT`). */
export const CATEGORY_COUNT = 32;

/** The read bits of a scope mask (contract constant `Scopes.READ_MASK`). */
export const READ_MASK = 0xffffffffn;

const CATEGORY_BY_RESOURCE_TYPE: Readonly<Record<string, RecordCategory>> = {
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
};

/** The category a FHIR resource type is filed under; types not modelled go to `other`. */
export function categoryOf(resourceType: string): RecordCategory {
  return CATEGORY_BY_RESOURCE_TYPE[resourceType] ?? RECORD_CATEGORIES.other;
}

/** Human name of a category code, e.g. `diagnosticReport`; undefined for codes not assigned. */
export function categoryName(category: number): RecordCategoryName | undefined {
  return (Object.keys(RECORD_CATEGORIES) as RecordCategoryName[]).find((name) => RECORD_CATEGORIES[name] === category);
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
