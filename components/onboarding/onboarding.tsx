'use client';

import Link from 'next/link';
import { type ReactNode, useState } from 'react';
import { useSwitchChain } from 'wagmi';

import type { Vault } from '../../lib/records/vault';
import { DeriveKey, LoadError, Skeleton } from '../gate';
import { useIdentityStore } from '../identity-store';
import { unlockedUntil } from '../lock-button';
import { ProviderPending, ProviderStanding } from '../provider/provider-status';
import { useMedLedgerChain } from '../runtime-config';
import { type AccountStatus, useAccountStatus } from '../status';
import { useVault } from '../use-vault';
import { PatientRegistration } from './patient-registration';

type StepState = 'done' | 'current' | 'upcoming';

const STATE_BADGE: Record<StepState, { text: string; className: string }> = {
  done: { text: 'Done', className: 'badge badge-ok' },
  current: { text: 'To do', className: 'badge badge-warn' },
  upcoming: { text: 'Later', className: 'badge' },
};

function Step({ title, state, children }: { title: string; state: StepState; children: ReactNode }) {
  const badge = STATE_BADGE[state];
  return (
    <li aria-current={state === 'current' ? 'step' : undefined} className={`onboarding-step step-${state}`}>
      <div className="card">
        <h2>{title}</h2>
        <span className={badge.className}>
          <span className="visually-hidden">Status: </span>
          {badge.text}
        </span>
        {children}
      </div>
    </li>
  );
}

/**
 * Getting started, as a list of steps that tick themselves off from the wallet and the chain:
 * connect, right network, encryption key, then register as a patient or see the provider standing.
 */
export function Onboarding() {
  const { vault, context, connected, wrongNetwork } = useVault();
  const { recalling } = useIdentityStore();
  const chain = useMedLedgerChain();
  const status = useAccountStatus(context);
  const onNetwork = connected && !wrongNetwork;
  const provider = status.data?.provider;
  const roleDone = Boolean(status.data?.isPatient || (provider && provider.hasKey && !provider.suspended));
  return (
    <ol className="steps-onboarding">
      <Step title="Connect your wallet" state={connected ? 'done' : 'current'}>
        {connected ? (
          <p className="mono small break">{context?.account}</p>
        ) : (
          <p>
            Use <strong>Connect wallet</strong> at the top of the page. Your wallet address is your MedLedger identity:
            no password, no account at a company.
          </p>
        )}
      </Step>
      <Step title="Switch to the MedLedger network" state={!connected ? 'upcoming' : wrongNetwork ? 'current' : 'done'}>
        {!connected ? (
          <p className="muted">After connecting, your wallet must be on the MedLedger network.</p>
        ) : wrongNetwork ? (
          <SwitchNetwork />
        ) : (
          <p className="muted">
            Your wallet is on {chain.name} (chain {chain.id}).
          </p>
        )}
      </Step>
      <Step title="Unlock your encryption key" state={!onNetwork ? 'upcoming' : vault ? 'done' : 'current'}>
        {!onNetwork ? (
          <p className="muted">
            Two signature requests, no transaction: they derive the key that encrypts your records.
          </p>
        ) : vault ? (
          <KeyUnlocked account={context?.account} />
        ) : !context?.walletClient || status.isPending ? (
          <Skeleton lines={1} label="Connecting to your wallet" />
        ) : recalling ? (
          <Skeleton lines={1} label="Looking for your key on this device" />
        ) : (
          <DeriveKey context={context} role={status.data?.provider ? 'provider' : 'patient'} />
        )}
      </Step>
      <Step title="Choose your role" state={!onNetwork ? 'upcoming' : roleDone ? 'done' : 'current'}>
        {!onNetwork || !context?.account ? (
          <p className="muted">Register as a patient, or see whether your provider account is active.</p>
        ) : status.isPending ? (
          <Skeleton lines={2} label="Reading your registration" />
        ) : status.error ? (
          <LoadError what="Could not read your registration" error={status.error} onRetry={status.refetch} />
        ) : (
          <RoleStep status={status.data} vault={vault} account={context.account} />
        )}
      </Step>
    </ol>
  );
}

/** Where the unlocked key lives: this tab only, or this device until the expiry the user chose. */
function KeyUnlocked({ account }: { account?: string }) {
  const kept = useIdentityStore().keptUntil(account);
  return kept === undefined ? (
    <p className="muted">
      Your encryption key is unlocked in this tab. It is derived again from your wallet after a reload.
    </p>
  ) : (
    <p className="muted">
      Your encryption key is unlocked on this device until {unlockedUntil(kept)}, so a reload needs no signatures.{' '}
      <strong>Lock</strong> at the top of the page forgets it sooner.
    </p>
  );
}

/** The same one-click switch as the header banner, repeated where the step asks for it. */
function SwitchNetwork() {
  const switchChain = useSwitchChain();
  const chain = useMedLedgerChain();
  return (
    <div>
      <p>
        Your wallet is on another network. MedLedger runs on {chain.name} (chain {chain.id}).
      </p>
      <button type="button" onClick={() => switchChain.mutate({ chainId: chain.id })} disabled={switchChain.isPending}>
        {switchChain.isPending ? 'Confirm in your wallet…' : 'Switch my wallet to MedLedger'}
      </button>
      {switchChain.error ? (
        <p className="notice notice-error" role="alert">
          {switchChain.error.message.split('\n')[0]} Add the network in your wallet by hand if it keeps failing.
        </p>
      ) : null}
    </div>
  );
}

function RoleStep({ status, vault, account }: { status: AccountStatus; vault?: Vault; account: string }) {
  const [choice, setChoice] = useState<'patient' | 'provider'>();
  const admin = status.isAdmin ? (
    <div className="notice notice-info">
      <p>This account administers MedLedger: it registers providers and approves AI models.</p>
      <Link className="button" href="/admin">
        Open the admin dashboard
      </Link>
    </div>
  ) : null;

  if (status.provider) {
    return (
      <>
        {admin}
        <h3>Your provider account</h3>
        <ProviderStanding provider={status.provider} vault={vault} />
        {!status.provider.suspended && status.provider.hasKey ? (
          <Link className="button" href="/provider">
            Open the provider dashboard
          </Link>
        ) : null}
      </>
    );
  }
  if (status.isPatient) {
    return (
      <>
        {admin}
        <p>
          <span className="badge badge-ok">Registered patient</span> You are already registered; your records and who
          may read them are on your dashboard.
        </p>
        <Link className="button" href="/patient">
          Open my records
        </Link>
      </>
    );
  }
  return (
    <>
      {admin}
      <fieldset className="role-choice">
        <legend>I am…</legend>
        <div className="checks">
          <label>
            <input type="radio" name="role" checked={choice === 'patient'} onChange={() => setChoice('patient')} />A
            patient
          </label>
          <label>
            <input type="radio" name="role" checked={choice === 'provider'} onChange={() => setChoice('provider')} />A
            doctor, laboratory or insurer
          </label>
        </div>
      </fieldset>
      {choice === 'patient' ? (
        vault ? (
          <PatientRegistration vault={vault} />
        ) : (
          <p className="notice notice-info">
            Unlock your encryption key (step 3) first: your profile is encrypted with it.
          </p>
        )
      ) : choice === 'provider' ? (
        <ProviderPending address={account} />
      ) : null}
    </>
  );
}
