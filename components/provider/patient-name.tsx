'use client';

import { useQuery } from '@tanstack/react-query';
import type { Address } from 'viem';

import type { PatientGrant } from '../../lib/chain/activity';
import { PROFILE_CATEGORIES, readScope } from '../../lib/chain/categories';
import { formatDate, humanNameText } from '../../lib/fhir/display';
import { readProfile } from '../../lib/records/profile';
import { patientPseudonym } from '../../lib/records/pseudonym';
import { AddressChip } from '../address-chip';
import { sameAddress } from '../records/format';
import { useVault } from '../use-vault';
import styles from './patient-name.module.css';
import { useProviderData } from './use-provider-data';

/**
 * A profile changes when the patient corrects it, which is rare; one read serves the dashboard and the
 * patient's pages for a while.
 */
const PROFILE_STALE_MS = 10 * 60_000;

/** Whether a grant lets its provider read the patient's profile now: active, with the profile in scope. */
export function grantsProfile(grant: Pick<PatientGrant, 'scopes' | 'status'> | undefined): boolean {
  return (
    grant?.status === 'active' && PROFILE_CATEGORIES.some((category) => (grant.scopes & readScope(category)) !== 0n)
  );
}

/** A patient as the connected provider may call them. */
export interface PatientPerson {
  /**
   * `named`: their profile was read; `pseudonym`: it may not (or could not) be read; `pending`: still
   * finding out (show neither, so a name never replaces a pseudonym before the reader's eyes).
   */
  readonly status: 'named' | 'pseudonym' | 'pending';
  /** Their name, else their pseudonym ("Patient H8TN-5N"); the pseudonym while pending. */
  readonly label: string;
  /** Their date of birth (FHIR date), when the profile says it. */
  readonly birthDate?: string;
}

/**
 * The patient's name and date of birth when the connected provider's grant includes the profile and
 * its key is unlocked in this tab (decrypted here, cached with react-query), else their pseudonym.
 * Reading the profile for a name is not logged on-chain: the profile is not a record, and the patient
 * shared it to be known by name.
 */
export function usePatientPerson(patient: Address): PatientPerson {
  const { vault, context } = useVault();
  const grants = useProviderData(context);
  const reader = vault?.chain.account;
  const canRead = grantsProfile(grants.data?.patients.find((grant) => sameAddress(grant.patient, patient)));
  const profile = useQuery({
    queryKey: ['patient-profile', patient.toLowerCase(), 'read by', reader?.toLowerCase()],
    enabled: Boolean(vault && canRead),
    staleTime: PROFILE_STALE_MS,
    retry: 1,
    queryFn: async () => {
      const { resource } = await readProfile(vault!, patient);
      return { name: humanNameText(resource.name), birthDate: resource.birthDate };
    },
  });
  const pseudonym = patientPseudonym(patient);
  if (vault && (grants.isPending || (canRead && profile.isPending))) {
    return { status: 'pending', label: pseudonym };
  }
  if (!profile.data || !canRead) return { status: 'pseudonym', label: pseudonym };
  return {
    status: profile.data.name ? 'named' : 'pseudonym',
    label: profile.data.name ?? pseudonym,
    ...(profile.data.birthDate ? { birthDate: profile.data.birthDate } : {}),
  };
}

/** Why a pseudonym stands where a name could be. */
const PSEUDONYM_HELP =
  'This patient has not shared their profile with you, so MedLedger shows a pseudonym made from their address.';

/** The date of birth as a clause: "born May 14, 1968". */
function born(person: PatientPerson): string | undefined {
  return person.birthDate ? `born ${formatDate(person.birthDate)}` : undefined;
}

/**
 * A patient in a list: their name and date of birth, or their pseudonym, with the address one click away
 * (shown short, copied on click).
 */
export function PatientName({ patient }: { patient: Address }) {
  const person = usePatientPerson(patient);
  return (
    <span className={styles.name} aria-busy={person.status === 'pending' || undefined}>
      {person.status === 'pending' ? (
        <span className="muted">Reading their profile…</span>
      ) : (
        <strong title={person.status === 'pseudonym' ? PSEUDONYM_HELP : undefined}>{person.label}</strong>
      )}
      {person.status === 'pseudonym' ? <span className={styles.born}>profile not shared</span> : null}
      {born(person) ? <span className={styles.born}>{born(person)}</span> : null}
      <AddressChip address={patient} of={person.label} />
    </span>
  );
}

/**
 * A patient's page header: what the page is (`title`, e.g. "Records") above their name (or pseudonym) as
 * the page's `h1`, their date of birth and address beneath.
 */
export function PatientHeading({ patient, title }: { patient: Address; title: string }) {
  const person = usePatientPerson(patient);
  return (
    <header className={styles.heading}>
      <p className={styles.kicker} aria-hidden="true">
        {title}
      </p>
      <h1 aria-busy={person.status === 'pending' || undefined}>
        <span className="visually-hidden">{title}: </span>
        {person.status === 'pending' ? 'Patient' : person.label}
      </h1>
      <p className={styles.facts}>
        {person.status === 'pseudonym' ? <span className="muted">{PSEUDONYM_HELP}</span> : null}
        {born(person) ? <span>{born(person)}</span> : null}
        <AddressChip address={patient} of={person.label} />
      </p>
    </header>
  );
}
