import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { cookieToInitialState } from 'wagmi';

import { Header } from '../../components/header';
import { Providers } from '../../components/providers';
import { readRuntimeConfig } from '../../components/runtime-config.server';
import { getConfig } from '../../components/wagmi-config';

/** Every screen that uses the wallet shares one wagmi config and in-memory key store across navigation. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const runtime = readRuntimeConfig();
  const initialState = cookieToInitialState(getConfig(runtime), (await headers()).get('cookie'));
  return (
    <Providers runtime={runtime} initialState={initialState}>
      <Header />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </Providers>
  );
}
