/**
 * The browser tests' wallet: an EIP-1193 provider injected into every page of a Playwright browser
 * context and announced through EIP-6963, exactly the interface MetaMask gives the app. It signs in
 * Node with a devnet key and forwards everything else to the devnet; the test can switch its chain and
 * make it reject the next request, as a person clicking "Reject" would.
 */
import type { BrowserContext } from 'playwright-core';
import {
  type Address,
  type Hex,
  type TypedDataDefinition,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  numberToHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const DEVNET_CHAIN_ID = 31337;

interface WalletRequest {
  method: string;
  params?: unknown[];
}

type WalletReply = { result: unknown } | { error: { code: number; message: string } };

export interface TestWallet {
  readonly address: Address;
  /** The chain the wallet is on now. */
  readonly chainId: number;
  /** The next request of this method is refused with EIP-1193 code 4001, as MetaMask's "Reject" does. */
  rejectNext(method: 'personal_sign' | 'eth_signTypedData_v4' | 'eth_sendTransaction'): void;
  /** The person picks another network in the wallet (the wallet tells the page, as MetaMask does). */
  switchChain(chainId: number): Promise<void>;
  /** Every method the app asked the wallet for, in order (for assertions such as "no transaction sent"). */
  readonly calls: readonly string[];
}

/** Runs in the page before any app script: the provider object and its EIP-6963 announcement. */
function injectProvider(info: { uuid: string; name: string; rdns: string; icon: string }) {
  type Listener = (...args: unknown[]) => void;
  const listeners = new Map<string, Set<Listener>>();
  const bridge = (window as unknown as { __medledgerWallet: (request: unknown) => Promise<WalletReply> })
    .__medledgerWallet;
  const provider = {
    isMetaMask: false,
    async request(request: { method: string; params?: unknown[] }) {
      const reply = await bridge({ method: request.method, params: request.params });
      if ('error' in reply) throw Object.assign(new Error(reply.error.message), reply.error);
      return reply.result;
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
  Object.assign(window, {
    ethereum: provider,
    __medledgerWalletEmit(event: string, payload: unknown) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
  });
  const announce = () =>
    window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }));
  window.addEventListener('eip6963:requestProvider', announce);
  announce();
}

/** Converts the JSON form of typed data (numbers as strings) back into what viem signs. */
function typedDataFromJson(json: string): TypedDataDefinition {
  const data = JSON.parse(json) as {
    domain: Record<string, unknown>;
    types: Record<string, { name: string; type: string }[]>;
    primaryType: string;
    message: Record<string, unknown>;
  };
  const convert = (type: string, value: unknown): unknown => {
    if (type.endsWith('[]')) return (value as unknown[]).map((item) => convert(type.slice(0, -2), item));
    if (/^u?int\d*$/.test(type)) return BigInt(value as string | number);
    const fields = data.types[type];
    if (fields && value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(fields.map((field) => [field.name, convert(field.type, record[field.name])]));
    }
    return value;
  };
  const { EIP712Domain: _domainType, ...types } = data.types;
  const domain = { ...data.domain };
  if (domain.chainId !== undefined) domain.chainId = Number(domain.chainId);
  return {
    domain,
    types,
    primaryType: data.primaryType,
    message: convert(data.primaryType, data.message) as Record<string, unknown>,
  } as unknown as TypedDataDefinition;
}

/**
 * Installs a wallet holding `privateKey` into every page of `context`.
 * @param options.chainId - the chain the wallet starts on (another than 31337 to test "wrong network").
 */
export async function installWallet(
  context: BrowserContext,
  options: { privateKey: Hex; rpcUrl: string; chainId?: number; name?: string },
): Promise<TestWallet> {
  const account = privateKeyToAccount(options.privateKey);
  const devnet = defineChain({
    id: DEVNET_CHAIN_ID,
    name: 'devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain: devnet, transport: http(options.rpcUrl) });
  const walletClient = createWalletClient({ account, chain: devnet, transport: http(options.rpcUrl) });
  let chainId = options.chainId ?? DEVNET_CHAIN_ID;
  let connected = false;
  const rejections = new Set<string>();
  const calls: string[] = [];

  const emit = async (event: string, payload: unknown) => {
    for (const page of context.pages()) {
      await page
        .evaluate(
          ([name, data]) =>
            (window as unknown as { __medledgerWalletEmit?: (e: string, d: unknown) => void }).__medledgerWalletEmit?.(
              name,
              data,
            ),
          [event, payload] as const,
        )
        .catch(() => undefined);
    }
  };

  const handle = async ({ method, params = [] }: WalletRequest): Promise<unknown> => {
    calls.push(method);
    if (rejections.delete(method)) throw { code: 4001, message: 'User rejected the request.' };
    switch (method) {
      case 'eth_requestAccounts':
        connected = true;
        return [account.address];
      case 'eth_accounts':
        return connected ? [account.address] : [];
      case 'eth_chainId':
        return numberToHex(chainId);
      case 'net_version':
        return String(chainId);
      case 'wallet_requestPermissions':
        connected = true;
        return [{ parentCapability: 'eth_accounts' }];
      case 'wallet_getPermissions':
        return connected ? [{ parentCapability: 'eth_accounts' }] : [];
      case 'wallet_revokePermissions':
        connected = false;
        return null;
      case 'wallet_addEthereumChain':
      case 'wallet_switchEthereumChain': {
        const requested = Number((params[0] as { chainId: Hex }).chainId);
        if (requested !== DEVNET_CHAIN_ID) throw { code: 4902, message: `Unrecognized chain ID ${requested}.` };
        if (chainId !== requested) {
          chainId = requested;
          await emit('chainChanged', numberToHex(chainId));
        }
        return null;
      }
      case 'personal_sign':
        return account.signMessage({ message: { raw: params[0] as Hex } });
      case 'eth_signTypedData_v4':
        return account.signTypedData(typedDataFromJson(params[1] as string));
      case 'eth_sendTransaction': {
        if (chainId !== DEVNET_CHAIN_ID) throw { code: 4100, message: 'The wallet is on another chain.' };
        const tx = params[0] as { to?: Address; data?: Hex; value?: Hex; gas?: Hex };
        return walletClient.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value ? BigInt(tx.value) : undefined,
          gas: tx.gas ? BigInt(tx.gas) : undefined,
        });
      }
      default:
        if (chainId !== DEVNET_CHAIN_ID)
          throw { code: 4901, message: `Chain ${chainId} is not reachable in the test wallet.` };
        return publicClient.request({ method, params } as never);
    }
  };

  await context.exposeBinding('__medledgerWallet', async (_source, request: WalletRequest): Promise<WalletReply> => {
    try {
      return { result: await handle(request) };
    } catch (error) {
      const failure = error as { code?: number; message?: string; details?: string };
      return {
        error: {
          code: typeof failure.code === 'number' ? failure.code : -32603,
          message: failure.details ?? failure.message ?? String(error),
        },
      };
    }
  });
  const info = {
    uuid: '6f1c1d3e-0b7c-4a55-9a43-e2e000000001',
    name: options.name ?? 'Test Wallet',
    rdns: 'org.medledger.testwallet',
    icon: `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#0b6e79"/></svg>')}`,
  };
  // tsx compiles functions with a `__name` helper that exists only in Node; define it for the page.
  await context.addInitScript({
    content: `(() => { const __name = (target) => target; (${injectProvider.toString()})(${JSON.stringify(info)}); })();`,
  });

  return {
    address: account.address,
    get chainId() {
      return chainId;
    },
    async switchChain(id) {
      chainId = id;
      await emit('chainChanged', numberToHex(id));
    },
    rejectNext(method) {
      rejections.add(method);
    },
    calls,
  };
}
