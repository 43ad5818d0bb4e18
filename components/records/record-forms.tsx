'use client';

import type { Observation, Resource } from '@medplum/fhirtypes';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { Address } from 'viem';

import { reviewEntry } from '../../lib/ai/plausibility';
import { OBSERVATION_PRESETS } from './observation-presets';
import { unitText } from './format';
import {
  ALLERGY_CATEGORIES,
  CONDITION_STATUSES,
  CONDITION_SUGGESTIONS,
  CRITICALITIES,
  type CodedSuggestion,
  MEDICATION_STATUSES,
  MEDICATION_SUGGESTIONS,
  SEVERITIES,
  VACCINE_SUGGESTIONS,
  buildAllergy,
  buildCondition,
  buildImmunization,
  buildMedicationStatement,
  buildObservation,
  nowLocal,
} from './resource-builders';

/** Writes one resource; resolves true once it is confirmed on-chain. */
export type SaveResource = (resource: Resource, label: string) => Promise<boolean>;

interface FormProps {
  patient: Address;
  busy: boolean;
  save: SaveResource;
}

function today(): string {
  return nowLocal().slice(0, 10);
}

/**
 * Suggestions for a text input (`list={id}`): each one's text, and with `showCodes` its code beside it.
 *
 * @param showCodes - show each suggestion's code, for forms that bill by code
 */
export function Suggestions({
  id,
  items,
  showCodes = false,
}: {
  id: string;
  items: readonly CodedSuggestion[];
  showCodes?: boolean;
}) {
  return (
    <datalist id={id}>
      {items.map((item) => (
        <option key={item.code} value={item.text}>
          {showCodes ? item.code : null}
        </option>
      ))}
    </datalist>
  );
}

function Select<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as T)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {option.replace(/-/g, ' ')}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * A labelled form field: `children` renders the control with the id and the `aria-describedby` it is
 * given, and the field shows its hint and, when there is one, the error to correct.
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  children: (id: string, describedBy?: string) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint ? (
        <p id={hintId} className="small muted field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="small error-text field-hint">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A one-line text input of up to 200 characters, optionally with coded suggestions to pick from. */
function TextField({
  label,
  hint,
  required = false,
  placeholder,
  suggestions,
  value,
  onChange,
}: {
  label: string;
  hint?: string;
  required?: boolean;
  placeholder?: string;
  suggestions?: readonly CodedSuggestion[];
  value: string;
  onChange: (value: string) => void;
}) {
  const listId = useId();
  return (
    <>
      <Field label={label} hint={hint}>
        {(id, describedBy) => (
          <input
            id={id}
            type="text"
            required={required}
            maxLength={200}
            list={suggestions ? listId : undefined}
            aria-describedby={describedBy}
            placeholder={placeholder}
            value={value}
            onChange={(event) => onChange(event.target.value)}
          />
        )}
      </Field>
      {suggestions ? <Suggestions id={listId} items={suggestions} /> : null}
    </>
  );
}

/** A measurement from a preset (blood pressure, heart rate, weight, BMI, glucose, HbA1c, cholesterol). */
export function ObservationForm({ patient, busy, save }: FormProps) {
  const [presetId, setPresetId] = useState(OBSERVATION_PRESETS[0]!.id);
  const preset = OBSERVATION_PRESETS.find((entry) => entry.id === presetId)!;
  const [values, setValues] = useState<Record<string, string>>({});
  // Undefined until the person edits it: the measurement is then dated the moment it is saved, not
  // the moment the form was opened.
  const [effective, setEffective] = useState<string>();
  const [note, setNote] = useState('');
  const [warnings, setWarnings] = useState<{ forKey: string; messages: string[]; refused: boolean }>();
  const presetSelectId = useId();

  const numbers = preset.analytes.map((analyte) => Number(values[analyte.loinc]));
  const key = JSON.stringify([presetId, numbers, effective ?? 'now']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const observation: Observation = buildObservation(patient, preset, numbers, effective ?? nowLocal(), note);
    const { refused, toConfirm } = reviewEntry(observation);
    // Impossible values (lib/ai/bounds hard limits, which the inputs' min and max also enforce) are
    // refused; unusual ones are not (they may be real) but need a second, deliberate click.
    if (refused.length > 0) {
      setWarnings({ forKey: key, messages: refused.map((warning) => warning.message), refused: true });
      return;
    }
    if (toConfirm.length > 0 && warnings?.forKey !== key) {
      setWarnings({ forKey: key, messages: toConfirm.map((warning) => warning.message), refused: false });
      return;
    }
    if (await save(observation, `${preset.label} saved.`)) {
      setValues({});
      setNote('');
      setEffective(undefined);
      setWarnings(undefined);
    }
  }

  const shown = warnings?.forKey === key ? warnings : undefined;
  const confirming = shown !== undefined && !shown.refused;
  return (
    <form onSubmit={submit} aria-label="Add a measurement">
      <label htmlFor={presetSelectId}>Kind of measurement</label>
      <select
        id={presetSelectId}
        value={presetId}
        onChange={(event) => {
          setPresetId(event.target.value);
          setValues({});
        }}
      >
        {OBSERVATION_PRESETS.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {entry.label} (LOINC {entry.loinc})
          </option>
        ))}
      </select>
      <div className="row">
        {preset.analytes.map((analyte) => (
          <Field
            key={analyte.loinc}
            label={`${analyte.label} (${unitText(analyte.unit)})`}
            hint={
              analyte.low !== undefined || analyte.high !== undefined
                ? `Typical adult range ${analyte.low ?? '…'}–${analyte.high ?? '…'}`
                : undefined
            }
          >
            {(id, describedBy) => (
              <input
                id={id}
                type="number"
                inputMode="decimal"
                required
                min={analyte.min}
                max={analyte.max}
                step={analyte.step}
                aria-describedby={describedBy}
                value={values[analyte.loinc] ?? ''}
                onChange={(event) => setValues((previous) => ({ ...previous, [analyte.loinc]: event.target.value }))}
              />
            )}
          </Field>
        ))}
        <Field
          label="Measured at"
          hint={effective === undefined ? 'Now: the moment you save, unless you change it.' : undefined}
        >
          {(id, describedBy) => (
            <input
              id={id}
              type="datetime-local"
              required
              max={nowLocal()}
              aria-describedby={describedBy}
              value={effective ?? nowLocal()}
              onChange={(event) => setEffective(event.target.value)}
            />
          )}
        </Field>
      </div>
      <Field label="Note (optional)">
        {(id) => (
          <input id={id} type="text" maxLength={500} value={note} onChange={(event) => setNote(event.target.value)} />
        )}
      </Field>
      {shown ? (
        <div className="notice notice-error" role="alert">
          <strong>{shown.refused ? 'This cannot be saved:' : 'Please double-check:'}</strong>
          <ul>
            {shown.messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
          {shown.refused ? 'Correct the value and save.' : 'If the values are right, save again.'}
        </div>
      ) : null}
      <button type="submit" disabled={busy}>
        {confirming ? 'Save measurement anyway' : 'Save measurement'}
      </button>
    </form>
  );
}

/** A diagnosis or problem, SNOMED CT-coded when it matches a suggestion. */
export function ConditionForm({ patient, busy, save }: FormProps) {
  const [name, setName] = useState('');
  const [status, setStatus] = useState<(typeof CONDITION_STATUSES)[number]>('active');
  const [onset, setOnset] = useState('');
  const [note, setNote] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await save(buildCondition(patient, { name, clinicalStatus: status, onset, note }), `${name.trim()} saved.`)) {
      setName('');
      setOnset('');
      setNote('');
    }
  }
  return (
    <form onSubmit={submit} aria-label="Add a condition">
      <TextField
        label="Condition"
        hint="Start typing for common diagnoses; anything else is saved as text."
        required
        suggestions={CONDITION_SUGGESTIONS}
        value={name}
        onChange={setName}
      />
      <div className="row">
        <Select label="Clinical status" value={status} options={CONDITION_STATUSES} onChange={setStatus} />
        <Field label="Onset date (optional)">
          {(id) => (
            <input id={id} type="date" max={today()} value={onset} onChange={(event) => setOnset(event.target.value)} />
          )}
        </Field>
      </div>
      <Field label="Note (optional)">
        {(id) => (
          <input id={id} type="text" maxLength={500} value={note} onChange={(event) => setNote(event.target.value)} />
        )}
      </Field>
      <button type="submit" disabled={busy}>
        Save condition
      </button>
    </form>
  );
}

/** A medication the patient takes (MedicationStatement), RxNorm-coded when it matches a suggestion. */
export function MedicationForm({ patient, busy, save }: FormProps) {
  const [drug, setDrug] = useState('');
  const [dose, setDose] = useState('');
  const [status, setStatus] = useState<(typeof MEDICATION_STATUSES)[number]>('active');
  const [since, setSince] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await save(buildMedicationStatement(patient, { drug, dose, status, since }), `${drug.trim()} saved.`)) {
      setDrug('');
      setDose('');
      setSince('');
    }
  }
  return (
    <form onSubmit={submit} aria-label="Add a medication">
      <TextField
        label="Medication"
        hint="Name and strength, e.g. “lisinopril 10 mg”."
        required
        suggestions={MEDICATION_SUGGESTIONS}
        value={drug}
        onChange={setDrug}
      />
      <div className="row">
        <TextField label="Dose (optional)" placeholder="1 tablet once daily" value={dose} onChange={setDose} />
        <Select label="Status" value={status} options={MEDICATION_STATUSES} onChange={setStatus} />
        <Field label="Taking since (optional)">
          {(id) => (
            <input id={id} type="date" max={today()} value={since} onChange={(event) => setSince(event.target.value)} />
          )}
        </Field>
      </div>
      <button type="submit" disabled={busy}>
        Save medication
      </button>
    </form>
  );
}

/** An allergy or intolerance with criticality and reaction. */
export function AllergyForm({ patient, busy, save }: FormProps) {
  const [substance, setSubstance] = useState('');
  const [category, setCategory] = useState<(typeof ALLERGY_CATEGORIES)[number]>('medication');
  const [criticality, setCriticality] = useState<(typeof CRITICALITIES)[number]>('low');
  const [reaction, setReaction] = useState('');
  const [severity, setSeverity] = useState<(typeof SEVERITIES)[number]>('mild');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (
      await save(
        buildAllergy(patient, { substance, category, criticality, reaction, severity }),
        `Allergy to ${substance.trim()} saved.`,
      )
    ) {
      setSubstance('');
      setReaction('');
    }
  }
  return (
    <form onSubmit={submit} aria-label="Add an allergy">
      <TextField label="Substance" required placeholder="penicillin" value={substance} onChange={setSubstance} />
      <div className="row">
        <Select label="Allergy category" value={category} options={ALLERGY_CATEGORIES} onChange={setCategory} />
        <Select label="Criticality" value={criticality} options={CRITICALITIES} onChange={setCriticality} />
      </div>
      <div className="row">
        <TextField label="Reaction (optional)" placeholder="hives" value={reaction} onChange={setReaction} />
        <Select label="Reaction severity" value={severity} options={SEVERITIES} onChange={setSeverity} />
      </div>
      <button type="submit" disabled={busy}>
        Save allergy
      </button>
    </form>
  );
}

/** A vaccination, CVX-coded when it matches a suggestion. */
export function ImmunizationForm({ patient, busy, save }: FormProps) {
  const [vaccine, setVaccine] = useState('');
  const [date, setDate] = useState(today);
  const [lot, setLot] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await save(buildImmunization(patient, { vaccine, date, lot }), `${vaccine.trim()} saved.`)) {
      setVaccine('');
      setLot('');
    }
  }
  return (
    <form onSubmit={submit} aria-label="Add an immunization">
      <TextField
        label="Vaccine"
        hint="Start typing for common vaccines."
        required
        suggestions={VACCINE_SUGGESTIONS}
        value={vaccine}
        onChange={setVaccine}
      />
      <div className="row">
        <Field label="Date given">
          {(id) => (
            <input
              id={id}
              type="date"
              required
              max={today()}
              value={date}
              onChange={(event) => setDate(event.target.value)}
            />
          )}
        </Field>
        <Field label="Lot number (optional)">
          {(id) => (
            <input id={id} type="text" maxLength={64} value={lot} onChange={(event) => setLot(event.target.value)} />
          )}
        </Field>
      </div>
      <button type="submit" disabled={busy}>
        Save immunization
      </button>
    </form>
  );
}
