'use client';

import { type ReactNode, useId, useMemo, useState } from 'react';
import { isAddress } from 'viem';

import { providerKindLabel } from '../../lib/chain/provider-kinds';
import { describeError } from '../../lib/errors';
import { identifierText, profileSummary } from '../../lib/records/directory';
import { type PickerOption, pickerOptions } from '../provider-directory-model';
import styles from '../provider-directory.module.css';
import { sameAddress, shortAddress } from '../records/format';
import { useProviderNames } from '../use-provider-directory';

/** Who the patient chose: a provider picked from the directory, or an address typed by hand. */
export interface ProviderChoice {
  readonly address: string;
  /** Typed under "Advanced" rather than picked from the directory. */
  readonly typed: boolean;
  /** For a typed address: the patient's own name for it, kept in this browser. */
  readonly localName: string;
}

export const NO_PROVIDER: ProviderChoice = { address: '', typed: false, localName: '' };

/** How many matches show at once; a longer directory is narrowed by typing. */
const SHOWN = 24;

/** What to tell a patient who submits without choosing anyone. */
export function choiceProblem(choice: ProviderChoice): string | undefined {
  if (choice.address.trim()) return undefined;
  return choice.typed
    ? 'Enter the provider’s address, or choose a provider from the directory.'
    : 'Choose a provider from the directory (or enter an address under “Advanced”).';
}

/**
 * One directory entry as a radio choice: its name, kind and profile, identifier, whether it can be
 * chosen, and its address. `children` adds the caller's own lines about it, above the address.
 *
 * @param showKind - say what kind of provider it is; a picker of one kind only leaves it out
 */
export function DirectoryOption({
  option,
  group,
  checked,
  disabled,
  onPick,
  showKind = true,
  children,
}: {
  option: PickerOption;
  group: string;
  checked: boolean;
  disabled: boolean;
  onPick: () => void;
  showKind?: boolean;
  children?: ReactNode;
}) {
  const { entry, label, unavailable } = option;
  const about = [showKind ? providerKindLabel(entry.kind) : '', entry.profile ? profileSummary(entry.profile) : '']
    .filter(Boolean)
    .join(' · ');
  return (
    <li>
      <label className={styles.option}>
        <input
          type="radio"
          name={group}
          value={entry.provider}
          checked={checked}
          disabled={disabled || Boolean(unavailable)}
          onChange={onPick}
        />
        <span className={styles.optionText}>
          <span className={styles.optionName}>{label}</span>
          {about ? <span className="small">{about}</span> : null}
          {entry.profile?.identifier ? (
            <span className="small muted">{identifierText(entry.profile.identifier)}</span>
          ) : null}
          {unavailable ? (
            <span>
              <span className="badge badge-bad">{unavailable}</span>
            </span>
          ) : null}
          {children}
          <span className="mono small muted" title={entry.provider}>
            {shortAddress(entry.provider)}
          </span>
        </span>
      </label>
    </li>
  );
}

/**
 * The patient chooses a provider: a searchable directory of registered providers by name, specialty,
 * organisation and kind (suspended ones shown, not selectable), and under "Advanced" an address typed
 * by hand, for a provider the directory does not list.
 *
 * @param exclude - the patient's own address, never offered
 */
export function ProviderPicker({
  value,
  onChange,
  exclude,
  disabled = false,
  legend = 'Provider',
}: {
  value: ProviderChoice;
  onChange: (choice: ProviderChoice) => void;
  exclude?: string;
  disabled?: boolean;
  legend?: string;
}) {
  const { directory, entryOf, nameOf } = useProviderNames({ fresh: true });
  const [query, setQuery] = useState('');
  const [advanced, setAdvanced] = useState(false);
  const ids = { search: useId(), group: useId(), address: useId(), name: useId(), nameHint: useId() };
  const options = useMemo(() => pickerOptions(directory.data ?? [], query, exclude), [directory.data, query, exclude]);
  const chosen = !value.typed && value.address ? (nameOf(value.address) ?? shortAddress(value.address)) : undefined;
  const typedName =
    value.typed && isAddress(value.address.trim(), { strict: false })
      ? entryOf(value.address.trim())?.profile?.name
      : undefined;

  return (
    <fieldset className={styles.picker} disabled={disabled}>
      <legend>{legend}</legend>
      <label htmlFor={ids.search}>Find a provider</label>
      <input
        id={ids.search}
        type="search"
        className={styles.search}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        placeholder="Name, specialty, organisation or kind"
        autoComplete="off"
        spellCheck={false}
      />
      {directory.isPending ? (
        <p className="muted small" role="status">
          <span className="spinner" aria-hidden="true" /> Reading the provider directory…
        </p>
      ) : directory.isError ? (
        <div className="notice notice-error" role="alert">
          <p>
            The provider directory could not be read: {describeError(directory.error)} You can still enter an address
            under “Advanced”.
          </p>
          <button type="button" className="secondary" onClick={() => directory.refetch()}>
            Try again
          </button>
        </div>
      ) : options.length === 0 ? (
        <p className="empty">
          {query.trim()
            ? `No provider matches “${query.trim()}”. Try part of the name, the specialty or the organisation.`
            : 'No provider is registered yet.'}
        </p>
      ) : (
        <>
          <ul className={styles.options} aria-label="Providers in the directory">
            {options.slice(0, SHOWN).map((option) => (
              <DirectoryOption
                key={option.entry.provider}
                option={option}
                group={ids.group}
                checked={!value.typed && sameAddress(value.address, option.entry.provider)}
                disabled={disabled}
                onPick={() => onChange({ address: option.entry.provider, typed: false, localName: '' })}
              >
                {!option.entry.profile ? (
                  <span className="small muted">
                    {option.entry.profileError
                      ? 'Its directory profile could not be verified, so no name is shown.'
                      : 'No directory profile yet.'}
                  </span>
                ) : null}
                {!option.unavailable && !option.entry.hasKey ? (
                  <span className="small muted">No encryption key yet: it can be given write access only.</span>
                ) : null}
              </DirectoryOption>
            ))}
          </ul>
          {options.length > SHOWN ? (
            <p className="small muted">
              {options.length - SHOWN} more match; type more of the name to narrow the list.
            </p>
          ) : null}
        </>
      )}
      <p className={`${styles.chosen} small`} aria-live="polite">
        {chosen ? (
          <>
            Chosen: <strong>{chosen}</strong>
          </>
        ) : null}
      </p>
      <details
        className={styles.advanced}
        open={advanced}
        onToggle={(event) => setAdvanced((event.target as HTMLDetailsElement).open)}
      >
        <summary>Advanced: enter a provider address</summary>
        <p className="small muted">
          For a provider the directory does not list yet. The address is checked on-chain before anything is shared.
        </p>
        <div className="row">
          <div>
            <label htmlFor={ids.address}>Provider address</label>
            <input
              id={ids.address}
              className="mono"
              type="text"
              spellCheck={false}
              autoComplete="off"
              placeholder="0x…"
              value={value.typed ? value.address : ''}
              onChange={(event) => onChange({ address: event.target.value, typed: true, localName: value.localName })}
            />
            {typedName ? <p className="small field-hint">In the directory: {typedName}</p> : null}
          </div>
          <div>
            <label htmlFor={ids.name}>Your name for this provider (optional)</label>
            <input
              id={ids.name}
              type="text"
              maxLength={80}
              placeholder="e.g. Dr. Okafor"
              aria-describedby={ids.nameHint}
              value={value.typed ? value.localName : ''}
              onChange={(event) =>
                onChange({ address: value.typed ? value.address : '', typed: true, localName: event.target.value })
              }
            />
            <p id={ids.nameHint} className="small muted field-hint">
              Kept only in this browser, for a provider without a directory profile; names you give never go on-chain.
            </p>
          </div>
        </div>
      </details>
    </fieldset>
  );
}
