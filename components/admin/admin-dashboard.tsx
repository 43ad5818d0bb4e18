'use client';

import { AdminGate } from './admin-gate';
import { ModelsAdmin } from './models-admin';
import { ProvidersAdmin } from './providers-admin';

/** The administrator's screens: the provider registry and the AI model registry. */
export function AdminDashboard() {
  return (
    <AdminGate>
      {(context) => (
        <>
          <ProvidersAdmin context={context} />
          <ModelsAdmin context={context} />
        </>
      )}
    </AdminGate>
  );
}
