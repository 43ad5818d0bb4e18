import type {
  Abi,
  Address,
  ContractFunctionArgs,
  ContractFunctionName,
  ContractFunctionReturnType,
  Hash,
  TransactionReceipt,
} from 'viem';

import { AccessDeniedError, NotFoundError, TransactionError } from '../errors';
import type { ChainContext } from './client';
import { claimsAbi, medLedgerAbi, modelRegistryAbi } from './deployments';
import { toTransactionError } from './errors';

type MedLedgerAbi = typeof medLedgerAbi;
type ModelRegistryAbi = typeof modelRegistryAbi;
type ClaimsAbi = typeof claimsAbi;
type ReadName<A extends Abi> = ContractFunctionName<A, 'view' | 'pure'>;
type WriteName<A extends Abi> = ContractFunctionName<A, 'nonpayable'>;

/** Where a transaction is on its way, for progress displays. */
export type TransactionStage =
  | { stage: 'simulating' }
  | { stage: 'signing' }
  | { stage: 'pending'; hash: Hash }
  | { stage: 'confirmed'; hash: Hash; receipt: TransactionReceipt };

export interface SendOptions {
  onStage?: (stage: TransactionStage) => void;
}

const CONTRACTS = {
  medLedger: medLedgerAbi,
  modelRegistry: modelRegistryAbi,
  claims: claimsAbi,
} as const;

type ContractName = keyof typeof CONTRACTS;

/**
 * Where `contract` is deployed in the context's deployment.
 * @throws {@link NotFoundError} for the Claims contract on a deployment recorded before it existed
 */
export function contractAddress(context: ChainContext, contract: ContractName): Address {
  const address = context.deployment[contract];
  if (!address) {
    throw new NotFoundError(
      `The claims contract is not deployed on chain ${context.deployment.chainId}; run \`npm run deploy\` for that network.`,
    );
  }
  return address;
}

/** Where a read looks: the latest block unless a block number pins it (to match an indexer's view). */
export interface ReadOptions {
  readonly blockNumber?: bigint;
}

async function readAny(
  context: ChainContext,
  contract: ContractName,
  functionName: string,
  args: readonly unknown[],
  options: ReadOptions = {},
) {
  try {
    return await context.publicClient.readContract({
      address: contractAddress(context, contract),
      abi: CONTRACTS[contract] as Abi,
      functionName,
      args,
      account: context.account,
      ...(options.blockNumber === undefined ? {} : { blockNumber: options.blockNumber }),
    });
  } catch (error) {
    throw toTransactionError(error);
  }
}

/**
 * Simulates, signs, sends and waits for one transaction. Simulation first means a call that would
 * revert fails with its decoded reason before the wallet is even asked to sign.
 */
async function sendAny(
  context: ChainContext,
  contract: ContractName,
  functionName: string,
  args: readonly unknown[],
  options: SendOptions,
): Promise<TransactionReceipt> {
  const { walletClient, publicClient } = context;
  if (!walletClient) throw new AccessDeniedError('Connect a wallet to send transactions.');
  try {
    options.onStage?.({ stage: 'simulating' });
    const { request } = await publicClient.simulateContract({
      address: contractAddress(context, contract),
      abi: CONTRACTS[contract] as Abi,
      functionName,
      args,
      account: walletClient.account,
    });
    options.onStage?.({ stage: 'signing' });
    const hash = await walletClient.writeContract(request);
    options.onStage?.({ stage: 'pending', hash });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new TransactionError(`Transaction ${hash} was reverted on-chain.`);
    options.onStage?.({ stage: 'confirmed', hash, receipt });
    return receipt;
  } catch (error) {
    throw toTransactionError(error);
  }
}

/** Calls a MedLedger view as the context's account (some views answer only the patient or a grantee). */
export function readMedLedger<F extends ReadName<MedLedgerAbi>>(
  context: ChainContext,
  functionName: F,
  args: ContractFunctionArgs<MedLedgerAbi, 'view' | 'pure', F>,
  options: ReadOptions = {},
): Promise<ContractFunctionReturnType<MedLedgerAbi, 'view' | 'pure', F>> {
  return readAny(context, 'medLedger', functionName, args as readonly unknown[], options) as Promise<
    ContractFunctionReturnType<MedLedgerAbi, 'view' | 'pure', F>
  >;
}

/** Sends a MedLedger transaction from the context's wallet; errors are decoded into sentences. */
export function writeMedLedger<F extends WriteName<MedLedgerAbi>>(
  context: ChainContext,
  functionName: F,
  args: ContractFunctionArgs<MedLedgerAbi, 'nonpayable', F>,
  options: SendOptions = {},
): Promise<TransactionReceipt> {
  return sendAny(context, 'medLedger', functionName, args as readonly unknown[], options);
}

/** Calls a ModelRegistry view. */
export function readModelRegistry<F extends ReadName<ModelRegistryAbi>>(
  context: ChainContext,
  functionName: F,
  args: ContractFunctionArgs<ModelRegistryAbi, 'view' | 'pure', F>,
): Promise<ContractFunctionReturnType<ModelRegistryAbi, 'view' | 'pure', F>> {
  return readAny(context, 'modelRegistry', functionName, args as readonly unknown[]) as Promise<
    ContractFunctionReturnType<ModelRegistryAbi, 'view' | 'pure', F>
  >;
}

/** Sends a ModelRegistry transaction (admin). */
export function writeModelRegistry<F extends WriteName<ModelRegistryAbi>>(
  context: ChainContext,
  functionName: F,
  args: ContractFunctionArgs<ModelRegistryAbi, 'nonpayable', F>,
  options: SendOptions = {},
): Promise<TransactionReceipt> {
  return sendAny(context, 'modelRegistry', functionName, args as readonly unknown[], options);
}

/** Calls a Claims view (`IClaims`). */
export function readClaims<F extends ReadName<ClaimsAbi>>(
  context: ChainContext,
  functionName: F,
  args: ContractFunctionArgs<ClaimsAbi, 'view' | 'pure', F>,
  options: ReadOptions = {},
): Promise<ContractFunctionReturnType<ClaimsAbi, 'view' | 'pure', F>> {
  return readAny(context, 'claims', functionName, args as readonly unknown[], options) as Promise<
    ContractFunctionReturnType<ClaimsAbi, 'view' | 'pure', F>
  >;
}

/** Sends a Claims transaction from the context's wallet; errors are decoded into sentences. */
export function writeClaims<F extends WriteName<ClaimsAbi>>(
  context: ChainContext,
  functionName: F,
  args: ContractFunctionArgs<ClaimsAbi, 'nonpayable', F>,
  options: SendOptions = {},
): Promise<TransactionReceipt> {
  return sendAny(context, 'claims', functionName, args as readonly unknown[], options);
}
