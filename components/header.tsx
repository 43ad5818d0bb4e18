'use client';

import { usePathname } from 'next/navigation';

import { ConnectButton } from './connect-button';
import { NetworkBanner } from './network-banner';
import { SiteHeader } from './site-header';

export function Header() {
  return (
    <SiteHeader current={usePathname()} account={<ConnectButton />}>
      <NetworkBanner />
    </SiteHeader>
  );
}
