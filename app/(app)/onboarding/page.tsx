import type { Metadata } from 'next';

import { Onboarding } from '../../../components/onboarding/onboarding';

export const metadata: Metadata = { title: 'Get started — MedLedger' };

export default function OnboardingPage() {
  return (
    <>
      <h1>Get started</h1>
      <p className="lead">Four steps, a few minutes. Nothing about your health leaves this browser unencrypted.</p>
      <Onboarding />
    </>
  );
}
