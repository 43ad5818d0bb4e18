'use client';

import { useState } from 'react';
import type { Address } from 'viem';

import { writeMedLedger } from '../../lib/chain/medledger';
import { grantAccess } from '../../lib/records/consent';
import type { Vault } from '../../lib/records/vault';
import { scopeSummary } from '../provider/scopes';
import { formatDate } from '../records/format';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { DEFAULT_EXPIRY, type ExpiryChoice, ExpiryPicker, expiryOf } from './expiry-picker';
import { useProviderNames } from '../use-provider-directory';
import { ProviderName } from './provider-name';
import type { PatientLedger } from './use-patient-ledger';

type Request = PatientLedger['pending'][number];

type Tx = ReturnType<typeof useTx>;

function RequestItem({
  vault,
  request,
  ledger,
  onAnswered,
  tx: { run, busy },
}: {
  vault: Vault;
  request: Request;
  ledger: PatientLedger;
  onAnswered: () => void;
  tx: Tx;
}) {
  const [expiry, setExpiry] = useState<ExpiryChoice>(DEFAULT_EXPIRY);
  const { labelOf, entryOf, directory } = useProviderNames();
  const label = labelOf(request.provider);
  const unlisted = directory.isSuccess && !directory.isFetching && !entryOf(request.provider)?.profile;
  const standing = ledger.providers.get(request.provider.toLowerCase());

  async function approve() {
    const until = expiryOf(expiry);
    if (!until) return;
    const done = await run(
      async ({ onStage }) => {
        await grantAccess(vault, { provider: request.provider, scopes: request.scopes, expiry: until }, { onStage });
        return true;
      },
      `Approved: ${label} may ${scopeSummary(request.scopes).toLowerCase()}.`,
    );
    if (done) onAnswered();
  }

  async function deny(provider: Address) {
    const done = await run(async ({ onStage }) => {
      await writeMedLedger(vault.chain, 'denyRequest', [provider], { onStage });
      return true;
    }, `Request from ${label} denied.`);
    if (done) onAnswered();
  }

  return (
    <li className="grant request">
      <div className="grant-head">
        <ProviderName address={request.provider} standing={standing} />
        <span className="small muted">asked {formatDate(request.timestamp)}</span>
      </div>
      <p>
        Asks to: <strong>{scopeSummary(request.scopes)}</strong>
      </p>
      {unlisted && !standing?.suspended ? (
        <p className="notice notice-info small">
          This provider has no verified profile in the directory, so MedLedger cannot tell you who it is. Check the
          address with them before you approve.
        </p>
      ) : null}
      {standing?.suspended ? (
        <p className="notice notice-error">
          This provider is suspended by the administrator; access cannot be approved.
        </p>
      ) : (
        <ExpiryPicker
          value={expiry}
          onChange={setExpiry}
          legend={`If approved, ${label}’s access ends after`}
          disabled={busy}
        />
      )}
      <div className="button-row">
        <button
          type="button"
          onClick={approve}
          disabled={busy || standing?.suspended || !expiryOf(expiry)}
          aria-label={`Approve request from ${label}`}
        >
          Approve
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => deny(request.provider)}
          disabled={busy}
          aria-label={`Deny request from ${label}`}
        >
          Deny
        </button>
      </div>
    </li>
  );
}

/** Access requests no answer was given to yet, each with Approve (choosing the expiry) and Deny. */
export function PendingRequests({
  vault,
  ledger,
  onAnswered,
}: {
  vault: Vault;
  ledger: PatientLedger;
  onAnswered: () => void;
}) {
  // One status for the list: an answered request leaves it, its outcome must not leave with it.
  const tx = useTx();
  return (
    <>
      {ledger.pending.length === 0 ? (
        <p className="empty">No requests waiting. When a provider asks for access, it appears here.</p>
      ) : (
        <ul className="grant-list">
          {ledger.pending.map((request) => (
            <RequestItem
              key={request.provider}
              vault={vault}
              request={request}
              ledger={ledger}
              onAnswered={onAnswered}
              tx={tx}
            />
          ))}
        </ul>
      )}
      <TxStatus state={tx.state} />
    </>
  );
}
