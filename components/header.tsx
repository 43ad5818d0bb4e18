'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

import { ConnectButton } from './connect-button';
import { NetworkBanner } from './network-banner';
import { MAIN_NAV as NAV } from './nav';

export function Header() {
  const pathname = usePathname();
  return (
    <header className="site-header">
      <div className="header-row">
        <Link href="/" className="brand">
          <span aria-hidden="true">✚</span> MedLedger
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={pathname === item.href ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectButton />
      </div>
      <NetworkBanner />
    </header>
  );
}
