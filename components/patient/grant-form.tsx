'use client';

import { type FormEvent, useState } from 'react';

import { describeError } from '../../lib/errors';
import { grantAccess } from '../../lib/records/consent';
import type { Vault } from '../../lib/records/vault';
import { ScopePicker, scopeSummary } from '../provider/scopes';
import { useAddressBook } from '../records/address-book';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { DEFAULT_EXPIRY, type ExpiryChoice, ExpiryPicker, expiryOf } from './expiry-picker';
import { checkProvider } from './provider-check';
import { useProviderLabel } from './provider-name';
import { NO_PROVIDER, type ProviderChoice, ProviderPicker, choiceProblem } from './provider-picker';

/**
 * Grant a provider access: who, which categories to read and/or write (`initialScopes` ticked at
 * first), and until when.
 */
export function GrantForm({
  vault,
  onGranted,
  initialScopes = 0n,
}: {
  vault: Vault;
  onGranted: () => void;
  initialScopes?: bigint;
}) {
  const { state, run, busy } = useTx();
  const { setName } = useAddressBook();
  const labelOf = useProviderLabel();
  const [choice, setChoice] = useState<ProviderChoice>(NO_PROVIDER);
  const [scopes, setScopes] = useState(initialScopes);
  const [expiry, setExpiry] = useState<ExpiryChoice>(DEFAULT_EXPIRY);
  const [problem, setProblem] = useState<string>();
  const [checking, setChecking] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    const unchosen = choiceProblem(choice);
    if (unchosen) return setProblem(unchosen);
    const until = expiryOf(expiry);
    if (!until) return setProblem('Choose when access ends: a preset or a date in the future.');
    setChecking(true);
    const checked = await checkProvider(vault, choice.address, scopes, labelOf).catch((error: unknown) => ({
      problem: describeError(error),
    }));
    setChecking(false);
    if ('problem' in checked) return setProblem(checked.problem);
    if (choice.typed && choice.localName.trim()) setName(checked.provider, choice.localName);
    const done = await run(
      async ({ onStage }) => {
        const { newEpoch, reshared } = await grantAccess(
          vault,
          { provider: checked.provider, scopes, expiry: until },
          { onStage },
        );
        return newEpoch
          ? `Access changed: ${scopeSummary(scopes)}. What you write from now on in the categories you took away cannot ` +
              `be opened by this provider (what it already read cannot be recalled); ` +
              (reshared.length === 1 ? '1 other provider was' : `${reshared.length} other providers were`) +
              ' given your new keys.'
          : `Access granted to ${labelOf(checked.provider)}: ${scopeSummary(scopes)}.`;
      },
      (message: string) => message,
    );
    if (done) {
      setChoice(NO_PROVIDER);
      setScopes(0n);
      onGranted();
    }
  }

  return (
    <form onSubmit={submit} aria-label="Grant access">
      <ProviderPicker
        value={choice}
        onChange={setChoice}
        exclude={vault.chain.account}
        disabled={busy}
        legend="Who gets access?"
      />
      <ScopePicker value={scopes} onChange={setScopes} legend="What may this provider see and add?" disabled={busy} />
      <ExpiryPicker value={expiry} onChange={setExpiry} disabled={busy} />
      <p className="small muted">
        Granting publishes your record keys for the chosen categories, encrypted so only this provider can open them,
        then records the grant on-chain in one transaction. Taking a category away from a provider also gives your other
        providers new keys, one transaction each.
      </p>
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" disabled={busy || checking}>
        {checking ? 'Checking the provider…' : 'Grant access'}
      </button>
      <TxStatus state={state} />
    </form>
  );
}
