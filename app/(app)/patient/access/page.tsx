import type { Metadata } from 'next';

import { AccessScreen } from '../../../../components/patient/access-screen';

export const metadata: Metadata = { title: 'Access & sharing — MedLedger' };

/** `?scopes=rw:billing` (the CLI's scope syntax) opens the grant form with those scopes ticked. */
export default async function AccessPage({ searchParams }: { searchParams: Promise<{ scopes?: string | string[] }> }) {
  const { scopes } = await searchParams;
  return (
    <>
      <h1>Access &amp; sharing</h1>
      <AccessScreen presetScopes={Array.isArray(scopes) ? scopes[0] : scopes} />
    </>
  );
}
