'use client';

import { useEffect, useRef, useState } from 'react';
import { type Connector, useConnect, useConnection, useConnectors, useDisconnect } from 'wagmi';

import { BURNER_CONNECTOR_ID, BURNER_ROLES, type BurnerRole, burnerRole, setBurnerRole } from './burner';
import { LockButton } from './lock-button';
import { useRuntimeConfig } from './runtime-config';

function short(address: string) {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** Wallet button in the header: opens an accessible connect dialog, or shows the account. */
export function ConnectButton() {
  const connection = useConnection();
  const disconnect = useDisconnect();
  const [open, setOpen] = useState(false);
  const [mounted, setMounted] = useState(false);
  // The account comes from a cookie on the server; render the same markup until hydrated.
  useEffect(() => setMounted(true), []);
  // The dialog that started the connection unmounts with the branch below, so close on the outcome.
  useEffect(() => setOpen(false), [connection.address]);
  if (mounted && connection.isConnected && connection.address) {
    const role = connection.connector?.id === BURNER_CONNECTOR_ID ? burnerRole() : undefined;
    return (
      <div className="account">
        <span className="account-address mono" title={connection.address}>
          {role ? `${role} · ` : ''}
          {short(connection.address)}
        </span>
        <LockButton account={connection.address} />
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Switch
        </button>
        <button type="button" className="secondary" onClick={() => disconnect.mutate()}>
          Disconnect
        </button>
        <ConnectDialog open={open} onClose={() => setOpen(false)} />
      </div>
    );
  }
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Connect wallet
      </button>
      <ConnectDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}

function ConnectDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const connectors = useConnectors();
  const connect = useConnect();
  const connection = useConnection();
  const disconnect = useDisconnect();
  const [hasInjected, setHasInjected] = useState(false);
  const runtime = useRuntimeConfig();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  useEffect(() => setHasInjected(typeof window !== 'undefined' && 'ethereum' in window), [open]);

  const announced = connectors.filter((connector) => connector.id !== 'injected' && connector.id !== BURNER_CONNECTOR_ID);
  const wallets: Connector[] = announced.length > 0 ? announced : hasInjected ? connectors.filter((c) => c.id === 'injected') : [];
  const burner = connectors.find((connector) => connector.id === BURNER_CONNECTOR_ID);

  async function use(connector: Connector) {
    if (connection.isConnected) await disconnect.mutateAsync();
    connect.mutate({ connector, chainId: runtime.chain.id }, { onSuccess: onClose });
  }

  async function useBurner(role: BurnerRole) {
    if (!burner) return;
    setBurnerRole(role);
    await use(burner);
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="connect-title" onClose={onClose}>
      <div className="dialog-head">
        <h2 id="connect-title">Connect a wallet</h2>
        <button type="button" className="secondary" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      <p className="muted">
        Your wallet is your identity: it signs consents and transactions, and derives the key that encrypts your records.
        Nothing here asks for a password or sends your data to a server.
      </p>
      <h3>Browser wallets</h3>
      {wallets.length === 0 ? (
        <p>No browser wallet found. Install MetaMask (or another EIP-6963 wallet) and reload this page.</p>
      ) : (
        <ul className="choice-list">
          {wallets.map((connector) => (
            <li key={connector.uid}>
              <button type="button" className="choice" onClick={() => use(connector)} disabled={connect.isPending}>
                {connector.icon ? <img src={connector.icon} alt="" width={24} height={24} /> : null}
                {connector.name === 'Injected' ? 'Browser wallet' : connector.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {runtime.burner && burner ? (
        <>
          <h3>Try a demo role (devnet only)</h3>
          <p className="muted small">
            Uses the public Hardhat test keys. They work only on the local devnet; never send real funds to them.
          </p>
          <ul className="choice-list">
            {BURNER_ROLES.map((entry) => (
              <li key={entry.role}>
                <button type="button" className="choice" onClick={() => useBurner(entry.role)} disabled={connect.isPending}>
                  <strong>{entry.label}</strong>
                  <span className="muted small">{entry.description}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {connect.isPending ? (
        <p role="status">Waiting for the wallet…</p>
      ) : connect.error ? (
        <p role="alert" className="error-text">
          {connect.error.message.split('\n')[0]}
        </p>
      ) : null}
    </dialog>
  );
}
