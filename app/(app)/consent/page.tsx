import type { Metadata } from 'next';

import { ConsentScreen } from '../../../components/consent/consent-screen';

export const metadata: Metadata = { title: 'Submit a patient’s consent — MedLedger' };

export default function ConsentPage() {
  return (
    <>
      <h1>Patient consent</h1>
      <ConsentScreen />
    </>
  );
}
