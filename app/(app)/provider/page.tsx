import type { Metadata } from 'next';

import { ProviderDashboard } from '../../../components/provider/dashboard';

export const metadata: Metadata = { title: 'Provider dashboard — MedLedger' };

export default function ProviderPage() {
  return (
    <>
      <h1>Provider dashboard</h1>
      <ProviderDashboard />
    </>
  );
}
