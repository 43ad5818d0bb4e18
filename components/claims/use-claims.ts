'use client';

import { type QueryClient, useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import type { ClaimParty } from '../../lib/chain/claims';
import { type ClaimView, listClaims } from '../../lib/records/claims';
import type { PipelineProgress } from '../../lib/records/progress';
import type { Vault } from '../../lib/records/vault';

/** Query key of the claims a wallet sees in one role; invalidate it after a claim step. */
export function claimsKey(as: ClaimParty, account: string | undefined) {
  return ['claims', as, account?.toLowerCase()] as const;
}

/** Marks every claims list of the account stale, so each shows the step just taken. */
export function invalidateClaims(queryClient: QueryClient, account: string | undefined): Promise<void> {
  return queryClient.invalidateQueries({
    predicate: (query) => query.queryKey[0] === 'claims' && query.queryKey[2] === account?.toLowerCase(),
  });
}

/**
 * The claims the vault's account sees as `as`, verified against the chain and decrypted here, with the
 * step the read is at. A provider's or insurer's read of the patient's records is logged on-chain, so
 * for them the read starts only when `enabled` (after the person asked), and never repeats on its own.
 *
 * @param vault - the acting account
 * @param as - the patient's own claims, the provider's submissions or the insurer's queue
 * @param options - `enabled`: whether to read now (default true)
 */
export function useClaims(vault: Vault, as: ClaimParty, options: { enabled?: boolean } = {}) {
  const [progress, setProgress] = useState<PipelineProgress>();
  const query = useQuery({
    queryKey: claimsKey(as, vault.chain.account),
    enabled: options.enabled ?? true,
    queryFn: async (): Promise<{ claims: ClaimView[]; refused: { claimId: bigint; reason: string }[] }> => {
      setProgress(undefined);
      const listed = await listClaims(vault, { as, onProgress: setProgress });
      // Newest first: the claim a person just filed or must act on is on top.
      return { claims: [...listed.claims].reverse(), refused: listed.refused };
    },
    retry: false,
    staleTime: as === 'patient' ? 0 : Infinity,
    refetchOnWindowFocus: as === 'patient',
    refetchOnReconnect: false,
  });
  return { ...query, progress };
}

/** The step a claims read is at, as a sentence. */
export function claimsProgressText(progress: PipelineProgress | undefined): string {
  if (progress?.step === 'decrypt' && progress.total) {
    return `Verifying and decrypting claims: ${progress.done ?? 0} of ${progress.total}`;
  }
  if (progress?.step === 'done') return 'Finishing';
  return 'Reading claims from the chain';
}
