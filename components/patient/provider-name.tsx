'use client';

import { useAddressBook } from '../records/address-book';
import { shortAddress } from '../records/format';
import type { ProviderStanding } from './use-patient-ledger';

/** How to call a provider in a sentence or an accessible name: its local name, else its short address. */
export function useProviderLabel() {
  const { nameOf } = useAddressBook();
  return (address: string) => nameOf(address) ?? shortAddress(address);
}

/** A provider as the patient knows it: the name they gave it (this browser only), its kind, its address. */
export function ProviderName({ address, standing }: { address: string; standing?: ProviderStanding }) {
  const { nameOf } = useAddressBook();
  const name = nameOf(address);
  return (
    <span className="provider-name">
      {name ? <strong>{name} </strong> : null}
      {standing ? <span className="badge">{standing.kind}</span> : null}{' '}
      <span className="mono small" title={address}>
        {shortAddress(address)}
      </span>
    </span>
  );
}
