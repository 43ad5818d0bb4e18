import type { Metadata } from 'next';

import { HealthLinksScreen } from '../../../../components/patient/health-links-screen';

export const metadata: Metadata = { title: 'SMART Health Links — MedLedger' };

export default function SharePage() {
  return (
    <>
      <h1>Share with a SMART Health Link</h1>
      <HealthLinksScreen />
    </>
  );
}
