'use client';

import { useQuery } from '@tanstack/react-query';
import { useConnection, usePublicClient, useSwitchChain } from 'wagmi';

import { useMedLedgerChain, useRuntimeConfig } from './runtime-config';

/**
 * The chain the RPC really serves, asked once per session: a server whose `MEDLEDGER_RPC_URL` and
 * `MEDLEDGER_CHAIN_ID` disagree would read one chain's contracts at another's addresses.
 */
function useRpcChainId(): number | undefined {
  const { id } = useMedLedgerChain();
  const publicClient = usePublicClient({ chainId: id });
  const query = useQuery({
    queryKey: ['rpc-chain-id', id],
    queryFn: () => publicClient!.getChainId(),
    enabled: publicClient !== undefined,
    staleTime: Infinity,
    retry: false,
  });
  return query.data;
}

/**
 * Shown when the wallet is on another chain (one click switches to, or adds, MedLedger's chain), or
 * when the app's own settings point at an RPC of another chain than the one it is set up for.
 */
export function NetworkBanner() {
  const connection = useConnection();
  const switchChain = useSwitchChain();
  const chain = useMedLedgerChain();
  const { rpcUrl } = useRuntimeConfig();
  const rpcChainId = useRpcChainId();
  if (rpcChainId !== undefined && rpcChainId !== chain.id) {
    return (
      <div className="banner" role="alert">
        <span>
          This MedLedger server is set up for chain {chain.id}, but its RPC ({rpcUrl}) serves chain {rpcChainId}.
          Nothing can be read or signed until its operator fixes MEDLEDGER_CHAIN_ID or MEDLEDGER_RPC_URL.
        </span>
      </div>
    );
  }
  if (!connection.isConnected || connection.chainId === chain.id) return null;
  return (
    <div className="banner" role="alert">
      <span>
        Your wallet is on chain {connection.chainId ?? 'unknown'}. MedLedger runs on {chain.name} (chain {chain.id}).
      </span>
      <button type="button" onClick={() => switchChain.mutate({ chainId: chain.id })} disabled={switchChain.isPending}>
        {switchChain.isPending ? 'Confirm in your wallet…' : `Switch to ${chain.name}`}
      </button>
      {switchChain.error ? <span className="error-text">{switchChain.error.message.split('\n')[0]}</span> : null}
    </div>
  );
}
