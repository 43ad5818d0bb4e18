import type { Metadata } from 'next';
import { Suspense } from 'react';

import { Skeleton } from '../../../../components/gate';
import { ProviderPatientPage } from '../../../../components/provider/patient-records';

export const metadata: Metadata = { title: 'Patient records — MedLedger' };

// The patient address is a query parameter read in the browser, so the page shell renders statically.
export default function ProviderPatientRoute() {
  return (
    <Suspense fallback={<Skeleton lines={3} label="Loading the patient" />}>
      <ProviderPatientPage />
    </Suspense>
  );
}
