import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';

import './globals.css';

export const metadata: Metadata = {
  title: 'MedLedger — your medical records, your keys',
  description: 'Patient-owned medical records: encrypted in your browser, stored on IPFS, shared by on-chain consent.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

/**
 * The document shell. The wallet stack (wagmi, viem, TanStack Query) is mounted by the `(app)` layout
 * only, so the landing page stays light.
 */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}
