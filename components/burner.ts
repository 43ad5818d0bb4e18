import { type Address, type EIP1193Provider, type Hex, createPublicClient, createWalletClient, http } from 'viem';
import { injected } from 'wagmi';

import type { DEVNET_KEYS } from '../lib/testing/devnet-accounts';

export const BURNER_CONNECTOR_ID = 'medledger-burner';
const STORAGE_KEY = 'medledger.burnerRole';
const DEVNET_CHAIN_HEX = '0x7a69';

export const BURNER_ROLES = [
  { role: 'admin', label: 'Administrator', description: 'Registers providers, approves AI models.' },
  { role: 'doctor', label: 'Doctor', description: 'Requests access, reads and adds records.' },
  { role: 'lab', label: 'Laboratory', description: 'Adds results where write access was granted.' },
  { role: 'patient', label: 'Patient', description: 'Owns records and decides who reads them.' },
] as const satisfies readonly { role: keyof typeof DEVNET_KEYS; label: string; description: string }[];

export type BurnerRole = (typeof BURNER_ROLES)[number]['role'];

/** The role the visitor picked for the burner wallet in this tab. */
export function burnerRole(): BurnerRole | undefined {
  if (typeof sessionStorage === 'undefined') return undefined;
  const role = sessionStorage.getItem(STORAGE_KEY);
  return BURNER_ROLES.some((entry) => entry.role === role) ? (role as BurnerRole) : undefined;
}

export function setBurnerRole(role: BurnerRole): void {
  sessionStorage.setItem(STORAGE_KEY, role);
}

/**
 * The local account behind the burner. The signing code and the keys load only when a visitor picks a
 * demo role, so pages never carry them otherwise.
 */
async function burnerAccount() {
  const role = burnerRole();
  if (!role) return undefined;
  const [{ privateKeyToAccount }, { DEVNET_KEYS: keys }] = await Promise.all([
    import('viem/accounts'),
    import('../lib/testing/devnet-accounts'),
  ]);
  return privateKeyToAccount(keys[role]);
}

type Listener = (...args: unknown[]) => void;

/**
 * An EIP-1193 provider that signs with the chosen devnet key and forwards everything else to the
 * devnet RPC. It answers only for chain 31337, so it can never sign for a real network.
 */
function createBurnerProvider(rpcUrl: string): EIP1193Provider {
  const listeners = new Map<string, Set<Listener>>();
  const publicClient = createPublicClient({ transport: http(rpcUrl) });
  // The keys are public: refuse to sign anything unless the RPC really is the local devnet.
  let devnetCheck: Promise<void> | undefined;
  const ensureDevnet = () =>
    (devnetCheck ??= publicClient.getChainId().then((chainId) => {
      if (chainId !== 31337) {
        devnetCheck = undefined;
        throw Object.assign(new Error(`The demo wallet works on the local devnet only; this RPC is chain ${chainId}.`), {
          code: 4901,
        });
      }
    }));
  const provider = {
    async request({ method, params }: { method: string; params?: unknown }) {
      const args = (params ?? []) as unknown[];
      const account = await burnerAccount();
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return account ? [account.address] : [];
        case 'eth_chainId':
          return DEVNET_CHAIN_HEX;
        case 'net_version':
          return '31337';
        case 'wallet_switchEthereumChain':
        case 'wallet_addEthereumChain':
          return null;
        case 'wallet_requestPermissions':
        case 'wallet_getPermissions':
          return [{ parentCapability: 'eth_accounts' }];
        case 'wallet_revokePermissions':
          return null;
      }
      if (!account) throw Object.assign(new Error('Pick a demo role first.'), { code: 4100 });
      await ensureDevnet();
      switch (method) {
        case 'personal_sign':
          return account.signMessage({ message: { raw: args[0] as Hex } });
        case 'eth_signTypedData_v4':
          return account.signTypedData(JSON.parse(String(args[1])));
        case 'eth_sendTransaction': {
          const tx = args[0] as { to?: Address; data?: Hex; value?: Hex; gas?: Hex };
          const wallet = createWalletClient({ account, transport: http(rpcUrl) });
          return wallet.sendTransaction({
            chain: null,
            to: tx.to,
            data: tx.data,
            value: tx.value ? BigInt(tx.value) : undefined,
            gas: tx.gas ? BigInt(tx.gas) : undefined,
            chainId: 31337,
          } as Parameters<typeof wallet.sendTransaction>[0]);
        }
        default:
          return publicClient.request({ method, params } as never);
      }
    },
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return provider;
    },
    removeListener(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
  };
  return provider as unknown as EIP1193Provider;
}

/**
 * The dev-only burner wallet (published devnet keys, local chain only, behind the `MEDLEDGER_BURNER`
 * runtime flag): a wagmi injected connector whose provider is the one above.
 */
export function burnerConnector(rpcUrl: string) {
  let provider: EIP1193Provider | undefined;
  return injected({
    shimDisconnect: true,
    target: () => ({
      id: BURNER_CONNECTOR_ID,
      name: 'Demo burner wallet (devnet only)',
      provider: () => (provider ??= createBurnerProvider(rpcUrl)),
    }),
  });
}
