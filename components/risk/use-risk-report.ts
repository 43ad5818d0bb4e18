'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Address } from 'viem';

import type { Vault } from '../../lib/records/vault';
import { buildRiskReport, type ReportStage } from './assessment';

/**
 * The risk report of `patient` for the vault's account, with the stage it is at while it loads.
 * Cached until the person asks again: for a provider every run is a logged read, so it must never
 * repeat on its own (window focus, remount).
 *
 * @param vault - the acting account's vault
 * @param patient - whose records to assess
 */
export function useRiskReport(vault: Vault, patient: Address) {
  const [stage, setStage] = useState<ReportStage>();
  const query = useQuery({
    queryKey: ['risk-report', vault.chain.deployment.chainId, vault.chain.account, patient.toLowerCase()],
    queryFn: () => buildRiskReport(vault, patient, { onStage: setStage }),
    staleTime: Infinity,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  return { ...query, stage };
}
