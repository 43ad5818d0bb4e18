'use client';

import { SubNav } from '../sub-nav';

const LINKS = [
  { href: '/provider', label: 'Patients & access' },
  { href: '/provider/claims', label: 'Claims' },
];

/** The provider area's sub-navigation (same look as the patient's). */
export function ProviderNav() {
  return <SubNav label="Provider" links={LINKS} />;
}
