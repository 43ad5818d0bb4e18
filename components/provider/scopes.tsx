'use client';

import { decodeScopes, readScope, writeScope } from '../../lib/chain/categories';
import { CATEGORY_ORDER, categoryLabel } from '../records/format';

/**
 * A scope mask in words a clinician reads at a glance, e.g. "Read Observations, Conditions · Write
 * Observations". (lib/chain `describeScopes` is the terser form used in error sentences.)
 */
export function scopeSummary(scopes: bigint): string {
  const { read, write } = decodeScopes(scopes);
  const list = (categories: number[]) => categories.map(categoryLabel).join(', ');
  const parts = [read.length ? `Read ${list(read)}` : '', write.length ? `Write ${list(write)}` : ''].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'Nothing';
}

/**
 * Categories × read/write as a table of checkboxes. Each checkbox is named "Read Observations",
 * "Write Conditions"…, so it can be found by label with a screen reader or a test.
 */
export function ScopePicker({
  value,
  onChange,
  disabled = false,
  legend = 'What do you need access to?',
}: {
  value: bigint;
  onChange: (scopes: bigint) => void;
  disabled?: boolean;
  legend?: string;
}) {
  const toggle = (bit: bigint, on: boolean) => onChange(on ? value | bit : value & ~bit);
  return (
    <fieldset className="scope-picker" disabled={disabled}>
      <legend>{legend}</legend>
      <table>
        <thead>
          <tr>
            <th scope="col">Records</th>
            <th scope="col">Read</th>
            <th scope="col">Write</th>
          </tr>
        </thead>
        <tbody>
          {CATEGORY_ORDER.map(({ category, label }) => (
            <tr key={category}>
              <th scope="row">{label}</th>
              {(['Read', 'Write'] as const).map((access) => {
                const bit = access === 'Read' ? readScope(category) : writeScope(category);
                return (
                  <td key={access}>
                    <input
                      type="checkbox"
                      aria-label={`${access} ${label}`}
                      checked={(value & bit) !== 0n}
                      onChange={(event) => toggle(bit, event.target.checked)}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}
