import type { Metadata } from 'next';
import { Suspense } from 'react';

import { ProviderClaimsScreen } from '../../../../components/claims/provider-claims';
import { Skeleton } from '../../../../components/gate';

export const metadata: Metadata = { title: 'Claims — MedLedger' };

// The patient to bill is a query parameter read in the browser, so the page shell renders statically.
export default function ProviderClaimsPage() {
  return (
    <>
      <h1>Claims</h1>
      <Suspense fallback={<Skeleton lines={3} label="Loading claims" />}>
        <ProviderClaimsScreen />
      </Suspense>
    </>
  );
}
