import type { Metadata } from 'next';

import { AuditScreen } from '../../../../components/patient/audit-screen';

export const metadata: Metadata = { title: 'Audit trail — MedLedger' };

export default function AuditPage() {
  return (
    <>
      <h1>Audit trail</h1>
      <AuditScreen />
    </>
  );
}
