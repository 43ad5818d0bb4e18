'use client';

import Link from 'next/link';

import { VaultGate } from '../gate';
import { LazyRiskPanel } from './lazy-risk-panel';

/** The patient's own risk insights: their records, their audit trail, scored in their browser. */
export function PatientInsights() {
  return (
    <>
      <p className="small">
        <Link href="/patient">← Back to your records</Link>
      </p>
      <h1>Your risk insights</h1>
      <p className="lead">
        Risk estimates from your own records, computed on this device with models approved on-chain, plus checks of your
        medications, your values and who has read your records.
      </p>
      <VaultGate role="patient">{(vault) => <LazyRiskPanel vault={vault} patient={vault.chain.account!} />}</VaultGate>
    </>
  );
}
