import type { Metadata } from 'next';

import { BillingScreen } from '../../../../components/claims/patient-billing';

export const metadata: Metadata = { title: 'Billing & insurance — MedLedger' };

export default function BillingPage() {
  return (
    <>
      <h1>Billing &amp; insurance</h1>
      <BillingScreen />
    </>
  );
}
