/**
 * Insurance claims on-chain (the Claims contract, `contracts/interfaces/IClaims.sol`): what a claim is
 * to the chain, the proofs its transitions present, its events, and every listed claim verified
 * against the seal the contract stores. A claim names ciphertext only — the patient's record that holds
 * the encrypted FHIR Claim and that record's ciphertext hash; amounts, codes and diagnoses never reach
 * the chain.
 *
 * The contract stores one seal per claim under its provider and the claim record's ciphertext hash:
 * `keccak256(abi.encode(claimId, patient, provider, insurer, recordId, ciphertextHash))` with its low
 * byte replaced by the status, `| 0x80` once the patient disputed. A `ClaimSubmitted` event (from a node
 * or anyone else) is believed only when it seals to that digest, and the status shown is the one in the
 * seal, never one inferred from events.
 */
import { type Address, type Hex, type Log, encodeAbiParameters, getAddress, keccak256, parseEventLogs } from 'viem';

import { IntegrityError } from '../errors';
import { blockTimes } from './activity';
import { type ClaimStatus, claimStatusOf } from './claim-status';
import type { ChainContext } from './client';
import { claimsAbi } from './deployments';
import { type EventLog, claimsEventsInChainOrder } from './events';
import { contractAddress, readClaims } from './medledger';
import type { RecordHeader } from './records';

export * from './claim-status';

/** Everything that identifies a claim, as `ClaimSubmitted` told it; each transition presents it again. */
export interface ClaimRef {
  readonly claimId: bigint;
  readonly patient: Address;
  readonly provider: Address;
  readonly insurer: Address;
  /** The patient's record that holds the encrypted FHIR Claim. */
  readonly recordId: bigint;
  /** That record's ciphertext hash: with the provider, the key the contract keeps the claim's seal under. */
  readonly ciphertextHash: Hex;
}

/**
 * Proof that record `recordId` of a patient was written by the account that acts: the `RecordsAdded`
 * batch that holds it, which the contract seals and compares with the digest MedLedger stores.
 */
export interface RecordProof {
  readonly recordId: bigint;
  readonly firstId: bigint;
  /** Unix seconds of the batch. */
  readonly createdAt: number;
  readonly headers: Hex;
}

/** The party a wallet lists claims as: the patient its own, the provider those it billed, the insurer its queue. */
export type ClaimParty = 'patient' | 'provider' | 'insurer';

/** One step of a claim's life as its event tells it, with the block time. */
export type ClaimEvent = {
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  /** Block time in Unix seconds. */
  readonly timestamp: number;
} & (
  | { readonly kind: 'submitted' }
  | { readonly kind: 'adjudicated'; readonly status: 'approved' | 'denied'; readonly responseRecordId: bigint }
  | { readonly kind: 'paid'; readonly paymentReference: Hex }
  | { readonly kind: 'disputed'; readonly reasonRecordId: bigint }
);

/** A claim as the chain holds it: its reference, the status in its seal, and its history. */
export interface ChainClaim {
  readonly ref: ClaimRef;
  /** The status the contract stores (its seal), not one inferred from events. */
  readonly status: ClaimStatus;
  readonly disputed: boolean;
  /** Oldest first, starting with the submission. */
  readonly history: readonly ClaimEvent[];
  /** The insurer's encrypted ClaimResponse or ExplanationOfBenefit, once adjudicated. */
  readonly responseRecordId?: bigint;
  /** The opaque hash of the payment reference, once paid. */
  readonly paymentReference?: Hex;
  /** The patient's encrypted reasons, once disputed. */
  readonly reasonRecordId?: bigint;
}

/** A claim event that does not match what the contract stores: never shown as a claim. */
export interface RefusedClaim {
  readonly claimId: bigint;
  readonly reason: string;
}

/** The seal flag of a disputed claim. */
const DISPUTED = 0x80;
const STATUS_BITS = 0x7f;
const LOW_BYTE = 0xffn;

/**
 * The proof the contract takes for a record, from its chain header (the batch that anchored it).
 *
 * @param header - the record's header, e.g. from {@link recordHeader} or the receipt of its write
 */
export function recordProofOf(header: Pick<RecordHeader, 'recordId' | 'batch'>): RecordProof {
  const { firstId, createdAt, headers } = header.batch;
  return { recordId: header.recordId, firstId, createdAt, headers };
}

/**
 * The digest the contract keeps for a claim, low byte zero (`Claims.sealClaim`).
 *
 * @param ref - the claim as its submission event told it
 */
export function sealClaim(ref: ClaimRef): Hex {
  const digest = keccak256(
    encodeAbiParameters(
      [
        { type: 'uint64' },
        { type: 'address' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint64' },
        { type: 'bytes32' },
      ],
      [ref.claimId, ref.patient, ref.provider, ref.insurer, ref.recordId, ref.ciphertextHash],
    ),
  );
  return `0x${(BigInt(digest) & ~LOW_BYTE).toString(16).padStart(64, '0')}`;
}

/**
 * What a stored seal says about the claim `ref` names: its status and whether it was disputed, or
 * `undefined` when the seal is not that claim's (the provider filed no claim over that ciphertext, or another one).
 *
 * @param ref - the claim as an event told it
 * @param seal - `claimState(ref.provider, ref.ciphertextHash)`
 */
export function claimStateOf(ref: ClaimRef, seal: Hex): { status: ClaimStatus; disputed: boolean } | undefined {
  const stored = BigInt(seal);
  if (stored === 0n || (stored | LOW_BYTE) !== (BigInt(sealClaim(ref)) | LOW_BYTE)) return undefined;
  const low = Number(stored & LOW_BYTE);
  const status = claimStatusOf(low & STATUS_BITS);
  return status === 'none' ? undefined : { status, disputed: (low & DISPUTED) !== 0 };
}

/**
 * The claims a receipt's `ClaimSubmitted` logs name (the reference each later transition presents).
 *
 * @param logs - a transaction receipt's logs
 */
export function claimRefsOf(logs: readonly Log[]): ClaimRef[] {
  return parseEventLogs({ abi: claimsAbi, eventName: 'ClaimSubmitted', logs: [...logs] }).map(({ args }) =>
    claimRefOfArgs(args),
  );
}

function claimRefOfArgs(args: {
  claimId: bigint;
  patient: Address;
  provider: Address;
  insurer: Address;
  recordId: bigint;
  ciphertextHash: Hex;
}): ClaimRef {
  return {
    claimId: args.claimId,
    patient: getAddress(args.patient),
    provider: getAddress(args.provider),
    insurer: getAddress(args.insurer),
    recordId: args.recordId,
    ciphertextHash: args.ciphertextHash,
  };
}

interface LoggedEvent extends EventLog {
  readonly args: Record<string, unknown>;
}

/**
 * The claims `account` takes part in as `party`, each proven against the seal the contract stores as
 * of one block: a `ClaimSubmitted` event that does not seal to it is refused, and so is a claim whose
 * transition events do not lead to the status the seal holds (the status shown is always the seal's).
 * The events come from the node, page by page (the indexer does not index Claims).
 *
 * @param context - any chain context (the lists are public: they name ciphertext only)
 * @param party - whose view: the patient's claims, the provider's submissions or the insurer's queue
 * @param account - the patient, provider or insurer
 * @returns the verified claims, oldest first, and the refused ones with the reason
 */
export async function listChainClaims(
  context: ChainContext,
  party: ClaimParty,
  account: Address,
): Promise<{ claims: ChainClaim[]; refused: RefusedClaim[] }> {
  const blockNumber = await context.publicClient.getBlockNumber({ cacheTime: 0 });
  const submissions = (await claimsEventsInChainOrder(
    context,
    ['ClaimSubmitted'],
    { [party]: account },
    blockNumber,
  )) as LoggedEvent[];
  if (submissions.length === 0) return { claims: [], refused: [] };
  const refs = submissions.map((log) => claimRefOfArgs(log.args as Parameters<typeof claimRefOfArgs>[0]));
  // A provider is not an indexed argument of the later events: its claims are asked for by id.
  const transitionFilter = party === 'provider' ? { claimId: refs.map((ref) => ref.claimId) } : { [party]: account };
  const [transitions, seals] = await Promise.all([
    claimsEventsInChainOrder(
      context,
      ['ClaimAdjudicated', 'ClaimPaid', 'ClaimDisputed'],
      transitionFilter,
      blockNumber,
    ) as Promise<LoggedEvent[]>,
    Promise.all(
      refs.map((ref) => readClaims(context, 'claimState', [ref.provider, ref.ciphertextHash], { blockNumber })),
    ),
  ]);
  const times = await blockTimes(
    context,
    [...submissions, ...transitions].map((log) => log.blockNumber),
  );
  const claims: ChainClaim[] = [];
  const refused: RefusedClaim[] = [];
  refs.forEach((ref, index) => {
    try {
      claims.push(verifiedClaim(ref, submissions[index]!, transitions, seals[index] as Hex, times));
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      refused.push({ claimId: ref.claimId, reason: error.message });
    }
  });
  return { claims, refused };
}

/**
 * `ref` with its history and the status its seal holds.
 * @throws IntegrityError when the seal is not this claim's, or the events do not lead to its status
 */
function verifiedClaim(
  ref: ClaimRef,
  submission: LoggedEvent,
  transitions: readonly LoggedEvent[],
  seal: Hex,
  times: ReadonlyMap<bigint, number>,
): ChainClaim {
  const state = claimStateOf(ref, seal);
  if (!state) {
    throw new IntegrityError(`The event for claim ${ref.claimId} does not match any claim the contract stores.`);
  }
  const at = (log: EventLog) => ({
    blockNumber: log.blockNumber,
    logIndex: log.logIndex,
    transactionHash: log.transactionHash,
    timestamp: times.get(log.blockNumber) ?? 0,
  });
  const history: ClaimEvent[] = [{ ...at(submission), kind: 'submitted' }];
  let status: ClaimStatus = 'submitted';
  let disputed = false;
  let responseRecordId: bigint | undefined;
  let paymentReference: Hex | undefined;
  let reasonRecordId: bigint | undefined;
  const mismatch = (what: string) =>
    new IntegrityError(`The events of claim ${ref.claimId} do not match what the contract stores (${what}).`);
  for (const log of transitions) {
    const args = log.args;
    if (args.claimId !== ref.claimId) continue;
    const sameParties =
      String(args.patient).toLowerCase() === ref.patient.toLowerCase() &&
      String(args.insurer).toLowerCase() === ref.insurer.toLowerCase();
    if (!sameParties) throw mismatch(`a ${log.eventName} event names other parties`);
    if (log.eventName === 'ClaimAdjudicated') {
      const decided = claimStatusOf(Number(args.status));
      if (status !== 'submitted' || (decided !== 'approved' && decided !== 'denied')) {
        throw mismatch('an adjudication out of order');
      }
      status = decided;
      responseRecordId = args.responseRecordId as bigint;
      history.push({ ...at(log), kind: 'adjudicated', status: decided, responseRecordId });
    } else if (log.eventName === 'ClaimPaid') {
      if (status !== 'approved') throw mismatch('a payment of a claim not approved');
      status = 'paid';
      paymentReference = args.paymentReference as Hex;
      history.push({ ...at(log), kind: 'paid', paymentReference });
    } else if (log.eventName === 'ClaimDisputed') {
      if (status === 'submitted' || disputed) throw mismatch('a dispute out of order');
      disputed = true;
      reasonRecordId = args.reasonRecordId as bigint;
      history.push({ ...at(log), kind: 'disputed', reasonRecordId });
    }
  }
  if (status !== state.status || disputed !== state.disputed) {
    throw mismatch(
      `the events say ${status}${disputed ? ', disputed' : ''}; the contract, ${state.status}` +
        `${state.disputed ? ', disputed' : ''}`,
    );
  }
  return {
    ref,
    status: state.status,
    disputed: state.disputed,
    history,
    ...(responseRecordId === undefined ? {} : { responseRecordId }),
    ...(paymentReference === undefined ? {} : { paymentReference }),
    ...(reasonRecordId === undefined ? {} : { reasonRecordId }),
  };
}

/**
 * The opaque hash `payClaim` records for a payment reference: keccak-256 of the reference text bound to
 * this chain, contract and claim, so the same text on another claim hashes differently. The text never
 * goes on-chain; anyone told it can check it against the claim ({@link paymentReferenceMatches}). It is
 * a commitment, not encryption: a reference short enough to guess can be confirmed by guessing, so it
 * should name the payment (a transfer id), never amounts or health data.
 *
 * @param context - the chain and the Claims deployment the claim lives on
 * @param claimId - the claim paid
 * @param referenceText - the insurer's payment reference
 */
export function paymentReferenceHash(context: ChainContext, claimId: bigint, referenceText: string): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint64' }, { type: 'string' }],
      [
        'MedLedger claim payment reference',
        BigInt(context.deployment.chainId),
        contractAddress(context, 'claims'),
        claimId,
        referenceText.normalize('NFC').trim(),
      ],
    ),
  );
}

/** Whether `referenceText` is the payment reference the insurer recorded for `claim`. */
export function paymentReferenceMatches(context: ChainContext, claim: ChainClaim, referenceText: string): boolean {
  return (
    claim.paymentReference !== undefined &&
    claim.paymentReference.toLowerCase() ===
      paymentReferenceHash(context, claim.ref.claimId, referenceText).toLowerCase()
  );
}
