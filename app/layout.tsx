import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { cookieToInitialState } from 'wagmi';

import { Header } from '../components/header';
import { Providers } from '../components/providers';
import { readRuntimeConfig } from '../components/runtime-config.server';
import { getConfig } from '../components/wagmi-config';
import './globals.css';

export const metadata: Metadata = {
  title: 'MedLedger — your medical records, your keys',
  description: 'Patient-owned medical records: encrypted in your browser, stored on IPFS, shared by on-chain consent.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const runtime = readRuntimeConfig();
  const initialState = cookieToInitialState(getConfig(runtime), (await headers()).get('cookie'));
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Providers runtime={runtime} initialState={initialState}>
          <Header />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
