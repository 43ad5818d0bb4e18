'use client';

import { type ReactNode, useId, useState } from 'react';

import { type Enrollment, KEEP_UNLOCKED_CHOICES } from '../lib/crypto';
import { describeError } from '../lib/errors';
import { enrollWallet } from '../lib/records/identity';
import type { Vault } from '../lib/records/vault';
import type { ChainContext } from '../lib/chain/client';
import { useIdentityStore } from './identity-store';
import { useVault } from './use-vault';

/** Derives the account's encryption key from two wallet signatures (lib/records `enrollWallet`). */
export function DeriveKey({ context, role }: { context: ChainContext; role: 'patient' | 'provider' }) {
  const { remember, canKeep } = useIdentityStore();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const [keep, setKeep] = useState(false);
  const [keepFor, setKeepFor] = useState<number>(KEEP_UNLOCKED_CHOICES[1].ms);
  const keepId = useId();
  async function derive() {
    setState({ busy: true });
    let enrollment: Enrollment;
    try {
      enrollment = await enrollWallet(context, { role });
    } catch (error) {
      setState({ busy: false, error: describeError(error) });
      return;
    }
    try {
      await remember(
        context.account!,
        enrollment.key,
        keep && canKeep ? { forMs: keepFor, keyVersion: enrollment.keyVersion } : undefined,
      );
      setState({ busy: false });
    } catch (error) {
      setState({
        busy: false,
        error: `Your key is unlocked in this tab, but this device could not keep it: ${describeError(error)}`,
      });
    }
  }
  return (
    <div>
      <p>
        Your wallet will ask you to sign the same message twice. The signature never leaves this browser: it is turned
        into the private key that encrypts and decrypts your records, so the same wallet always unlocks them and no
        server ever holds the key. Signing costs nothing and sends no transaction.
      </p>
      {canKeep === false ? (
        <p className="muted small">
          This browser cannot keep your key between visits (it lacks WebCrypto X25519 or IndexedDB), so a reload asks
          for the signatures again.
        </p>
      ) : canKeep ? (
        <div className="keep-unlocked">
          <div className="keep-choice">
            <label htmlFor={`${keepId}-keep`}>
              <input
                id={`${keepId}-keep`}
                type="checkbox"
                checked={keep}
                onChange={(event) => setKeep(event.target.checked)}
                disabled={state.busy}
                aria-describedby={`${keepId}-why`}
              />
              Keep this device unlocked for
            </label>
            <select
              aria-label="How long to keep this device unlocked"
              value={keepFor}
              onChange={(event) => setKeepFor(Number(event.target.value))}
              disabled={state.busy || !keep}
            >
              {KEEP_UNLOCKED_CHOICES.map((choice) => (
                <option key={choice.ms} value={choice.ms}>
                  {choice.label}
                </option>
              ))}
            </select>
          </div>
          <p id={`${keepId}-why`} className="muted small">
            Your key is then stored in this browser in a form no web page can read out, so reloading needs no
            signatures, but anyone using this browser profile can open your records until it expires or you press Lock.
          </p>
        </div>
      ) : null}
      <button type="button" onClick={derive} disabled={state.busy}>
        {state.busy ? 'Waiting for your signatures…' : 'Derive my encryption key'}
      </button>
      {state.busy ? (
        <p role="status" className="muted">
          Check your wallet: two signature requests.
        </p>
      ) : null}
      {state.error ? (
        <p role="alert" className="notice notice-error">
          {state.error}
        </p>
      ) : null}
    </div>
  );
}

/** Renders `children` with a vault once the wallet is connected, on the devnet and its key derived. */
export function VaultGate({ role, children }: { role: 'patient' | 'provider'; children: (vault: Vault) => ReactNode }) {
  const { vault, context, wrongNetwork, connected } = useVault();
  const { recalling } = useIdentityStore();
  if (!connected) {
    return (
      <div className="card">
        <h2>Connect your wallet</h2>
        <p>Use “Connect wallet” at the top of the page. Your wallet address is your MedLedger identity.</p>
      </div>
    );
  }
  if (wrongNetwork) {
    return (
      <div className="card">
        <h2>Wrong network</h2>
        <p>Switch your wallet to the MedLedger devnet with the button at the top of the page.</p>
      </div>
    );
  }
  if (!context?.walletClient) return <Skeleton lines={3} label="Connecting to your wallet" />;
  if (!vault && recalling) return <Skeleton lines={3} label="Looking for your key on this device" />;
  if (!vault) {
    return (
      <div className="card">
        <h2>Unlock your records</h2>
        <DeriveKey context={context} role={role} />
      </div>
    );
  }
  return <>{children(vault)}</>;
}

export function Skeleton({ lines = 3, label = 'Loading' }: { lines?: number; label?: string }) {
  return (
    <div className="card" role="status" aria-label={label} aria-busy="true">
      {Array.from({ length: lines }, (_, index) => (
        <div key={index} className="skeleton" style={{ width: `${90 - index * 15}%` }} />
      ))}
      <span className="muted small">{label}…</span>
    </div>
  );
}

/**
 * A read that failed, said plainly, with the retry a person needs: a line (`what`: "Could not read
 * your registration") or, given a `title`, a card with that heading.
 */
export function LoadError({
  what,
  title,
  hint,
  error,
  onRetry,
}: {
  what?: string;
  title?: string;
  hint?: string;
  error: unknown;
  onRetry: () => unknown;
}) {
  if (title) {
    return (
      <div className="card" role="alert">
        <h2>{title}</h2>
        <p>{describeError(error)}</p>
        {hint ? <p className="muted">{hint}</p> : null}
        <button type="button" onClick={() => void onRetry()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <p className="notice notice-error" role="alert">
      {what}: {describeError(error)}{' '}
      <button type="button" className="secondary" onClick={() => void onRetry()}>
        Try again
      </button>
    </p>
  );
}
