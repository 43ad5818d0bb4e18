'use client';

import { AccessReview } from './access-review';
import { AdminGate } from './admin-gate';
import { ModelsAdmin } from './models-admin';
import { ProvidersAdmin } from './providers-admin';

/** The administrator's screens: the provider registry, unusual access, and the AI model registry. */
export function AdminDashboard() {
  return (
    <AdminGate>
      {(context) => (
        <>
          <ProvidersAdmin context={context} />
          <AccessReview context={context} />
          <ModelsAdmin context={context} />
        </>
      )}
    </AdminGate>
  );
}
