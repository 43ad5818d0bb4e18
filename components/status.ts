'use client';

import { useQuery } from '@tanstack/react-query';

import type { ChainContext } from '../lib/chain/client';
import { readMedLedger } from '../lib/chain/medledger';
import { PROVIDER_KINDS, providerKindOf } from '../lib/chain/provider-kinds';

export { PROVIDER_KINDS } from '../lib/chain/provider-kinds';
const ZERO_KEY = `0x${'0'.repeat(64)}`;

export interface AccountStatus {
  isPatient: boolean;
  recordCount: bigint;
  provider?: { kind: (typeof PROVIDER_KINDS)[number]; suspended: boolean; hasKey: boolean };
  isAdmin: boolean;
}

/** What the connected account is on MedLedger: patient, provider (and its standing), administrator. */
export function useAccountStatus(context: ChainContext | undefined) {
  const account = context?.account;
  return useQuery({
    queryKey: ['status', account],
    enabled: Boolean(context && account),
    queryFn: async (): Promise<AccountStatus> => {
      const chain = context!;
      const [isPatient, patient, provider, adminRole] = await Promise.all([
        readMedLedger(chain, 'isPatient', [account!]),
        readMedLedger(chain, 'patientInfo', [account!]),
        readMedLedger(chain, 'providerInfo', [account!]),
        readMedLedger(chain, 'PROVIDER_ADMIN_ROLE', []),
      ]);
      const isAdmin = await readMedLedger(chain, 'hasRole', [adminRole, account!]);
      return {
        isPatient,
        recordCount: patient.recordCount,
        provider:
          provider.kind === 0
            ? undefined
            : {
                kind: providerKindOf(provider.kind),
                suspended: provider.suspended,
                hasKey: provider.encryptionKey !== ZERO_KEY,
              },
        isAdmin,
      };
    },
  });
}
