'use client';

import { CATEGORY_ORDER, readScope, writeScope } from '../../lib/chain/categories';

export { scopeSummary } from '../../lib/chain/categories';

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
