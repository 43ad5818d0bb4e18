'use client';

import { PROVIDER_KIND_LABELS, providerKindLabel } from '../../lib/chain/provider-kinds';
import { profileSummary } from '../../lib/records/directory';
import { AddressChip } from '../address-chip';
import styles from '../provider-directory.module.css';
import { useListedProvider, useProviderNames } from '../use-provider-directory';
import type { ProviderStanding } from './use-patient-ledger';

/**
 * How to call a provider in a sentence or an accessible name: its directory name, else the patient's
 * own name for it in this browser, else its short address.
 */
export function useProviderLabel() {
  return useProviderNames().labelOf;
}

/**
 * A provider by name, as the directory publishes it: name, kind, specialty and organisation, with the
 * address one click away. `standing` (the ledger's fresh read) wins over the directory's for the kind.
 */
export function ProviderName({ address, standing }: { address: string; standing?: ProviderStanding }) {
  const names = useProviderNames();
  const { entryOf, nameOf, labelOf } = names;
  useListedProvider(names, address, Boolean(standing && standing.kind !== 'none'));
  const entry = entryOf(address);
  const name = nameOf(address);
  const kind = standing ? PROVIDER_KIND_LABELS[standing.kind] : entry ? providerKindLabel(entry.kind) : undefined;
  const summary = entry?.profile ? profileSummary(entry.profile) : '';
  return (
    <span className={`provider-name ${styles.name}`}>
      {name ? <strong>{name}</strong> : null}
      {kind ? <span className="badge">{kind}</span> : null}
      {summary ? <span className={styles.summary}>{summary}</span> : null}
      <AddressChip address={address} of={labelOf(address)} />
    </span>
  );
}
