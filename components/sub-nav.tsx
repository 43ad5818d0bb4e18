'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

export interface SubNavLink {
  readonly href: string;
  readonly label: string;
}

/** An area's sub-navigation (patient, provider): one row of links, the current page marked. */
export function SubNav({ label, links }: { label: string; links: readonly SubNavLink[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="subnav">
      <ul>
        {links.map((link) => (
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
