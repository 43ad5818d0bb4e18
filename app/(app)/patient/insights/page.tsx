import type { Metadata } from 'next';

import { PatientInsights } from '../../../../components/risk/patient-insights';

export const metadata: Metadata = { title: 'Your risk insights — MedLedger' };

export default function PatientInsightsPage() {
  return <PatientInsights />;
}
