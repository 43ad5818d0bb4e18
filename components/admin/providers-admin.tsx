'use client';

import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, Fragment, useId, useState } from 'react';
import { type Address, getAddress, isAddress, keccak256, toHex } from 'viem';

import type { ChainContext } from '../../lib/chain/client';
import { writeMedLedger } from '../../lib/chain/medledger';
import { REGISTERED_PROVIDER_KINDS, providerKindLabel } from '../../lib/chain/provider-kinds';
import { describeError } from '../../lib/errors';
import {
  type DirectoryEntry,
  type ProviderProfile,
  identifierText,
  profileSummary,
  publishProviderProfile,
} from '../../lib/records/directory';
import { AddressChip } from '../address-chip';
import { Skeleton } from '../gate';
import { providerLabel } from '../provider-directory-model';
import styles from '../provider-directory.module.css';
import { formatDate } from '../records/format';
import { TxStatus } from '../tx-status';
import { invalidateProviderDirectory, useProviderDirectory } from '../use-provider-directory';
import { useTx } from '../use-tx';
import { ipfsClient } from '../use-vault';
import { ConfirmAction } from './confirm-action';
import { EMPTY_DRAFT, type ProfileDraft, draftOf, profileOf } from './profile-draft';
import { ProfileFields } from './profile-fields';

/** The credential hash the registry stores: keccak-256 of the credential text as typed (trimmed). */
function credentialHash(credential: string) {
  return keccak256(toHex(credential.trim()));
}

/** Publishes a provider's profile as the administrator: IPFS, then one transaction. */
function publish(
  context: ChainContext,
  provider: Address,
  profile: ProviderProfile,
  options: Parameters<typeof publishProviderProfile>[3],
) {
  return publishProviderProfile({ chain: context, ipfs: ipfsClient() }, provider, profile, options);
}

/** Who a provider is, as the list shows it: name, specialty and organisation, identifier, address. */
function ProviderCell({ entry }: { entry: DirectoryEntry }) {
  const label = providerLabel(entry.provider, entry);
  const summary = entry.profile ? profileSummary(entry.profile) : '';
  return (
    <span className={styles.cell}>
      <span className={styles.optionName}>{entry.profile ? label : 'No profile published'}</span>
      {summary ? <span className="small">{summary}</span> : null}
      {entry.profile?.identifier ? (
        <span className="small muted">{identifierText(entry.profile.identifier)}</span>
      ) : null}
      {entry.profileError ? (
        <span className="small error-text">The published profile is not shown: {entry.profileError}</span>
      ) : null}
      <AddressChip address={entry.provider} of={label} />
    </span>
  );
}

/** Changes a registered provider's public profile (one IPFS upload and one transaction). */
function EditProfile({
  context,
  entry,
  onClose,
}: {
  context: ChainContext;
  entry: DirectoryEntry;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const { state, run, busy } = useTx();
  const [draft, setDraft] = useState<ProfileDraft>(() => draftOf(entry.profile));
  const [problems, setProblems] = useState<string[]>([]);
  const headId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const made = profileOf(draft, entry.kind);
    if ('problems' in made) return setProblems(made.problems);
    setProblems([]);
    const done = await run(async ({ onStage }) => {
      await publish(context, entry.provider, made.profile, { onStage });
      return true;
    }, `The profile of ${made.profile.name} is published; patients see it the next time their directory loads.`);
    if (done) await invalidateProviderDirectory(queryClient);
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby={headId} className="card">
      <h3 id={headId}>Edit the profile of {providerLabel(entry.provider, entry)}</h3>
      <ProfileFields draft={draft} kind={entry.kind} onChange={setDraft} disabled={busy} />
      <Problems problems={problems} />
      <div className="button-row">
        <button type="submit" disabled={busy}>
          Publish profile
        </button>
        <button type="button" className="secondary" onClick={onClose} disabled={busy}>
          Close
        </button>
      </div>
      <TxStatus state={state} />
    </form>
  );
}

function Problems({ problems }: { problems: readonly string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="notice notice-error" role="alert">
      {problems.length === 1 ? (
        problems[0]
      ) : (
        <ul className="plain-list">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Registered providers by name with suspend / reinstate and profile editing, and the registration form. */
export function ProvidersAdmin({ context }: { context: ChainContext }) {
  const queryClient = useQueryClient();
  const directory = useProviderDirectory();
  const action = useTx();
  const [editing, setEditing] = useState<Address>();

  async function setSuspended(entry: DirectoryEntry, suspend: boolean) {
    const label = providerLabel(entry.provider, entry);
    const done = await action.run(
      async ({ onStage }) => {
        await writeMedLedger(context, suspend ? 'suspendProvider' : 'reinstateProvider', [entry.provider], {
          onStage,
        });
        return true;
      },
      suspend
        ? `${label} is suspended: every grant it holds is paused.`
        : `${label} is reinstated: its unexpired grants apply again.`,
    );
    if (done) await invalidateProviderDirectory(queryClient);
  }

  return (
    <>
      <section className="card" aria-labelledby="providers-head">
        <div className="section-head">
          <h2 id="providers-head">Providers</h2>
          <button
            type="button"
            className="secondary"
            onClick={() => directory.refetch()}
            disabled={directory.isFetching}
          >
            {directory.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        <TxStatus state={action.state} />
        {directory.isPending ? (
          <Skeleton lines={3} label="Reading the provider registry" />
        ) : directory.error ? (
          <p className="notice notice-error" role="alert">
            Could not read the provider registry: {describeError(directory.error)} Check that the devnet is running,
            then refresh.
          </p>
        ) : directory.data.length === 0 ? (
          <p className="empty">No providers yet. Register the first one with the form below.</p>
        ) : (
          <div className="table-wrap">
            <table className="stack-table">
              <caption className="visually-hidden">Registered providers</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Registered</th>
                  <th scope="col">Status</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {directory.data.map((entry) => {
                  const label = providerLabel(entry.provider, entry);
                  return (
                    <Fragment key={entry.provider}>
                      <tr>
                        <td data-label="Provider">
                          <ProviderCell entry={entry} />
                        </td>
                        <td data-label="Kind">{providerKindLabel(entry.kind)}</td>
                        <td data-label="Registered">
                          {formatDate(entry.registeredAt)}
                          <span className="muted small block">
                            Credential hash{' '}
                            <span className="mono" title={entry.credentialHash}>
                              {entry.credentialHash.slice(0, 10)}…{entry.credentialHash.slice(-6)}
                            </span>
                          </span>
                        </td>
                        <td data-label="Status">
                          {entry.suspended ? (
                            <span className="badge badge-bad">Suspended</span>
                          ) : (
                            <span className="badge badge-ok">Active</span>
                          )}
                          {entry.hasKey ? null : (
                            <span className="muted small block">Encryption key not published yet</span>
                          )}
                        </td>
                        <td data-label="Action">
                          <div className={styles.actions}>
                            <button
                              type="button"
                              className="secondary"
                              aria-expanded={editing === entry.provider}
                              aria-label={`Edit the profile of ${label}`}
                              onClick={() => setEditing(editing === entry.provider ? undefined : entry.provider)}
                            >
                              {entry.profile ? 'Edit profile' : 'Publish profile'}
                            </button>
                            {entry.suspended ? (
                              <ConfirmAction
                                label="Reinstate"
                                confirmLabel="Confirm reinstatement"
                                onConfirm={() => setSuspended(entry, false)}
                                disabled={action.busy}
                              >
                                Reinstate {label}? Grants that have not expired or been revoked apply again at once.
                              </ConfirmAction>
                            ) : (
                              <ConfirmAction
                                label="Suspend"
                                confirmLabel="Confirm suspension"
                                onConfirm={() => setSuspended(entry, true)}
                                disabled={action.busy}
                                danger
                              >
                                Suspend {label}? It loses every access patients granted at once, and cannot request
                                access or add records until reinstated.
                              </ConfirmAction>
                            )}
                          </div>
                        </td>
                      </tr>
                      {editing === entry.provider ? (
                        <tr>
                          <td colSpan={5} className={styles.wholeRow}>
                            <EditProfile context={context} entry={entry} onClose={() => setEditing(undefined)} />
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <RegisterProviderForm context={context} />
    </>
  );
}

type Phase = 'register' | 'publish';

const PHASES: readonly { phase: Phase; label: string }[] = [
  { phase: 'register', label: '1. Register on-chain' },
  { phase: 'publish', label: '2. Publish the profile (IPFS, then a transaction)' },
];

/**
 * Registers a provider and publishes its profile right after: two transactions, each step shown. A
 * profile that fails to publish leaves a registered provider without a name, said so with the way out.
 */
function RegisterProviderForm({ context }: { context: ChainContext }) {
  const queryClient = useQueryClient();
  const { state, run, busy } = useTx();
  const [address, setAddress] = useState('');
  const [kind, setKind] = useState<number>(REGISTERED_PROVIDER_KINDS[0]!.code);
  const [credential, setCredential] = useState('');
  const [draft, setDraft] = useState<ProfileDraft>(EMPTY_DRAFT);
  const [problems, setProblems] = useState<string[]>([]);
  const [phase, setPhase] = useState<Phase>();
  const [unpublished, setUnpublished] = useState<string>();
  const ids = { address: useId(), kind: useId(), credential: useId(), hash: useId(), head: useId() };
  const hash = credential.trim() ? credentialHash(credential) : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const made = profileOf(draft, kind);
    const issues = [
      isAddress(address.trim(), { strict: false })
        ? ''
        : 'Enter the provider’s wallet address (0x followed by 40 hex characters).',
      ...('problems' in made ? made.problems : []),
      hash ? '' : 'Enter the credential you checked, e.g. the licence or registry number.',
    ].filter(Boolean);
    if (issues.length > 0 || 'problems' in made) return setProblems(issues);
    setProblems([]);
    setUnpublished(undefined);
    const provider = getAddress(address.trim());
    const { profile } = made;
    setPhase('register');
    const registered = await run(async ({ onStage }) => {
      await writeMedLedger(context, 'registerProvider', [provider, kind, hash!], { onStage });
      return true;
    }, `${profile.name} is registered; publishing the profile next.`);
    if (!registered) return setPhase(undefined);
    await invalidateProviderDirectory(queryClient);
    setPhase('publish');
    const published = await run(
      async ({ onStage }) => {
        await publish(context, provider, profile, { onStage });
        return true;
      },
      `${profile.name} is registered (${providerKindLabel(kind).toLowerCase()}) and listed in the directory. It can now publish its key and request access.`,
    );
    setPhase(undefined);
    await invalidateProviderDirectory(queryClient);
    if (!published) {
      setUnpublished(profile.name);
      return;
    }
    setAddress('');
    setCredential('');
    setDraft(EMPTY_DRAFT);
  }

  return (
    <section className="card" aria-labelledby={ids.head}>
      <h2 id={ids.head}>Register a provider</h2>
      <form onSubmit={submit} noValidate aria-labelledby={ids.head}>
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
        <ProfileFields draft={draft} kind={kind} onChange={setDraft} disabled={busy} />
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
        <Problems problems={problems} />
        <button type="submit" disabled={busy}>
          Register provider
        </button>
        {phase ? (
          <ol className="steps" aria-label="Registration steps">
            {PHASES.map((step, index) => {
              const current = PHASES.findIndex((entry) => entry.phase === phase);
              return (
                <li
                  key={step.phase}
                  className={index < current ? 'step-done' : ''}
                  aria-current={index === current ? 'step' : undefined}
                >
                  {step.label}
                  {index < current ? ' ✓' : index === current ? ' …' : ''}
                </li>
              );
            })}
          </ol>
        ) : null}
        <TxStatus state={state} />
        {unpublished ? (
          <p className="notice notice-info">
            {unpublished} is registered, but its profile is not published, so patients see only its address. Use
            “Publish profile” beside it in the list above to try again.
          </p>
        ) : null}
      </form>
    </section>
  );
}
