/**
 * The provider directory. A provider's public profile — who it is (a FHIR Practitioner, or an
 * Organization for a lab or an insurer), its specialty, its organisation and a professional
 * identifier, as a PractitionerRole — is public information about a professional, never patient data.
 * The admin publishes it unencrypted on IPFS; the chain holds its SHA-256 (`providerInfo.profileHash`)
 * and announces its CID (`ProviderProfileUpdated`). Every read is checked against both, so neither the
 * IPFS node nor the RPC can put another name on a provider.
 */
import type { Bundle, Identifier, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { Address, Hex } from 'viem';

import {
  type ChainContext,
  type ProviderSummary,
  type SendOptions,
  contractEvents,
  listProviders,
  providerKindOf,
  writeMedLedger,
} from '../chain';
import { IntegrityError, MedLedgerError, ValidationError, type ValidationIssue, describeError } from '../errors';
import { type KuboRPCClient, addBytes, fetchVerified, unpin } from '../ipfs';
import { type Vault, cidFromBytes, cidToBytes, sha256Hex } from './vault';

/** Largest profile a reader accepts: a few resources of text. */
const MAX_PROFILE_BYTES = 64 * 1024;

/** What the admin says about a provider; everything here is public. */
export interface ProviderProfile {
  /** The person's or the organisation's name, e.g. "Dr. Ada Okafor" or "Northside Clinical Lab". */
  readonly name: string;
  /** Practitioner for a person (a doctor), Organization for a lab or an insurer. */
  readonly type: 'Practitioner' | 'Organization';
  /** Specialty in words, e.g. "Cardiology". */
  readonly specialty?: string;
  /** The organisation a practitioner works for, e.g. "St. Mary's Hospital". */
  readonly organization?: string;
  /** A professional identifier, e.g. an NPI. */
  readonly identifier?: Identifier;
}

/** One provider of the directory: its on-chain standing and, when published and verified, its profile. */
export interface DirectoryEntry extends ProviderSummary {
  readonly profile?: ProviderProfile;
  /** Why a published profile could not be shown (not stored, or not what the chain anchored). */
  readonly profileError?: string;
}

/**
 * How a provider of a kind is described: a doctor is a person (Practitioner); a lab or an insurer is
 * an Organization.
 *
 * @param kind - the on-chain kind code (`providerInfo(…).kind`)
 */
export function profileTypeOf(kind: number): ProviderProfile['type'] {
  return providerKindOf(kind) === 'doctor' ? 'Practitioner' : 'Organization';
}

/** Identifier systems people know by a short name (the CLI's `--identifier npi|…`, the admin's form). */
export const IDENTIFIER_SYSTEMS: readonly { readonly label: string; readonly system: string }[] = [
  { label: 'NPI', system: 'http://hl7.org/fhir/sid/us-npi' },
  { label: 'GMC', system: 'https://fhir.hl7.org.uk/Id/gmc-number' },
  { label: 'CLIA', system: 'urn:oid:2.16.840.1.113883.4.7' },
];

/**
 * Reads a professional identifier written as a FHIR token, `SYSTEM|VALUE` (the system a URI or a short
 * name of {@link IDENTIFIER_SYSTEMS}, e.g. `npi|1234567893`), or a bare `VALUE` without a system.
 *
 * @param text - the identifier as typed
 * @param path - where it was typed, for the validation issue
 * @throws {@link ValidationError} when the value is empty or the system is neither a URI nor a known name
 */
export function parseIdentifier(text: string, path = 'identifier'): Identifier {
  const bar = text.indexOf('|');
  const system = bar < 0 ? '' : text.slice(0, bar).trim();
  const value = (bar < 0 ? text : text.slice(bar + 1)).trim();
  if (!value) throw new ValidationError([{ path, message: 'needs a value, e.g. npi|1234567893' }]);
  if (!system) return { value };
  const known = IDENTIFIER_SYSTEMS.find((entry) => entry.label.toLowerCase() === system.toLowerCase());
  if (known) return { system: known.system, value };
  if (!/^(https?:\/\/\S+|urn:\S+)$/.test(system)) {
    const names = IDENTIFIER_SYSTEMS.map((entry) => entry.label.toLowerCase()).join(', ');
    throw new ValidationError([{ path, message: `the system "${system}" is neither a URI nor one of ${names}` }]);
  }
  return { system, value };
}

/** An identifier in words: "NPI 1234567893", else its system URI and value. */
export function identifierText(identifier: Identifier): string {
  const known = IDENTIFIER_SYSTEMS.find((entry) => entry.system === identifier.system);
  return [known?.label ?? identifier.system, identifier.value].filter(Boolean).join(' ');
}

/** What a profile says besides the name, in one line: "Cardiology · St. Mary's Hospital". */
export function profileSummary(profile: ProviderProfile): string {
  return [profile.specialty, profile.organization].filter(Boolean).join(' · ');
}

/**
 * The FHIR form of a profile: a collection Bundle of the Practitioner or Organization and, when a
 * specialty or an organisation is given, a PractitionerRole tying them together.
 */
export function profileBundle(profile: ProviderProfile): Bundle {
  const issues = profileIssues(profile);
  if (issues.length > 0) throw new ValidationError(issues, 'The provider profile is incomplete');
  const subject: Practitioner | Organization =
    profile.type === 'Practitioner'
      ? {
          resourceType: 'Practitioner',
          id: 'provider',
          name: [{ text: profile.name.trim() }],
          ...(profile.identifier ? { identifier: [profile.identifier] } : {}),
        }
      : {
          resourceType: 'Organization',
          id: 'provider',
          name: profile.name.trim(),
          ...(profile.identifier ? { identifier: [profile.identifier] } : {}),
        };
  const entries: Bundle['entry'] = [{ fullUrl: `${subject.resourceType}/provider`, resource: subject }];
  if (profile.specialty?.trim() || profile.organization?.trim()) {
    const role: PractitionerRole = {
      resourceType: 'PractitionerRole',
      id: 'role',
      ...(profile.type === 'Practitioner'
        ? { practitioner: { reference: 'Practitioner/provider', display: profile.name.trim() } }
        : {}),
      ...(profile.organization?.trim() ? { organization: { display: profile.organization.trim() } } : {}),
      ...(profile.specialty?.trim() ? { specialty: [{ text: profile.specialty.trim() }] } : {}),
    };
    entries.push({ fullUrl: 'PractitionerRole/role', resource: role });
  }
  return { resourceType: 'Bundle', type: 'collection', entry: entries };
}

function profileIssues(profile: ProviderProfile): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!profile.name?.trim()) issues.push({ path: 'name', message: 'is required' });
  if (profile.name && profile.name.length > 200)
    issues.push({ path: 'name', message: 'is longer than 200 characters' });
  if (profile.type !== 'Practitioner' && profile.type !== 'Organization') {
    issues.push({ path: 'type', message: 'must be Practitioner or Organization' });
  }
  if (profile.type === 'Organization' && profile.organization?.trim()) {
    issues.push({ path: 'organization', message: 'is for a practitioner; an organisation is named by `name`' });
  }
  return issues;
}

/** Reads a profile back from its Bundle; anything else is an integrity failure of what was published. */
export function parseProfileBundle(bundle: unknown): ProviderProfile {
  const entries = (bundle as Bundle | null)?.resourceType === 'Bundle' ? ((bundle as Bundle).entry ?? []) : [];
  const subject = entries.find(
    (entry) => entry.resource?.resourceType === 'Practitioner' || entry.resource?.resourceType === 'Organization',
  )?.resource as Practitioner | Organization | undefined;
  if (!subject) throw new IntegrityError('The published profile holds no Practitioner or Organization.');
  const role = entries.find((entry) => entry.resource?.resourceType === 'PractitionerRole')?.resource as
    PractitionerRole | undefined;
  const name =
    subject.resourceType === 'Practitioner'
      ? (subject.name?.[0]?.text ??
        [subject.name?.[0]?.prefix, subject.name?.[0]?.given, subject.name?.[0]?.family]
          .flat()
          .filter(Boolean)
          .join(' '))
      : subject.name;
  if (!name) throw new IntegrityError('The published profile has no name.');
  return {
    name,
    type: subject.resourceType,
    ...(role?.specialty?.[0]?.text ? { specialty: role.specialty[0].text } : {}),
    ...(role?.organization?.display ? { organization: role.organization.display } : {}),
    ...(subject.identifier?.[0] ? { identifier: subject.identifier[0] } : {}),
  };
}

/**
 * Publishes (or replaces) `provider`'s profile: stores the Bundle on IPFS, then records its CID and
 * SHA-256 on-chain. The acting wallet must hold `PROVIDER_ADMIN_ROLE`. If the transaction fails, the
 * blob is unpinned again.
 *
 * @returns the profile's CID
 */
export async function publishProviderProfile(
  vault: Pick<Vault, 'chain' | 'ipfs'>,
  provider: Address,
  profile: ProviderProfile,
  options: SendOptions = {},
): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(profileBundle(profile)));
  const cid = await addBytes(vault.ipfs, bytes);
  try {
    await writeMedLedger(
      vault.chain,
      'setProviderProfile',
      [provider, cidToBytes(cid), await sha256Hex(bytes)],
      options,
    );
  } catch (error) {
    await unpin(vault.ipfs, cid).catch(() => false);
    throw error;
  }
  return cid;
}

/** The newest profile CID announced for each provider. */
async function profileCids(context: ChainContext): Promise<Map<Address, Hex>> {
  const logs = await contractEvents(context, { eventName: 'ProviderProfileUpdated' });
  return new Map(logs.map((log) => [log.args.provider, log.args.profileCid]));
}

/**
 * Every registered provider with its standing and its verified profile, oldest registration first. A
 * profile that cannot be fetched or does not hash to what the chain holds is left out and said why.
 */
export async function providerDirectory(context: ChainContext, ipfs: KuboRPCClient): Promise<DirectoryEntry[]> {
  const [providers, cids] = await Promise.all([listProviders(context), profileCids(context)]);
  return Promise.all(
    providers.map(async (summary): Promise<DirectoryEntry> => {
      const cid = cids.get(summary.provider);
      if (!cid || /^0x0*$/.test(summary.profileHash)) return summary;
      try {
        const bytes = await fetchVerified(ipfs, cidFromBytes(cid), summary.profileHash.slice(2), {
          maxBytes: MAX_PROFILE_BYTES,
        });
        return { ...summary, profile: parseProfileBundle(JSON.parse(new TextDecoder().decode(bytes))) };
      } catch (error) {
        const reason = error instanceof MedLedgerError ? error.message : describeError(error);
        return { ...summary, profileError: reason };
      }
    }),
  );
}

/** How a directory entry reads in one line: its name, else its address. */
export function providerName(entry: Pick<DirectoryEntry, 'provider' | 'profile'>): string {
  return entry.profile?.name ?? entry.provider;
}

/**
 * The entries matching every word of `query` in the name, specialty, organisation or kind (case and
 * accents ignored), in directory order. An empty query matches all.
 */
export function searchDirectory<T extends DirectoryEntry>(
  entries: readonly T[],
  query: string,
  kindNames: Readonly<Record<number, string>> = {},
): T[] {
  const fold = (text: string) =>
    text
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  return entries.filter((entry) => {
    const haystack = fold(
      [
        entry.profile?.name,
        entry.profile?.specialty,
        entry.profile?.organization,
        kindNames[entry.kind],
        entry.provider,
      ]
        .filter(Boolean)
        .join(' '),
    );
    return words.every((word) => haystack.includes(word));
  });
}
