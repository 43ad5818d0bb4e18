'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/provider', label: 'Patients & access' },
  { href: '/provider/claims', label: 'Claims' },
];

/** The provider area's sub-navigation (same look as the patient's). */
export function ProviderNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Provider" className="subnav">
      <ul>
        {LINKS.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={pathname === link.href ? 'page' : undefined}>
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
