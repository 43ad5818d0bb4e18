'use client';

import { SubNav } from '../sub-nav';

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
  return <SubNav label="Patient" links={LINKS} />;
}
