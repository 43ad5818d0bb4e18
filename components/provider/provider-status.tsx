'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';

import { PROVIDER_KIND_LABELS } from '../../lib/chain/provider-kinds';
import { identifierText, profileSummary } from '../../lib/records/directory';
import { publishProviderKey } from '../../lib/records/identity';
import type { Vault } from '../../lib/records/vault';
import type { AccountStatus } from '../status';
import { TxStatus } from '../tx-status';
import { useProviderNames } from '../use-provider-directory';
import { useTx } from '../use-tx';
import { useChainContext } from '../use-vault';

/** An address with a copy button, for sending it to someone over another channel. */
export function CopyableAddress({ address, label }: { address: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  async function copy() {
    try {
      await navigator.clipboard.writeText(address);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }
  return (
    <div className="copyable">
      <span className="muted small">{label}</span>
      <code className="mono address-block">{address}</code>
      <button type="button" className="secondary" onClick={copy}>
        Copy address
      </button>
      <span role="status" className="small">
        {copied === 'yes'
          ? 'Copied.'
          : copied === 'failed'
            ? 'Copy failed: select the address and copy it by hand.'
            : ''}
      </span>
    </div>
  );
}

/** An account that is not (yet) a registered provider: what to send the administrator. */
export function ProviderPending({ address }: { address: string }) {
  return (
    <div>
      <p>
        <span className="badge badge-warn">Waiting for registration</span>
      </p>
      <p>
        Providers (doctors, laboratories, insurers) are vetted by the MedLedger administrator before they can ask
        patients for access. Send the administrator this address together with your credential (licence or registry
        number); once they register it, this page shows you as active.
      </p>
      <CopyableAddress address={address} label="Your provider address" />
    </div>
  );
}

/** Publishes the provider's encryption key, without which no patient can share records with it. */
export function PublishKeyButton({ vault }: { vault: Vault }) {
  const queryClient = useQueryClient();
  const { state, run, busy } = useTx();
  async function publish() {
    const done = await run(async ({ onStage }) => {
      await publishProviderKey(vault, { onStage });
      return true;
    }, 'Your encryption key is published.');
    if (done) await queryClient.invalidateQueries({ queryKey: ['status'] });
  }
  return (
    <div>
      <button type="button" onClick={publish} disabled={busy}>
        Publish my encryption key
      </button>
      <TxStatus state={state} />
    </div>
  );
}

/** How patients find this provider: its directory profile, or that it has none yet. */
function DirectoryListing() {
  const account = useChainContext().context?.account;
  const { entryOf, directory } = useProviderNames();
  if (!account || !directory.isSuccess) return null;
  const entry = entryOf(account);
  if (!entry?.profile) {
    return (
      <p className="muted">
        {entry?.profileError
          ? `Your directory profile could not be verified (${entry.profileError}), so patients see only your address.`
          : 'You are not listed by name in the patients’ directory yet, so patients see only your address.'}{' '}
        The administrator publishes your profile.
      </p>
    );
  }
  const summary = profileSummary(entry.profile);
  return (
    <p>
      Patients find you in their directory as <strong>{entry.profile.name}</strong>
      {summary ? ` · ${summary}` : ''}
      {entry.profile.identifier ? ` · ${identifierText(entry.profile.identifier)}` : ''}.
    </p>
  );
}

/**
 * A registered provider's standing: its kind, whether it is active or suspended, and whether its
 * encryption key is published (with the button to publish it when a vault is at hand).
 */
export function ProviderStanding({
  provider,
  vault,
}: {
  provider: NonNullable<AccountStatus['provider']>;
  vault?: Vault;
}) {
  if (provider.suspended) {
    return (
      <div>
        <p>
          {PROVIDER_KIND_LABELS[provider.kind]} · <span className="badge badge-bad">Suspended</span>
        </p>
        <DirectoryListing />
        <p className="notice notice-error">
          The MedLedger administrator suspended this account. While suspended you cannot read or add records or request
          access, and every grant patients gave you is paused (grants that have not expired apply again if you are
          reinstated). Contact the administrator to resolve it.
        </p>
      </div>
    );
  }
  return (
    <div>
      <p>
        {PROVIDER_KIND_LABELS[provider.kind]} · <span className="badge badge-ok">Active</span>
      </p>
      <DirectoryListing />
      {provider.hasKey ? (
        <p className="muted">Your encryption key is published: patients can share records with you.</p>
      ) : (
        <div className="notice notice-info">
          <p>
            <strong>One step left:</strong> publish your encryption key. Patients wrap the keys to their records for
            this public key; until it is published nobody can share records with you. It is one transaction and reveals
            nothing else.
          </p>
          {vault ? (
            <PublishKeyButton vault={vault} />
          ) : (
            <p className="muted">Unlock your encryption key above first.</p>
          )}
        </div>
      )}
    </div>
  );
}
