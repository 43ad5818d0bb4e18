'use client';

import { useId } from 'react';

import { formatDate, relativeTime } from '../records/format';

export const EXPIRY_PRESETS = [
  { id: '1d', label: '1 day', seconds: 86_400 },
  { id: '30d', label: '30 days', seconds: 30 * 86_400 },
  { id: '1y', label: '1 year', seconds: 365 * 86_400 },
] as const;

/** A preset length, or a custom end date (`YYYY-MM-DD`, access ends at the end of that local day). */
export interface ExpiryChoice {
  readonly preset: (typeof EXPIRY_PRESETS)[number]['id'] | 'custom';
  readonly customDate: string;
}

export const DEFAULT_EXPIRY: ExpiryChoice = { preset: '30d', customDate: '' };

/** Unix seconds the choice ends at, or undefined for a custom date that is missing or not in the future. */
export function expiryOf(choice: ExpiryChoice, now = Date.now()): number | undefined {
  if (choice.preset !== 'custom') {
    const preset = EXPIRY_PRESETS.find((entry) => entry.id === choice.preset)!;
    return Math.floor(now / 1000) + preset.seconds;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(choice.customDate)) return undefined;
  const end = new Date(`${choice.customDate}T23:59:59`).getTime();
  return Number.isNaN(end) || end <= now ? undefined : Math.floor(end / 1000);
}

function tomorrow(): string {
  const date = new Date(Date.now() + 86_400_000);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** Presets 1 day / 30 days / 1 year, or a custom date; says when access will end. */
export function ExpiryPicker({
  value,
  onChange,
  legend = 'Access ends after',
  disabled = false,
}: {
  value: ExpiryChoice;
  onChange: (choice: ExpiryChoice) => void;
  legend?: string;
  disabled?: boolean;
}) {
  const name = useId();
  const dateId = useId();
  const expiry = expiryOf(value);
  return (
    <fieldset className="expiry-picker" disabled={disabled}>
      <legend>{legend}</legend>
      <div className="checks">
        {EXPIRY_PRESETS.map((preset) => (
          <label key={preset.id}>
            <input
              type="radio"
              name={name}
              checked={value.preset === preset.id}
              onChange={() => onChange({ ...value, preset: preset.id })}
            />
            {preset.label}
          </label>
        ))}
        <label>
          <input
            type="radio"
            name={name}
            checked={value.preset === 'custom'}
            onChange={() => onChange({ ...value, preset: 'custom' })}
          />
          Custom date
        </label>
      </div>
      {value.preset === 'custom' ? (
        <div>
          <label htmlFor={dateId}>Custom expiry date</label>
          <input
            id={dateId}
            type="date"
            min={tomorrow()}
            value={value.customDate}
            onChange={(event) => onChange({ ...value, customDate: event.target.value })}
          />
        </div>
      ) : null}
      <p className="small muted" aria-live="polite">
        {expiry ? `Access ends ${formatDate(expiry)} (${relativeTime(expiry)}).` : 'Choose a date in the future.'}
      </p>
    </fieldset>
  );
}
