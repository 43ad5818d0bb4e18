'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { getAddress, isAddress, keccak256, toHex } from 'viem';

import { type ProviderSummary, listProviders } from '../../lib/chain/activity';
import type { ChainContext } from '../../lib/chain/client';
import { writeMedLedger } from '../../lib/chain/medledger';
import { REGISTERED_PROVIDER_KINDS, providerKindLabel } from '../../lib/chain/provider-kinds';
import { describeError } from '../../lib/errors';
import { Skeleton } from '../gate';
import { formatDate, shortAddress } from '../records/format';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { ConfirmAction } from './confirm-action';

const PROVIDERS_KEY = ['admin-providers'] as const;

/** The credential hash the registry stores: keccak-256 of the credential text as typed (trimmed). */
function credentialHash(credential: string) {
  return keccak256(toHex(credential.trim()));
}

/** Registered providers with suspend / reinstate, and the form that registers a new one. */
export function ProvidersAdmin({ context }: { context: ChainContext }) {
  const queryClient = useQueryClient();
  const providers = useQuery({ queryKey: PROVIDERS_KEY, queryFn: () => listProviders(context) });
  const action = useTx();

  async function setSuspended(provider: ProviderSummary, suspend: boolean) {
    const done = await action.run(
      async ({ onStage }) => {
        await writeMedLedger(context, suspend ? 'suspendProvider' : 'reinstateProvider', [provider.provider], {
          onStage,
        });
        return true;
      },
      suspend
        ? `${shortAddress(provider.provider)} is suspended: every grant it holds is paused.`
        : `${shortAddress(provider.provider)} is reinstated: its unexpired grants apply again.`,
    );
    if (done) await queryClient.invalidateQueries({ queryKey: PROVIDERS_KEY });
  }

  return (
    <>
      <section className="card" aria-labelledby="providers-head">
        <div className="section-head">
          <h2 id="providers-head">Providers</h2>
          <button
            type="button"
            className="secondary"
            onClick={() => providers.refetch()}
            disabled={providers.isFetching}
          >
            {providers.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        <TxStatus state={action.state} />
        {providers.isPending ? (
          <Skeleton lines={3} label="Reading the provider registry" />
        ) : providers.error ? (
          <p className="notice notice-error" role="alert">
            Could not read the provider registry: {describeError(providers.error)} Check that the devnet is running,
            then refresh.
          </p>
        ) : providers.data.length === 0 ? (
          <p className="empty">No providers yet. Register the first one with the form below.</p>
        ) : (
          <div className="table-wrap">
            <table className="stack-table">
              <caption className="visually-hidden">Registered providers</caption>
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Credential hash</th>
                  <th scope="col">Registered</th>
                  <th scope="col">Status</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {providers.data.map((provider) => (
                  <tr key={provider.provider}>
                    <td data-label="Address">
                      <span className="mono break">{provider.provider}</span>
                    </td>
                    <td data-label="Kind">{providerKindLabel(provider.kind)}</td>
                    <td data-label="Credential hash">
                      <span className="mono small" title={provider.credentialHash}>
                        {provider.credentialHash.slice(0, 10)}…{provider.credentialHash.slice(-6)}
                      </span>
                    </td>
                    <td data-label="Registered">{formatDate(provider.registeredAt)}</td>
                    <td data-label="Status">
                      {provider.suspended ? (
                        <span className="badge badge-bad">Suspended</span>
                      ) : (
                        <span className="badge badge-ok">Active</span>
                      )}
                      {provider.hasKey ? null : (
                        <span className="muted small block">Encryption key not published yet</span>
                      )}
                    </td>
                    <td data-label="Action">
                      {provider.suspended ? (
                        <ConfirmAction
                          label="Reinstate"
                          confirmLabel="Confirm reinstatement"
                          onConfirm={() => setSuspended(provider, false)}
                          disabled={action.busy}
                        >
                          Reinstate {shortAddress(provider.provider)}? Grants that have not expired or been revoked
                          apply again at once.
                        </ConfirmAction>
                      ) : (
                        <ConfirmAction
                          label="Suspend"
                          confirmLabel="Confirm suspension"
                          onConfirm={() => setSuspended(provider, true)}
                          disabled={action.busy}
                          danger
                        >
                          Suspend {shortAddress(provider.provider)}? It loses every access patients granted at once, and
                          cannot request access or add records until reinstated.
                        </ConfirmAction>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <RegisterProviderForm context={context} />
    </>
  );
}

function RegisterProviderForm({ context }: { context: ChainContext }) {
  const queryClient = useQueryClient();
  const { state, run, busy } = useTx();
  const [address, setAddress] = useState('');
  const [kind, setKind] = useState<number>(REGISTERED_PROVIDER_KINDS[0]!.code);
  const [credential, setCredential] = useState('');
  const [problem, setProblem] = useState<string>();
  const ids = { address: useId(), kind: useId(), credential: useId(), hash: useId() };
  const hash = credential.trim() ? credentialHash(credential) : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const issues = [
      isAddress(address.trim(), { strict: false })
        ? ''
        : 'Enter the provider’s wallet address (0x followed by 40 hex characters).',
      hash ? '' : 'Enter the credential you checked, e.g. the licence or registry number.',
    ].filter(Boolean);
    if (issues.length > 0) {
      setProblem(issues.join(' '));
      return;
    }
    setProblem(undefined);
    const provider = getAddress(address.trim());
    const done = await run(
      async ({ onStage }) => {
        await writeMedLedger(context, 'registerProvider', [provider, kind, hash!], { onStage });
        return true;
      },
      `${shortAddress(provider)} is registered (${providerKindLabel(kind).toLowerCase()}). It can now publish its key and request access.`,
    );
    if (done) {
      setAddress('');
      setCredential('');
      await queryClient.invalidateQueries({ queryKey: PROVIDERS_KEY });
    }
  }

  return (
    <section className="card" aria-labelledby="register-head">
      <h2 id="register-head">Register a provider</h2>
      <form onSubmit={submit} noValidate aria-labelledby="register-head">
        <label htmlFor={ids.address}>Provider address</label>
        <input
          id={ids.address}
          className="mono wide"
          value={address}
          onChange={(event) => setAddress(event.target.value)}
          placeholder="0x…"
          autoComplete="off"
          spellCheck={false}
          disabled={busy}
        />
        <label htmlFor={ids.kind}>Kind</label>
        <select id={ids.kind} value={kind} onChange={(event) => setKind(Number(event.target.value))} disabled={busy}>
          {REGISTERED_PROVIDER_KINDS.map((option) => (
            <option key={option.code} value={option.code}>
              {option.label}
            </option>
          ))}
        </select>
        <label htmlFor={ids.credential}>Credential</label>
        <input
          id={ids.credential}
          className="wide"
          value={credential}
          onChange={(event) => setCredential(event.target.value)}
          placeholder="e.g. GMC 7654321, verified 2025-03-02"
          autoComplete="off"
          aria-describedby={ids.hash}
          disabled={busy}
        />
        <p id={ids.hash} className="muted small">
          Only the keccak-256 hash of this text goes on-chain, never the credential itself; keep the credential in your
          own files so the hash can be checked later.
          {hash ? (
            <>
              {' '}
              Hash: <span className="mono break">{hash}</span>
            </>
          ) : null}
        </p>
        {problem ? (
          <p className="notice notice-error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          Register provider
        </button>
        <TxStatus state={state} />
      </form>
    </section>
  );
}
