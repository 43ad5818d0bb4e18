'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Address } from 'viem';

import type { Vault } from '../../lib/records/vault';
import { LoadError, Skeleton, VaultGate } from '../gate';
import { useAccountStatus } from '../status';

function RegisteredPatient({
  vault,
  children,
}: {
  vault: Vault;
  children: (vault: Vault, patient: Address) => ReactNode;
}) {
  const status = useAccountStatus(vault.chain);
  if (status.isPending) return <Skeleton lines={2} label="Checking your registration" />;
  if (status.isError) {
    return <LoadError title="Could not reach the network" error={status.error} onRetry={status.refetch} />;
  }
  if (!status.data.isPatient) {
    return (
      <div className="card">
        <h2>Not registered as a patient</h2>
        <p>
          This wallet is not registered as a MedLedger patient yet. Registration publishes your encryption key and
          stores your encrypted profile; it takes one transaction.
        </p>
        <Link className="button" href="/onboarding">
          Register as a patient
        </Link>
      </div>
    );
  }
  return <>{children(vault, vault.chain.account!)}</>;
}

/**
 * The patient screens' gate: wallet connected, right network, encryption key derived, and the account
 * registered as a patient (else a pointer to /onboarding). Renders `children` with the vault and the
 * patient's own address.
 */
export function PatientGate({ children }: { children: (vault: Vault, patient: Address) => ReactNode }) {
  return (
    <VaultGate role="patient">{(vault) => <RegisteredPatient vault={vault}>{children}</RegisteredPatient>}</VaultGate>
  );
}
