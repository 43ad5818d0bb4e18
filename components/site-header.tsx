import Link from 'next/link';
import type { ReactNode } from 'react';

const MAIN_NAV = [
  { href: '/onboarding', label: 'Get started' },
  { href: '/patient', label: 'Patient' },
  { href: '/provider', label: 'Provider' },
  { href: '/admin', label: 'Admin' },
] as const;

/**
 * The site's header: brand, main sections and an account area. No hooks, so the landing page renders
 * it on the server without the wallet stack, and the app header wraps it with the connect button.
 */
export function SiteHeader({
  current,
  account,
  children,
}: {
  current?: string;
  account: ReactNode;
  children?: ReactNode;
}) {
  return (
    <header className="site-header">
      <div className="header-row">
        <Link href="/" className="brand">
          <span aria-hidden="true">✚</span> MedLedger
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            {MAIN_NAV.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={current === item.href ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {account}
      </div>
      {children}
    </header>
  );
}
