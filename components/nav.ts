/** The site's main sections, shared by the landing page's static header and the app header. */
export const MAIN_NAV = [
  { href: '/onboarding', label: 'Get started' },
  { href: '/patient', label: 'Patient' },
  { href: '/provider', label: 'Provider' },
  { href: '/admin', label: 'Admin' },
] as const;
