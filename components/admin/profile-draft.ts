/**
 * The administrator's provider-profile form as data: what the fields hold, and the profile they make
 * (or every reason they do not). Pure functions, no React.
 */
import type { Identifier } from '@medplum/fhirtypes';

import { ValidationError } from '../../lib/errors';
import { IDENTIFIER_SYSTEMS, type ProviderProfile, parseIdentifier, profileTypeOf } from '../../lib/records/directory';

/** The identifier-system choice meaning "a system URI typed in `otherSystem`". */
export const OTHER_SYSTEM = 'other';

/** The form's fields, as typed. */
export interface ProfileDraft {
  readonly name: string;
  readonly specialty: string;
  /** For a practitioner only: the organisation it works for. */
  readonly organization: string;
  /** '' for none, a system URI of {@link IDENTIFIER_SYSTEMS}, or {@link OTHER_SYSTEM}. */
  readonly identifierSystem: string;
  readonly otherSystem: string;
  readonly identifierValue: string;
}

export const EMPTY_DRAFT: ProfileDraft = {
  name: '',
  specialty: '',
  organization: '',
  identifierSystem: IDENTIFIER_SYSTEMS[0]!.system,
  otherSystem: '',
  identifierValue: '',
};

/** The fields of a published profile, for editing it. */
export function draftOf(profile: ProviderProfile | undefined): ProfileDraft {
  if (!profile) return EMPTY_DRAFT;
  const system = profile.identifier?.system ?? '';
  const known = IDENTIFIER_SYSTEMS.some((entry) => entry.system === system);
  return {
    name: profile.name,
    specialty: profile.specialty ?? '',
    organization: profile.organization ?? '',
    identifierSystem: !profile.identifier ? EMPTY_DRAFT.identifierSystem : known ? system : system ? OTHER_SYSTEM : '',
    otherSystem: known ? '' : system,
    identifierValue: profile.identifier?.value ?? '',
  };
}

/** The identifier the fields describe, none when no value is typed, or what is wrong with it. */
function identifierOf(draft: ProfileDraft): Identifier | undefined | string {
  const value = draft.identifierValue.trim();
  if (!value) return undefined;
  const other = draft.identifierSystem === OTHER_SYSTEM;
  const system = other ? draft.otherSystem.trim() : draft.identifierSystem;
  if (other && !system) return 'Enter the identifier system’s URI, or choose a known system or none.';
  try {
    return parseIdentifier(system ? `${system}|${value}` : value);
  } catch (error) {
    if (error instanceof ValidationError) return 'The identifier system must be a URI, e.g. https://… or urn:oid:….';
    throw error;
  }
}

/**
 * The profile the fields describe for a provider of `kind`, or every problem with them as sentences.
 * A lab's or an insurer's profile is an Organization, so it has no organisation field of its own.
 *
 * @param draft - the fields as typed
 * @param kind - the provider's on-chain kind code
 */
export function profileOf(draft: ProfileDraft, kind: number): { profile: ProviderProfile } | { problems: string[] } {
  const type = profileTypeOf(kind);
  const problems: string[] = [];
  const name = draft.name.trim();
  if (!name) {
    problems.push(
      type === 'Practitioner'
        ? 'Enter the doctor’s name as patients know it, e.g. Dr. Ada Okafor.'
        : 'Enter the organisation’s name, e.g. Northside Clinical Lab.',
    );
  } else if (name.length > 200) problems.push('The name is longer than 200 characters.');
  const identifier = identifierOf(draft);
  if (typeof identifier === 'string') problems.push(identifier);
  if (problems.length > 0) return { problems };
  const specialty = draft.specialty.trim();
  const organization = type === 'Practitioner' ? draft.organization.trim() : '';
  return {
    profile: {
      name,
      type,
      ...(specialty ? { specialty } : {}),
      ...(organization ? { organization } : {}),
      ...(identifier && typeof identifier !== 'string' ? { identifier } : {}),
    },
  };
}
