'use client';

import { useQuery } from '@tanstack/react-query';
import type { Address } from 'viem';

import { type ConsentEvent, patientsOf, providerActivity, requestsSent } from '../../lib/chain/activity';
import type { ChainContext } from '../../lib/chain/client';

/** Query key of everything the provider dashboard folds from the chain; invalidate it after a request. */
export const providerDataKey = (provider: Address | undefined) => ['provider-data', provider?.toLowerCase()] as const;

/**
 * The connected provider's patients (grants with their status) and the requests it sent, re-read every
 * 15 s so a patient's answer shows up without a reload.
 */
export function useProviderData(context: ChainContext | undefined) {
  const provider = context?.account;
  return useQuery({
    queryKey: providerDataKey(provider),
    enabled: Boolean(context && provider),
    refetchInterval: 15_000,
    queryFn: async () => {
      const activity: ConsentEvent[] = await providerActivity(context!, provider!);
      const patients = await patientsOf(context!, provider!, activity);
      return { activity, patients, requests: requestsSent(activity) };
    },
  });
}
