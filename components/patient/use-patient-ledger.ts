'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { Address } from 'viem';

import {
  type ActivityEvent,
  type ProviderAccess,
  grantsOf,
  patientActivity,
  pendingRequests,
} from '../../lib/chain/activity';
import { readMedLedger } from '../../lib/chain/medledger';
import type { Vault } from '../../lib/records/vault';
import { PROVIDER_KINDS } from '../status';

/** What the chain says about a provider: its kind and whether it is suspended. */
export interface ProviderStanding {
  readonly kind: (typeof PROVIDER_KINDS)[number];
  readonly suspended: boolean;
  readonly hasKey: boolean;
}

/** A patient's consent ledger: the audit trail, grants as they stand, unanswered requests, provider standing. */
export interface PatientLedger {
  readonly activity: ActivityEvent[];
  readonly grants: ProviderAccess[];
  readonly pending: ReturnType<typeof pendingRequests>;
  readonly providers: ReadonlyMap<string, ProviderStanding>;
}

const ZERO_KEY = /^0x0*$/;

function ledgerKey(patient: Address) {
  return ['patient-ledger', patient.toLowerCase()];
}

/** Every address that acted as a provider in `activity`. */
function providersIn(activity: readonly ActivityEvent[]): Address[] {
  const seen = new Map<string, Address>();
  for (const event of activity) {
    if ('provider' in event) seen.set(event.provider.toLowerCase(), event.provider);
    if (event.kind === 'recordAdded') seen.set(event.author.toLowerCase(), event.author);
  }
  return [...seen.values()];
}

/** How often a screen that watches others act re-reads the ledger. */
const LIVE_REFETCH_MS = 15_000;

/**
 * The patient's ledger from the chain, and `refresh()` to reload it after a transaction. Shared by the
 * access and audit screens (one query, one cache entry).
 *
 * @param options - `live`: re-read whenever the screen opens and every 15 s while it is open, for a
 *   screen showing what others do (the audit trail: a provider's read must show without a reload, even
 *   right after another screen read the ledger)
 */
export function usePatientLedger(vault: Vault, patient: Address, options: { live?: boolean } = {}) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ledgerKey(patient),
    ...(options.live ? { refetchOnMount: 'always' as const, refetchInterval: LIVE_REFETCH_MS } : {}),
    queryFn: async (): Promise<PatientLedger> => {
      const activity = await patientActivity(vault.chain, patient);
      const addresses = providersIn(activity).filter((address) => address.toLowerCase() !== patient.toLowerCase());
      const [grants, standings] = await Promise.all([
        grantsOf(vault.chain, patient, activity),
        Promise.all(addresses.map((address) => readMedLedger(vault.chain, 'providerInfo', [address]))),
      ]);
      const providers = new Map<string, ProviderStanding>();
      standings.forEach((info, index) => {
        if (info.kind === 0) return;
        providers.set(addresses[index]!.toLowerCase(), {
          kind: PROVIDER_KINDS[info.kind] ?? 'none',
          suspended: info.suspended,
          hasKey: !ZERO_KEY.test(info.encryptionKey),
        });
      });
      return { activity, grants, pending: pendingRequests(activity), providers };
    },
  });
  const refresh = useCallback(
    () => queryClient.invalidateQueries({ queryKey: ledgerKey(patient) }),
    [queryClient, patient],
  );
  return { ...query, refresh };
}
