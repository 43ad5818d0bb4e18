import type { ReactNode } from 'react';

import { PatientNav } from '../../../components/patient/patient-nav';

export default function PatientLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PatientNav />
      {children}
    </>
  );
}
