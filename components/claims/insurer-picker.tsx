'use client';

import { useId, useMemo } from 'react';

import { PROVIDER_KINDS } from '../../lib/chain/provider-kinds';
import { describeError } from '../../lib/errors';
import { pickerOptions } from '../provider-directory-model';
import styles from '../provider-directory.module.css';
import { DirectoryOption } from '../patient/provider-picker';
import { sameAddress } from '../records/format';
import { useProviderNames } from '../use-provider-directory';

const INSURER_KIND = PROVIDER_KINDS.indexOf('insurer');

/**
 * Chooses an insurer from the provider directory by name: only registered insurers are offered, a
 * suspended one is listed but cannot be chosen. `note(address)` may add a line under an insurer (e.g.
 * whether the patient already granted it billing access).
 */
export function InsurerPicker({
  value,
  onChange,
  exclude,
  disabled = false,
  legend = 'Insurer',
  note,
}: {
  value: string;
  onChange: (address: string) => void;
  exclude?: string;
  disabled?: boolean;
  legend?: string;
  note?: (address: string) => string | undefined;
}) {
  const { directory } = useProviderNames({ fresh: true });
  const group = useId();
  const options = useMemo(
    () => pickerOptions(directory.data ?? [], '', exclude).filter((option) => option.entry.kind === INSURER_KIND),
    [directory.data, exclude],
  );

  return (
    <fieldset className={styles.picker} disabled={disabled}>
      <legend>{legend}</legend>
      {directory.isPending ? (
        <p className="muted small" role="status">
          <span className="spinner" aria-hidden="true" /> Reading the provider directory…
        </p>
      ) : directory.isError ? (
        <div className="notice notice-error" role="alert">
          <p>The provider directory could not be read: {describeError(directory.error)}</p>
          <button type="button" className="secondary" onClick={() => directory.refetch()}>
            Try again
          </button>
        </div>
      ) : options.length === 0 ? (
        <p className="empty">No insurer is registered yet. The MedLedger administrator registers insurers.</p>
      ) : (
        <ul className={styles.options} aria-label="Insurers in the directory">
          {options.map((option) => {
            const extra = note?.(option.entry.provider);
            return (
              <DirectoryOption
                key={option.entry.provider}
                option={option}
                group={group}
                checked={sameAddress(value, option.entry.provider)}
                disabled={disabled}
                onPick={() => onChange(option.entry.provider)}
                showKind={false}
              >
                {extra ? <span className="small">{extra}</span> : null}
              </DirectoryOption>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
