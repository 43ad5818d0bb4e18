'use client';

import { useConnection, useSwitchChain } from 'wagmi';

import { DEVNET_CHAIN_ID } from './wagmi-config';

/** Shown when the wallet is on another chain: one click switches (or adds) the MedLedger devnet. */
export function NetworkBanner() {
  const connection = useConnection();
  const switchChain = useSwitchChain();
  if (!connection.isConnected || connection.chainId === DEVNET_CHAIN_ID) return null;
  return (
    <div className="banner" role="alert">
      <span>
        Your wallet is on chain {connection.chainId ?? 'unknown'}. MedLedger runs on the local devnet (chain {DEVNET_CHAIN_ID}).
      </span>
      <button type="button" onClick={() => switchChain.mutate({ chainId: DEVNET_CHAIN_ID })} disabled={switchChain.isPending}>
        {switchChain.isPending ? 'Confirm in your wallet…' : 'Switch to the devnet'}
      </button>
      {switchChain.error ? <span className="error-text">{switchChain.error.message.split('\n')[0]}</span> : null}
    </div>
  );
}
