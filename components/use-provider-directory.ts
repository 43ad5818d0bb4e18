'use client';

import { type QueryClient, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo } from 'react';

import { type DirectoryEntry, providerDirectory } from '../lib/records/directory';
import { indexDirectory, knownName, providerLabel } from './provider-directory-model';
import { useAddressBook } from './records/address-book';
import { useMedLedgerChain } from './runtime-config';
import { ipfsClient, useChainContext } from './use-vault';

const DIRECTORY_KEY = 'provider-directory';

/**
 * Profiles change when an administrator edits them, rarely: one read serves every screen for a minute,
 * and the administrator's own changes invalidate it at once. Where it matters more, the directory is
 * read again: when the patient opens a provider picker, and when a screen names a registered provider
 * the cached directory does not know yet (registered since it was read). Choosing a provider re-checks
 * its standing on-chain anyway (components/patient/provider-check.ts).
 */
const DIRECTORY_STALE_MS = 60_000;

/**
 * Every registered provider with its standing and verified profile (lib/records/directory), read once
 * for the whole app: every screen that names a provider shares this one cache entry. Public data, so it
 * needs no wallet, only the configured chain.
 *
 * @param options - `fresh`: read it again when the calling screen opens, even if a read is cached (the
 *   patient choosing whom to grant must see every provider registered until now)
 */
export function useProviderDirectory(options: { fresh?: boolean } = {}) {
  const { context } = useChainContext();
  const { id: chainId } = useMedLedgerChain();
  return useQuery({
    queryKey: [DIRECTORY_KEY, chainId],
    enabled: Boolean(context),
    queryFn: (): Promise<DirectoryEntry[]> => providerDirectory(context!, ipfsClient()),
    staleTime: DIRECTORY_STALE_MS,
    ...(options.fresh ? { refetchOnMount: 'always' as const } : {}),
  });
}

/** Marks the directory stale after a registration, a profile change, a suspension or a reinstatement. */
export function invalidateProviderDirectory(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: [DIRECTORY_KEY] });
}

/**
 * Names for provider addresses: `entryOf(address)` its directory entry; `nameOf(address)` its published
 * name, else the patient's own name for it in this browser (a provider without a profile), else
 * undefined; `labelOf(address)` that name or the short address.
 */
export function useProviderNames(options: { fresh?: boolean } = {}) {
  const directory = useProviderDirectory(options);
  const { nameOf: localNameOf } = useAddressBook();
  const index = useMemo(() => indexDirectory(directory.data ?? []), [directory.data]);
  const entryOf = useCallback((address: string) => index.get(address.toLowerCase()), [index]);
  const nameOf = useCallback(
    (address: string) => knownName(index.get(address.toLowerCase()), localNameOf(address)),
    [index, localNameOf],
  );
  const labelOf = useCallback(
    (address: string) => providerLabel(address, index.get(address.toLowerCase()), localNameOf(address)),
    [index, localNameOf],
  );
  return { entryOf, nameOf, labelOf, directory };
}

/**
 * Reads the directory again when `address` is a registered provider (its on-chain standing says so)
 * that the cached directory does not list: it was registered after the cache was filled. Every
 * registered provider is in a fresh directory, so this reads at most once per newcomer.
 *
 * @param names - what {@link useProviderNames} gave the calling component
 * @param address - a provider's address
 * @param registered - whether the chain says it is a registered provider
 */
export function useListedProvider(
  { entryOf, directory }: ReturnType<typeof useProviderNames>,
  address: string,
  registered: boolean,
): void {
  const { isSuccess, isFetching, refetch } = directory;
  const unlisted = registered && isSuccess && !isFetching && !entryOf(address);
  useEffect(() => {
    if (unlisted) void refetch();
  }, [unlisted, refetch]);
}
