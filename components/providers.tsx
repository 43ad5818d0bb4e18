'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { type State, WagmiProvider } from 'wagmi';

import { IdentityStoreProvider } from './identity-store';
import { type RuntimeConfig, RuntimeConfigProvider } from './runtime-config';
import { getConfig } from './wagmi-config';

export function Providers({
  children,
  runtime,
  initialState,
}: {
  children: ReactNode;
  runtime: RuntimeConfig;
  initialState?: State;
}) {
  const [config] = useState(() => getConfig(runtime));
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: false } } }),
  );
  return (
    <RuntimeConfigProvider config={runtime}>
      <WagmiProvider config={config} initialState={initialState}>
        <QueryClientProvider client={queryClient}>
          <IdentityStoreProvider>{children}</IdentityStoreProvider>
        </QueryClientProvider>
      </WagmiProvider>
    </RuntimeConfigProvider>
  );
}
