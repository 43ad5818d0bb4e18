'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';

import { AddRecordForm } from '../records/add-record-form';
import { PatientGate } from './patient-gate';
import { recordsKey } from './records-screen';

/** /patient/add: the patient adds to their own record; the records list refreshes once it is confirmed. */
export function AddRecordScreen() {
  const queryClient = useQueryClient();
  return (
    <PatientGate>
      {(vault, patient) => (
        <>
          <p className="muted">
            Everything you add is encrypted in this browser before it leaves it; only the ciphertext goes to IPFS and
            only its fingerprint and category go on-chain. <Link href="/patient">Back to my records</Link>
          </p>
          <AddRecordForm
            vault={vault}
            patient={patient}
            onAdded={() => queryClient.invalidateQueries({ queryKey: recordsKey(patient) })}
          />
        </>
      )}
    </PatientGate>
  );
}
