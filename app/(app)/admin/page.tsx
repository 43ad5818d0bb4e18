import type { Metadata } from 'next';

import { AdminDashboard } from '../../../components/admin/admin-dashboard';

export const metadata: Metadata = { title: 'Administration — MedLedger' };

export default function AdminPage() {
  return (
    <>
      <h1>Administration</h1>
      <AdminDashboard />
    </>
  );
}
