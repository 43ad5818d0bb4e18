'use client';

import { useId } from 'react';

import { IDENTIFIER_SYSTEMS, profileTypeOf } from '../../lib/records/directory';
import { OTHER_SYSTEM, type ProfileDraft } from './profile-draft';

/**
 * The public profile of a provider, as the administrator types it: name, specialty, organisation (for
 * a doctor) and a professional identifier. A doctor is described as a person, a lab or an insurer as
 * an organisation, following `kind`.
 */
export function ProfileFields({
  draft,
  kind,
  onChange,
  disabled = false,
}: {
  draft: ProfileDraft;
  kind: number;
  onChange: (draft: ProfileDraft) => void;
  disabled?: boolean;
}) {
  const ids = {
    name: useId(),
    specialty: useId(),
    organization: useId(),
    system: useId(),
    other: useId(),
    value: useId(),
    hint: useId(),
  };
  const person = profileTypeOf(kind) === 'Practitioner';
  const set = (field: keyof ProfileDraft) => (event: { target: { value: string } }) =>
    onChange({ ...draft, [field]: event.target.value });
  return (
    <fieldset disabled={disabled}>
      <legend>Public profile</legend>
      <p id={ids.hint} className="muted small">
        Patients find the provider by these in their directory. They are public and published unencrypted on IPFS, with
        their hash on-chain; they say nothing about any patient.
      </p>
      <div className="row">
        <div>
          <label htmlFor={ids.name}>{person ? 'Name' : 'Organisation name'}</label>
          <input
            id={ids.name}
            value={draft.name}
            onChange={set('name')}
            placeholder={person ? 'Dr. Ada Okafor' : 'Northside Clinical Lab'}
            maxLength={200}
            autoComplete="off"
            aria-describedby={ids.hint}
          />
        </div>
        <div>
          <label htmlFor={ids.specialty}>Specialty (optional)</label>
          <input
            id={ids.specialty}
            value={draft.specialty}
            onChange={set('specialty')}
            placeholder={person ? 'Cardiology' : 'Clinical chemistry'}
            maxLength={120}
            autoComplete="off"
          />
        </div>
        {person ? (
          <div>
            <label htmlFor={ids.organization}>Organisation (optional)</label>
            <input
              id={ids.organization}
              value={draft.organization}
              onChange={set('organization')}
              placeholder="St. Mary's Hospital"
              maxLength={200}
              autoComplete="off"
            />
          </div>
        ) : null}
      </div>
      <div className="row">
        <div>
          <label htmlFor={ids.system}>Identifier system</label>
          <select id={ids.system} value={draft.identifierSystem} onChange={set('identifierSystem')}>
            {IDENTIFIER_SYSTEMS.map((entry) => (
              <option key={entry.system} value={entry.system}>
                {entry.label}
              </option>
            ))}
            <option value={OTHER_SYSTEM}>Other (a system URI)</option>
            <option value="">No system</option>
          </select>
        </div>
        {draft.identifierSystem === OTHER_SYSTEM ? (
          <div>
            <label htmlFor={ids.other}>System URI</label>
            <input
              id={ids.other}
              className="mono"
              value={draft.otherSystem}
              onChange={set('otherSystem')}
              placeholder="urn:oid:…"
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        ) : null}
        <div>
          <label htmlFor={ids.value}>Identifier (optional)</label>
          <input
            id={ids.value}
            value={draft.identifierValue}
            onChange={set('identifierValue')}
            placeholder="1234567893"
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
      </div>
    </fieldset>
  );
}
