import type { Metadata } from 'next';

import { AccessScreen } from '../../../../components/patient/access-screen';

export const metadata: Metadata = { title: 'Access & sharing — MedLedger' };

export default function AccessPage() {
  return (
    <>
      <h1>Access &amp; sharing</h1>
      <AccessScreen />
    </>
  );
}
