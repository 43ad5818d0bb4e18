'use client';

import type { Patient } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';

import { registerPatient } from '../../lib/records/identity';
import type { Vault } from '../../lib/records/vault';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';

const GENDERS = [
  { value: 'female', label: 'Female' },
  { value: 'male', label: 'Male' },
  { value: 'other', label: 'Other' },
  { value: 'unknown', label: 'Prefer not to say' },
] as const;

/**
 * The short profile a patient registers with, as a FHIR Patient. lib/records encrypts it under the
 * patient's own key and stores it on IPFS; the chain gets only the public key and the profile's CID.
 */
export function PatientRegistration({ vault }: { vault: Vault }) {
  const queryClient = useQueryClient();
  const { state, run, busy } = useTx();
  const [name, setName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [gender, setGender] = useState<Patient['gender']>('unknown');
  const [problem, setProblem] = useState<string>();
  const ids = { name: useId(), birthDate: useId(), gender: useId() };
  const today = new Date().toISOString().slice(0, 10);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const issues = [
      name.trim() ? '' : 'Enter your name.',
      !birthDate ? 'Enter your date of birth.' : birthDate > today ? 'The date of birth is in the future.' : '',
    ].filter(Boolean);
    if (issues.length > 0) {
      setProblem(issues.join(' '));
      return;
    }
    setProblem(undefined);
    const profile: Patient = { resourceType: 'Patient', name: [{ text: name.trim() }], birthDate, gender };
    const done = await run(async ({ onProgress, onStage }) => {
      onProgress({ step: 'encrypt' });
      await registerPatient(vault, profile, { onStage });
      return true;
    }, 'You are registered as a patient.');
    if (done) await queryClient.invalidateQueries({ queryKey: ['status'] });
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>
        Your profile is encrypted in this browser before it is stored. Only you, and providers you choose, can read it;
        the chain records just your public encryption key and where the encrypted profile is.
      </p>
      <label htmlFor={ids.name}>Full name</label>
      <input
        id={ids.name}
        className="wide"
        value={name}
        onChange={(event) => setName(event.target.value)}
        autoComplete="name"
        disabled={busy}
      />
      <div className="row">
        <div>
          <label htmlFor={ids.birthDate}>Date of birth</label>
          <input
            id={ids.birthDate}
            type="date"
            value={birthDate}
            max={today}
            onChange={(event) => setBirthDate(event.target.value)}
            autoComplete="bday"
            disabled={busy}
          />
        </div>
        <div>
          <label htmlFor={ids.gender}>Sex</label>
          <select
            id={ids.gender}
            value={gender}
            onChange={(event) => setGender(event.target.value as Patient['gender'])}
            disabled={busy}
          >
            {GENDERS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        Register as patient
      </button>
      <TxStatus state={state} />
    </form>
  );
}
