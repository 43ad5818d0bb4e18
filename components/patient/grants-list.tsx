'use client';

import { useState } from 'react';
import type { Address } from 'viem';

import type { ProviderAccess } from '../../lib/chain/activity';
import { revokeAccess } from '../../lib/records/consent';
import type { Vault } from '../../lib/records/vault';
import { scopeSummary } from '../provider/scopes';
import { formatDate, relativeTime } from '../records/format';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { ProviderName, useProviderLabel } from './provider-name';
import type { PatientLedger } from './use-patient-ledger';

type GrantStatus = 'active' | 'expired' | 'revoked' | 'suspended';

function statusOf(grant: ProviderAccess, ledger: PatientLedger): GrantStatus {
  if (grant.scopes === 0n) return 'revoked';
  if (ledger.providers.get(grant.provider.toLowerCase())?.suspended) return 'suspended';
  if (grant.expiry * 1000 <= Date.now()) return 'expired';
  return grant.active ? 'active' : 'expired';
}

const STATUS_BADGE: Record<GrantStatus, { label: string; className: string; note: string }> = {
  active: { label: 'Active', className: 'badge badge-ok', note: '' },
  expired: { label: 'Expired', className: 'badge badge-warn', note: 'Access has ended. Grant again to renew it.' },
  revoked: { label: 'Revoked', className: 'badge badge-bad', note: 'You revoked this access.' },
  suspended: {
    label: 'Provider suspended',
    className: 'badge badge-bad',
    note: 'An administrator suspended this provider; it has no access while suspended.',
  },
};

/**
 * Providers the patient ever granted, with what they may do, until when, and their status; Revoke
 * asks for confirmation and says plainly that revocation is forward-only.
 */
export function GrantsList({
  vault,
  ledger,
  onChanged,
}: {
  vault: Vault;
  ledger: PatientLedger;
  onChanged: () => void;
}) {
  const { state, run, busy } = useTx();
  const [confirming, setConfirming] = useState<Address>();
  const labelOf = useProviderLabel();
  const grants = [...ledger.grants].sort((a, b) => Number(b.active) - Number(a.active) || b.expiry - a.expiry);

  async function revoke(provider: Address) {
    const done = await run(
      async ({ onStage }) => {
        await revokeAccess(vault, provider, { onStage });
        return true;
      },
      `Access revoked for ${labelOf(provider)}. Records you add from now on use new keys they do not have.`,
    );
    setConfirming(undefined);
    if (done) onChanged();
  }

  if (grants.length === 0) {
    return (
      <p className="empty">
        No provider has access yet. Approve a request, grant access below, or share a consent link.
      </p>
    );
  }
  return (
    <>
      <ul className="grant-list">
        {grants.map((grant) => {
          const status = statusOf(grant, ledger);
          const badge = STATUS_BADGE[status];
          const label = labelOf(grant.provider);
          return (
            <li key={grant.provider} className="grant">
              <div className="grant-head">
                <ProviderName address={grant.provider} standing={ledger.providers.get(grant.provider.toLowerCase())} />
                <span className={badge.className}>{badge.label}</span>
              </div>
              {status !== 'revoked' ? (
                <dl className="facts">
                  <dt>May</dt>
                  <dd>{scopeSummary(grant.scopes)}</dd>
                  <dt>{status === 'expired' ? 'Ended' : 'Until'}</dt>
                  <dd>
                    {formatDate(grant.expiry)} ({relativeTime(grant.expiry)})
                  </dd>
                </dl>
              ) : null}
              {badge.note ? <p className="small muted">{badge.note}</p> : null}
              {status !== 'revoked' ? (
                confirming === grant.provider ? (
                  <div
                    className="notice notice-info revoke-confirm"
                    role="group"
                    aria-label={`Confirm revoking ${label}`}
                  >
                    <p>
                      <strong>Revoke access for {label}?</strong> They will not be able to open your records from now
                      on, and records you add later are encrypted with new keys they never receive. What they have
                      already read or downloaded cannot be recalled.
                    </p>
                    <div className="button-row">
                      <button type="button" className="danger" onClick={() => revoke(grant.provider)} disabled={busy}>
                        Confirm revoke
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => setConfirming(undefined)}
                        disabled={busy}
                      >
                        Keep access
                      </button>
                    </div>
                  </div>
                ) : (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Revoke access for ${label}`}
                    onClick={() => setConfirming(grant.provider)}
                    disabled={busy}
                  >
                    Revoke
                  </button>
                )
              ) : null}
            </li>
          );
        })}
      </ul>
      <TxStatus state={state} />
    </>
  );
}
