import type { Metadata } from 'next';

import { PatientRecordsScreen } from '../../../components/patient/records-screen';

export const metadata: Metadata = { title: 'My records — MedLedger' };

export default function PatientPage() {
  return (
    <>
      <h1>My records</h1>
      <PatientRecordsScreen />
    </>
  );
}
