import type { Metadata } from 'next';

import { AddRecordScreen } from '../../../../components/patient/add-record-screen';

export const metadata: Metadata = { title: 'Add a record — MedLedger' };

export default function AddRecordPage() {
  return (
    <>
      <h1>Add a record</h1>
      <AddRecordScreen />
    </>
  );
}
