/**
 * The provider directory as the web app shows it: one name per address, and the choices of the
 * patient's provider picker. Pure functions, no React (components/use-provider-directory.ts holds the
 * cached read).
 */
import { PROVIDER_KIND_LABELS, PROVIDER_KINDS } from '../lib/chain/provider-kinds';
import { type DirectoryEntry, searchDirectory } from '../lib/records/directory';
import { shortAddress } from './records/format';

/** Kind labels by on-chain code, as `searchDirectory` matches them ("doctor", "laboratory"). */
export const KIND_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  PROVIDER_KINDS.map((kind, code) => [code, `${kind} ${PROVIDER_KIND_LABELS[kind]}`]),
);

/** The directory by lower-cased address. */
export function indexDirectory(entries: readonly DirectoryEntry[]): ReadonlyMap<string, DirectoryEntry> {
  return new Map(entries.map((entry) => [entry.provider.toLowerCase(), entry]));
}

/**
 * The name a provider goes by: its published name, else the name the patient gave it in this browser
 * (for a provider without a profile); undefined when it has neither.
 *
 * @param entry - its directory entry, if the directory lists it
 * @param localName - the patient's own name for it, if any
 */
export function knownName(entry?: DirectoryEntry, localName?: string): string | undefined {
  return entry?.profile?.name ?? (localName?.trim() || undefined);
}

/**
 * What to call a provider in a sentence: {@link knownName}, else its short address.
 *
 * @param address - the provider's address
 * @param entry - its directory entry, if the directory lists it
 * @param localName - the patient's own name for it, if any
 */
export function providerLabel(address: string, entry?: DirectoryEntry, localName?: string): string {
  return knownName(entry, localName) ?? shortAddress(address);
}

/** One choice of the provider picker. */
export interface PickerOption {
  readonly entry: DirectoryEntry;
  readonly label: string;
  /** Why it cannot be chosen; undefined when it can. */
  readonly unavailable?: string;
}

/**
 * The providers matching `query`, as the picker lists them: by name, providers without a published
 * profile last; suspended ones listed but not selectable. `exclude` (the patient's own address) is
 * left out.
 *
 * @param entries - the directory
 * @param query - what the patient typed: words of the name, specialty, organisation or kind
 * @param exclude - an address never to offer
 */
export function pickerOptions(entries: readonly DirectoryEntry[], query: string, exclude?: string): PickerOption[] {
  return searchDirectory(entries, query, KIND_NAMES)
    .filter((entry) => entry.provider.toLowerCase() !== exclude?.toLowerCase())
    .map((entry) => ({
      entry,
      label: providerLabel(entry.provider, entry),
      unavailable: entry.suspended ? 'Suspended by the administrator' : undefined,
    }))
    .sort(
      (a, b) =>
        Number(!a.entry.profile) - Number(!b.entry.profile) ||
        a.label.localeCompare(b.label, undefined, { sensitivity: 'base' }),
    );
}
