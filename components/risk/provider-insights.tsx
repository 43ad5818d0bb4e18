'use client';

import Form from 'next/form';
import Link from 'next/link';
import { useId } from 'react';
import { getAddress, isAddress } from 'viem';

import { VaultGate } from '../gate';
import { PatientHeading } from '../provider/patient-name';
import { LazyRiskPanel } from './lazy-risk-panel';
import styles from './risk.module.css';

/**
 * A provider's view of a granted patient's risk insights, for the patient address in `?address=`.
 *
 * @param address - the `address` query parameter as given, if any
 */
export function ProviderInsights({ address }: { address?: string }) {
  const given = address?.trim() ?? '';
  const valid = given !== '' && isAddress(given, { strict: false });
  return (
    <>
      <p className="small">
        <Link href="/provider">← Back to the provider dashboard</Link>
      </p>
      {valid ? <PatientHeading patient={getAddress(given)} title="Risk insights" /> : <h1>Patient risk insights</h1>}
      <p className="lead">
        Risk estimates and safety checks computed in your browser from the records this patient shared with you. Opening
        them is logged in the patient’s on-chain audit trail.
      </p>
      <PatientAddressForm value={given} invalid={given !== '' && !valid} />
      {valid ? (
        <VaultGate role="provider">{(vault) => <LazyRiskPanel vault={vault} patient={getAddress(given)} />}</VaultGate>
      ) : given === '' ? (
        <p className="empty">
          Enter the wallet address of a patient who granted you access, then choose “Show risk insights”.
        </p>
      ) : null}
    </>
  );
}

function PatientAddressForm({ value, invalid }: { value: string; invalid: boolean }) {
  const inputId = useId();
  const errorId = useId();
  return (
    <Form action="/provider/insights" className={`card ${styles.addressForm}`}>
      <div>
        <label htmlFor={inputId}>Patient address</label>
        <input
          id={inputId}
          name="address"
          defaultValue={value}
          key={value}
          placeholder="0x…"
          autoComplete="off"
          spellCheck={false}
          required
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? errorId : undefined}
        />
      </div>
      <button type="submit">Show risk insights</button>
      {invalid ? (
        <p id={errorId} role="alert" className="error-text">
          “{value}” is not an Ethereum address. It should be 0x followed by 40 hexadecimal characters.
        </p>
      ) : null}
    </Form>
  );
}
