'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/patient', label: 'Records' },
  { href: '/patient/add', label: 'Add a record' },
  { href: '/patient/access', label: 'Access & sharing' },
  { href: '/patient/share', label: 'Health links' },
  { href: '/patient/billing', label: 'Billing & insurance' },
  { href: '/patient/audit', label: 'Audit trail' },
  { href: '/patient/insights', label: 'Risk scores' },
];

/** The patient area's sub-navigation. */
export function PatientNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Patient" className="subnav">
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
