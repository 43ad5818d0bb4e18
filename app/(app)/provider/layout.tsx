import type { ReactNode } from 'react';

import { ProviderNav } from '../../../components/provider/provider-nav';

export default function ProviderLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <ProviderNav />
      {children}
    </>
  );
}
