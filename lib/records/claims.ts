/**
 * Insurance claims through the one record pipeline: the FHIR Claim, the insurer's answer
 * (ExplanationOfBenefit or ClaimResponse) and the patient's reasons for a dispute are encrypted billing
 * records of the patient's history (lib/records/write); the Claims contract holds only their ids and
 * the claim's ciphertext hash and status (lib/chain/claims).
 *
 * Who needs which consent from the patient:
 * - the provider who bills: `rw:billing` — write to file the Claim, read so that it holds the
 *   patient's billing key and the insurer (and the patient) can open what it wrote;
 * - the insurer: `rw:billing` — read to receive and open claims, write to put its answer into the
 *   patient's history when it adjudicates.
 *
 * Every step checks what the contract will check before writing anything, so a refused step leaves no
 * record behind; a step whose record was written but whose claim transaction then failed says which
 * record it wrote, and takes it again (`recordId`) instead of writing another.
 */
import type {
  Claim,
  ClaimResponse,
  Communication,
  ExplanationOfBenefit,
  Money,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { type Address, type Hex, type TransactionReceipt, getAddress, isAddressEqual } from 'viem';

import {
  type ChainClaim,
  type ClaimEvent,
  type ClaimParty,
  type ClaimRef,
  type ClaimStatus,
  type RecordHeader,
  type RecordCategory,
  type RecordProof,
  type TransactionStage,
  PROVIDER_KINDS,
  READ_MASK,
  RECORD_CATEGORIES,
  claimRefsOf,
  claimStatusOf,
  decodeScopes,
  keyEpochsHeld,
  listChainClaims,
  listRecordHeaders,
  paymentReferenceHash,
  purposeNamed,
  readClaims,
  readMedLedger,
  readScope,
  recordBatchEvents,
  recordBatchesOf,
  recordHeader,
  recordHeadersOf,
  recordProofOf,
  writeClaims,
  writeScope,
} from '../chain';
import type { ClaimReview } from '../ai/claims';
import type { Keyring, ReaderKeys } from '../crypto';
import {
  AccessDeniedError,
  IntegrityError,
  MedLedgerError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
  describeError,
} from '../errors';
import { resourceIssues } from '../fhir';
import { reviewClaimQueue } from './claims-review';
import type { ProgressListener } from './progress';
import { type RecordResult, loadKeyring, logReads, openAnchored, openHeaders, patientReaderKeys } from './read';
import { type Vault, actorOf } from './vault';
import { type AnchoredRecord, addRecords } from './write';

const { billing } = RECORD_CATEGORIES;
const INSURER_KIND = PROVIDER_KINDS.indexOf('insurer');
const PAYMENT_PURPOSE = purposeNamed('payment')!;

/** The identifier system under which FHIR resources name an on-chain claim by its number. */
export const CLAIM_IDENTIFIER_SYSTEM = 'https://medledger.dev/fhir/NamingSystem/claim';

/** What the insurer decided. */
export type ClaimOutcome = 'approved' | 'denied';

/** The insurer's answer to a claim: either FHIR resource adjudicates. */
export type ClaimAnswer = ExplanationOfBenefit | ClaimResponse;

/**
 * A claim step was refused before anything was written or sent: `reasons` says each thing that stands
 * in the way, one sentence each.
 */
export class ClaimRefusedError extends AccessDeniedError {
  readonly reasons: readonly string[];

  constructor(action: string, reasons: readonly string[]) {
    super(`${action} was refused and nothing was written: ${reasons.join(' ')}`);
    this.reasons = reasons;
  }
}

/**
 * A claim step wrote its encrypted record into the patient's history, but the claim transaction that
 * presents it then failed. Nothing is lost: the record stays, and the same step given
 * `{ recordId }` instead of the content presents it again instead of writing another.
 */
export class ClaimRecordOrphanedError extends MedLedgerError {
  /** The record that was written. */
  readonly recordId: bigint;
  readonly patient: Address;

  constructor(action: string, patient: Address, recordId: bigint, cause: unknown) {
    super(
      `${action} failed after its record was written (${describeError(cause).replace(/\.$/, '')}). ` +
        `The encrypted record is #${recordId} of ${patient}; retry with that record rather than writing a new one.`,
      { cause },
    );
    this.recordId = recordId;
    this.patient = patient;
  }
}

/**
 * A billing record this wallet wrote for a claim step in an earlier attempt (see
 * {@link ClaimRecordOrphanedError}): given instead of the step's content, it is checked as the content
 * would be and presented instead of writing a new record.
 */
export interface EarlierRecord {
  readonly recordId: bigint;
}

/** Options of every claim step. */
export interface ClaimStepOptions {
  readonly onProgress?: ProgressListener;
}

const isEarlier = (content: object): content is EarlierRecord => 'recordId' in content && !('resourceType' in content);

/** A step's result: the claim after it and the record it wrote or presented. */
export interface ClaimStepResult {
  readonly ref: ClaimRef;
  /** The billing record the step presented (the Claim, the answer or the reasons). */
  readonly recordId: bigint;
  /** The claim transaction. */
  readonly transactionHash: Hex;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The identifier system of an account named as a URI (`did:pkh:eip155:<chain>:<address>`). */
const URI_SYSTEM = 'urn:ietf:rfc:3986';

/**
 * A reference to an account: by its `did:pkh` URI (the way the audit export and the web app's billing
 * forms identify parties), with the name people know it by.
 *
 * @param chainId - the chain the account lives on
 * @param address - the account
 * @param display - its name, e.g. from the provider directory
 */
export function accountReference<T extends Resource = Resource>(
  chainId: number,
  address: Address,
  display?: string,
): Reference<T> {
  return {
    identifier: { system: URI_SYSTEM, value: `did:pkh:eip155:${chainId}:${address}` },
    ...(display ? { display } : {}),
  };
}

/**
 * The account a reference names: `Type/0x…` with one of `types`, or a `did:pkh:eip155:<chainId>:0x…`
 * identifier on this chain; `undefined` when it names none (a local id, a display only).
 */
function referencedAccount(
  reference: Reference | undefined,
  types: readonly string[],
  chainId: number,
): Address | undefined {
  const literal = /^([A-Za-z]+)\/(0x[0-9a-fA-F]{40})$/.exec(reference?.reference ?? '');
  if (literal && types.includes(literal[1]!)) return getAddress(literal[2]!);
  const did = /^did:pkh:eip155:(\d+):(0x[0-9a-fA-F]{40})$/.exec(reference?.identifier?.value ?? '');
  return did && Number(did[1]) === chainId ? getAddress(did[2]!) : undefined;
}

/** The on-chain parties of a claim, and the chain they are on. */
export interface ClaimParties {
  readonly chainId: number;
  readonly patient: Address;
  readonly provider: Address;
  readonly insurer: Address;
}

/** Issues of a reference that must name `account`. */
function partyIssues(
  reference: Reference | undefined,
  path: string,
  types: readonly string[],
  account: Address,
  chainId: number,
  who: string,
): ValidationIssue[] {
  const named = referencedAccount(reference, types, chainId);
  if (named && isAddressEqual(named, account)) return [];
  const expected = `"${types[0]}/${account}" or the identifier "did:pkh:eip155:${chainId}:${account}"`;
  return [
    {
      path,
      message: named ? `names ${named}, but ${who} is ${account}` : `must name ${who} as ${expected}`,
    },
  ];
}

/**
 * Everything wrong with `claim` as a claim of `provider` for `patient` against `insurer`: FHIR R4
 * structure, and parties that must be the on-chain ones — `Claim.patient` and `Claim.insurer` name
 * the patient and the insurer (`Patient/<address>`, `Organization/<address>` or a `did:pkh`
 * identifier), and `Claim.provider`, when it names an account, is the provider that bills (a provider
 * organisation with its own id is accepted as it is).
 *
 * @param claim - the resource to file
 * @param parties - the on-chain patient, provider and insurer
 */
export function claimIssues(claim: Resource, parties: ClaimParties): ValidationIssue[] {
  if (claim.resourceType !== 'Claim') return [{ path: 'resourceType', message: `is ${claim.resourceType}, not Claim` }];
  const { chainId } = parties;
  const issues: ValidationIssue[] = resourceIssues(claim, 'Claim');
  issues.push(...partyIssues(claim.patient, 'Claim.patient', ['Patient'], parties.patient, chainId, 'the patient'));
  issues.push(
    ...partyIssues(claim.insurer, 'Claim.insurer', ['Organization'], parties.insurer, chainId, 'the insurer'),
  );
  const provider = referencedAccount(claim.provider, ['Practitioner', 'Organization', 'PractitionerRole'], chainId);
  if (provider && !isAddressEqual(provider, parties.provider)) {
    issues.push({
      path: 'Claim.provider',
      message: `names ${provider}, but the claim is filed by ${parties.provider}`,
    });
  }
  return issues;
}

/** A reference to claim `claimId` by its on-chain number. */
export function claimReference(claimId: bigint): Reference<Claim> {
  return { type: 'Claim', identifier: { system: CLAIM_IDENTIFIER_SYSTEM, value: claimId.toString() } };
}

/** The claim number a reference names (see {@link claimReference}), if it names one. */
function referencedClaimId(reference: Reference | undefined): bigint | undefined {
  const identifier = reference?.identifier;
  if (identifier?.system !== CLAIM_IDENTIFIER_SYSTEM || !/^\d+$/.test(identifier.value ?? '')) return undefined;
  return BigInt(identifier.value!);
}

/**
 * Everything wrong with `answer` as the insurer's answer to claim `ref`: an ExplanationOfBenefit or a
 * ClaimResponse, FHIR R4 valid, naming the claim's patient and insurer, not still queued, and — when it
 * names a claim by its number — naming this one.
 */
export function answerIssues(answer: Resource, ref: ClaimRef, chainId: number): ValidationIssue[] {
  if (answer.resourceType !== 'ExplanationOfBenefit' && answer.resourceType !== 'ClaimResponse') {
    return [{ path: 'resourceType', message: `is ${answer.resourceType}, not ExplanationOfBenefit or ClaimResponse` }];
  }
  const type = answer.resourceType;
  const issues: ValidationIssue[] = resourceIssues(answer, type);
  issues.push(...partyIssues(answer.patient, `${type}.patient`, ['Patient'], ref.patient, chainId, 'the patient'));
  issues.push(...partyIssues(answer.insurer, `${type}.insurer`, ['Organization'], ref.insurer, chainId, 'the insurer'));
  if (answer.outcome === 'queued') {
    issues.push({ path: `${type}.outcome`, message: 'is "queued": an adjudication is a decision, not a queue' });
  }
  const claimLink = type === 'ExplanationOfBenefit' ? answer.claim : (answer as ClaimResponse).request;
  const linked = referencedClaimId(claimLink);
  if (linked !== undefined && linked !== ref.claimId) {
    const path = `${type}.${type === 'ExplanationOfBenefit' ? 'claim' : 'request'}`;
    issues.push({ path, message: `names claim ${linked}, not claim ${ref.claimId}` });
  }
  return issues;
}

const ADJUDICATION = 'http://terminology.hl7.org/CodeSystem/adjudication';
const adjudication = (code: 'submitted' | 'benefit', display: string) => ({
  coding: [{ system: ADJUDICATION, code, display }],
});

/** The claim's total: `Claim.total`, else the sum of its lines' `net` (one currency), else undefined. */
function claimTotal(claim: Claim): Money | undefined {
  if (claim.total?.value !== undefined) return claim.total;
  const nets = (claim.item ?? []).map((item) => item.net).filter((net): net is Money => net?.value !== undefined);
  if (nets.length === 0 || new Set(nets.map((net) => net.currency)).size > 1) return undefined;
  const cents = nets.reduce((sum, net) => sum + Math.round(net.value! * 100), 0);
  return { value: cents / 100, ...(nets[0]!.currency ? { currency: nets[0]!.currency } : {}) };
}

const zero = (money: Money): Money => ({ value: 0, ...(money.currency ? { currency: money.currency } : {}) });

/**
 * A FHIR R4 ExplanationOfBenefit answering `claim` with `outcome`, for a front end that has no answer
 * of its own to file: every line adjudicated as submitted, with the benefit the line's price when
 * approved and nothing when denied, and the totals likewise.
 *
 * @param claim - the decrypted Claim
 * @param ref - the claim on-chain (its number, patient and insurer)
 * @param outcome - the decision
 * @param chainId - the chain of the claim (the insurer is named by its account there)
 * @param options - `created` (default now) and `disposition` (default "Claim approved" / "Claim denied")
 */
export function explanationOfBenefitFor(
  claim: Claim,
  ref: ClaimRef,
  outcome: ClaimOutcome,
  chainId: number,
  options: { created?: string; disposition?: string } = {},
): ExplanationOfBenefit {
  const approved = outcome === 'approved';
  const total = claimTotal(claim);
  const items = (claim.item ?? []).map((item) => ({
    sequence: item.sequence,
    productOrService: item.productOrService,
    ...(item.servicedDate ? { servicedDate: item.servicedDate } : {}),
    ...(item.servicedPeriod ? { servicedPeriod: item.servicedPeriod } : {}),
    ...(item.net ? { net: item.net } : {}),
    ...(item.net?.value !== undefined
      ? {
          adjudication: [
            { category: adjudication('submitted', 'Submitted Amount'), amount: item.net },
            { category: adjudication('benefit', 'Benefit Amount'), amount: approved ? item.net : zero(item.net) },
          ],
        }
      : {}),
  }));
  return {
    resourceType: 'ExplanationOfBenefit',
    status: 'active',
    type: claim.type,
    use: claim.use,
    patient: { reference: `Patient/${ref.patient}` },
    ...(claim.billablePeriod ? { billablePeriod: claim.billablePeriod } : {}),
    created: options.created ?? new Date().toISOString(),
    insurer: claim.insurer ?? accountReference(chainId, ref.insurer),
    provider: claim.provider,
    claim: claimReference(ref.claimId),
    outcome: 'complete',
    disposition: options.disposition ?? (approved ? 'Claim approved' : 'Claim denied'),
    insurance: (claim.insurance ?? []).map(({ focal, coverage }) => ({ focal, coverage })),
    ...(items.length ? { item: items } : {}),
    ...(total
      ? {
          total: [
            { category: adjudication('submitted', 'Submitted Amount'), amount: total },
            { category: adjudication('benefit', 'Benefit Amount'), amount: approved ? total : zero(total) },
          ],
        }
      : {}),
  };
}

/** The patient's reasons for disputing claim `ref`, as the FHIR Communication the dispute files. */
export function disputeCommunication(
  ref: ClaimRef,
  reasonText: string,
  chainId: number,
  sent = new Date().toISOString(),
): Communication {
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ text: 'Claim dispute' }],
    subject: { reference: `Patient/${ref.patient}` },
    about: [claimReference(ref.claimId)],
    sent,
    sender: { reference: `Patient/${ref.patient}` },
    recipient: [accountReference(chainId, ref.insurer)],
    payload: [{ contentString: reasonText }],
  };
}

/** Forwards a claim transaction's stages as pipeline progress. */
function transactionProgress(onProgress: ProgressListener | undefined) {
  return (stage: TransactionStage) => {
    if (stage.stage === 'signing') onProgress?.({ step: 'sign' });
    if (stage.stage === 'pending') onProgress?.({ step: 'pending', hash: stage.hash });
    if (stage.stage === 'confirmed') onProgress?.({ step: 'confirmed', hash: stage.hash });
  };
}

/** The proof of a record this wallet just wrote, from the `RecordsAdded` event of its transaction. */
async function proofOfWritten(vault: Vault, record: AnchoredRecord): Promise<RecordProof> {
  const receipt = await vault.chain.publicClient.getTransactionReceipt({ hash: record.transactionHash });
  const header = recordBatchesOf(receipt.logs)
    .flatMap(recordHeadersOf)
    .find((candidate) => candidate.recordId === record.recordId);
  if (!header) throw new IntegrityError(`The transaction that wrote record ${record.recordId} does not anchor it.`);
  return recordProofOf(header);
}

/**
 * A record this wallet wrote earlier for a claim step, opened and checked: it exists, this wallet wrote
 * it, it is a billing record, and it holds a resource the step accepts.
 */
async function earlierRecord(
  vault: Vault,
  patient: Address,
  recordId: bigint,
  issuesOf: (resource: Resource) => ValidationIssue[],
): Promise<{ header: RecordHeader; proof: RecordProof }> {
  const actor = actorOf(vault);
  // The events' header, unverified: a writer may not be allowed to list; the contract checks the proof.
  const header = await recordHeader(vault.chain, patient, recordId);
  if (!isAddressEqual(header.author, actor)) {
    throw new AccessDeniedError(`Record ${recordId} of ${patient} was written by ${header.author}, not by ${actor}.`);
  }
  if (header.category !== billing) {
    throw new ValidationError([{ path: 'recordId', message: `record ${recordId} is not a billing record` }]);
  }
  const keys: ReaderKeys = isAddressEqual(actor, patient)
    ? patientReaderKeys(vault, patient)
    : { identity: vault.identity };
  const { payload } = await openAnchored(vault, patient, header, keys);
  const issues = issuesOf(payload.resource);
  if (issues.length > 0) throw new ValidationError(issues, `Record ${recordId} cannot be used for this step`);
  return { header, proof: recordProofOf(header) };
}

/**
 * Writes one billing record for a claim step and presents it in the step's transaction; if the
 * transaction fails, the record is reported (not lost) so the step can be retried with it.
 *
 * @param record - the resource, its category, and for a provider the keyring the patient gave it (so
 *   the record opens with the patient's billing key)
 */
async function writeAndPresent(
  vault: Vault,
  patient: Address,
  action: string,
  record: { resource: Resource; category?: RecordCategory; keyring?: Keyring },
  present: (proof: RecordProof) => Promise<TransactionReceipt>,
  options: ClaimStepOptions,
): Promise<{ recordId: bigint; receipt: TransactionReceipt }> {
  const { keyring } = record;
  const [written] = await addRecords(
    vault,
    patient,
    [
      {
        payload: { resource: record.resource },
        ...(record.category === undefined ? {} : { category: record.category }),
      },
    ],
    { onProgress: options.onProgress, ...(keyring ? { keyring } : {}) },
  );
  try {
    const proof = await proofOfWritten(vault, written!);
    return { recordId: written!.recordId, receipt: await present(proof) };
  } catch (error) {
    throw new ClaimRecordOrphanedError(action, patient, written!.recordId, error);
  }
}

/**
 * What stands in the way of `provider` filing a claim for `patient` against `insurer`, checked as the
 * contract will, plus what the contract cannot see: that the insurer will be able to open the Claim.
 * Also returns the keyring the patient gave the provider, which the Claim is then written with.
 */
async function submissionRefusals(
  vault: Vault,
  patient: Address,
  insurer: Address,
): Promise<{ reasons: string[]; keyring?: Keyring }> {
  const provider = actorOf(vault);
  const chain = vault.chain;
  if (isAddressEqual(provider, patient)) {
    return { reasons: ['A patient cannot bill their own record: the provider who gave the care files the claim.'] };
  }
  if (isAddressEqual(provider, insurer)) {
    return { reasons: [`${provider} cannot file a claim with itself as the insurer.`] };
  }
  const [isPatient, providerInfo, insurerInfo] = await Promise.all([
    readMedLedger(chain, 'isPatient', [patient]),
    readMedLedger(chain, 'providerInfo', [provider]),
    readMedLedger(chain, 'providerInfo', [insurer]),
  ]);
  if (!isPatient) return { reasons: [`${patient} is not a registered patient.`] };
  const reasons: string[] = [];
  if (providerInfo.kind === 0) reasons.push(`${provider} (this wallet) is not a registered provider.`);
  else if (providerInfo.suspended) reasons.push(`${provider} (this wallet) is suspended.`);
  if (insurerInfo.kind !== INSURER_KIND) reasons.push(`${insurer} is not a registered insurer.`);
  else if (insurerInfo.suspended) reasons.push(`The insurer ${insurer} is suspended.`);
  if (reasons.length > 0) return { reasons };
  const [mayBill, insurerReads, info, held] = await Promise.all([
    readMedLedger(chain, 'hasAccess', [patient, provider, writeScope(billing)]),
    readMedLedger(chain, 'hasAccess', [patient, insurer, readScope(billing)]),
    readMedLedger(chain, 'patientInfo', [patient]),
    keyEpochsHeld(chain, patient),
  ]);
  if (!mayBill) reasons.push(`${patient} has not granted this wallet live "write billing" access.`);
  if (!insurerReads) reasons.push(`${patient} has not granted the insurer ${insurer} live "read billing" access.`);
  const keyring = await loadKeyring(vault, patient).catch(() => undefined);
  if (mayBill && !keyring?.kek(info.keyEpoch, billing)) {
    reasons.push(
      `This wallet does not hold ${patient}'s current billing key, so the insurer could not open the claim; ` +
        'the patient grants the provider "rw:billing" (read and write).',
    );
  }
  const insurerEpoch = [...held].find(([account]) => isAddressEqual(account, insurer))?.[1];
  if (insurerReads && insurerEpoch !== info.keyEpoch) {
    reasons.push(
      `The insurer ${insurer} does not hold ${patient}'s current keys, so it could not open the claim; ` +
        'the patient grants it access again.',
    );
  }
  return { reasons, keyring };
}

/**
 * Files a claim: `claim` (a FHIR R4 Claim) becomes an encrypted billing record of `patient`'s history,
 * readable by the patient and — through the billing key its grant hands it — the insurer, and then the
 * claim against `insurer` is submitted with the proof that this wallet wrote that record. Everything the
 * contract checks (registration, standing, the provider's "write billing" and the insurer's "read
 * billing" consent) and everything it cannot (the Claim's content and parties, that the insurer will be
 * able to open it) is checked first: a refused claim leaves no record behind.
 *
 * @param vault - the provider that bills
 * @param patient - whose care is billed
 * @param insurer - the insurer billed
 * @param claim - the FHIR Claim (its parties as {@link claimIssues} says), or the Claim record an earlier
 *   attempt wrote
 * @param options - progress
 * @throws {@link ValidationError} listing every problem of the Claim, {@link ClaimRefusedError} naming
 *   what stands in the way, {@link ClaimRecordOrphanedError} when the record was written but the claim
 *   transaction failed
 */
export async function submitClaim(
  vault: Vault,
  patient: Address,
  insurer: Address,
  claim: Claim | EarlierRecord,
  options: ClaimStepOptions = {},
): Promise<ClaimStepResult> {
  const provider = actorOf(vault);
  const parties: ClaimParties = {
    chainId: vault.chain.deployment.chainId,
    patient: getAddress(patient),
    provider,
    insurer: getAddress(insurer),
  };
  options.onProgress?.({ step: 'validate', done: 0, total: 1 });
  const issues = isEarlier(claim) ? [] : claimIssues(claim, parties);
  if (issues.length > 0) throw new ValidationError(issues, 'The claim was not filed; the Claim is invalid');
  const { reasons, keyring } = await submissionRefusals(vault, parties.patient, parties.insurer);
  if (reasons.length > 0) throw new ClaimRefusedError('The claim', reasons);
  const submit = async (proof: RecordProof) =>
    writeClaims(vault.chain, 'submitClaim', [parties.patient, parties.insurer, proof], {
      onStage: transactionProgress(options.onProgress),
    });
  let presented;
  if (isEarlier(claim)) {
    const { header, proof } = await earlierRecord(vault, parties.patient, claim.recordId, (resource) =>
      claimIssues(resource, parties),
    );
    const existing = await readClaims(vault.chain, 'claimState', [parties.provider, header.ciphertextHash]);
    if (BigInt(existing) !== 0n) {
      throw new ClaimRefusedError('The claim', [`Record ${claim.recordId} was already filed as a claim.`]);
    }
    presented = { recordId: claim.recordId, receipt: await submit(proof) };
  } else {
    presented = await writeAndPresent(
      vault,
      parties.patient,
      'Filing the claim',
      { resource: claim, keyring },
      submit,
      options,
    );
  }
  const { recordId, receipt } = presented;
  const [ref] = claimRefsOf(receipt.logs);
  if (!ref) throw new IntegrityError('The claim transaction succeeded but reported no claim.');
  return { ref, recordId, transactionHash: receipt.transactionHash };
}

/** The claim's status on-chain (which also proves `ref` is the claim the contract stores). */
async function chainStatus(vault: Vault, ref: ClaimRef): Promise<{ status: ClaimStatus; disputed: boolean }> {
  const [status, disputed] = await readClaims(vault.chain, 'claimStatus', [ref]);
  return { status: claimStatusOf(Number(status)), disputed };
}

/** Refusals shared by the insurer's steps: it is the claim's insurer, registered and not suspended. */
async function insurerRefusals(vault: Vault, ref: ClaimRef): Promise<string[]> {
  const actor = actorOf(vault);
  if (!isAddressEqual(actor, ref.insurer)) {
    return [`Only the insurer of claim ${ref.claimId} (${ref.insurer}) may do this; this wallet is ${actor}.`];
  }
  const info = await readMedLedger(vault.chain, 'providerInfo', [actor]);
  return info.suspended ? [`The insurer ${actor} is suspended.`] : [];
}

/**
 * Adjudicates a submitted claim as its insurer: `answer` (an ExplanationOfBenefit or ClaimResponse, see
 * {@link explanationOfBenefitFor}) becomes an encrypted billing record of the patient's history, then
 * the claim is approved or denied with the proof that the insurer wrote it. The insurer needs the
 * patient's "write billing" consent for that record (patients grant insurers `rw:billing`); it is
 * checked first, with the claim's status and the answer, so a refusal writes nothing.
 *
 * @param vault - the claim's insurer
 * @param ref - the claim, as listed
 * @param outcome - approved or denied
 * @param answer - the insurer's answer, naming the claim's patient and insurer, or the answer record an
 *   earlier attempt wrote
 * @param options - progress
 */
export async function adjudicateClaim(
  vault: Vault,
  ref: ClaimRef,
  outcome: ClaimOutcome,
  answer: ClaimAnswer | EarlierRecord,
  options: ClaimStepOptions = {},
): Promise<ClaimStepResult> {
  options.onProgress?.({ step: 'validate', done: 0, total: 1 });
  const issues = isEarlier(answer) ? [] : answerIssues(answer, ref, vault.chain.deployment.chainId);
  if (issues.length > 0) throw new ValidationError(issues, 'The claim was not adjudicated; the answer is invalid');
  const reasons = await insurerRefusals(vault, ref);
  if (reasons.length === 0) {
    const [{ status }, mayWrite] = await Promise.all([
      chainStatus(vault, ref),
      readMedLedger(vault.chain, 'hasAccess', [ref.patient, ref.insurer, writeScope(billing)]),
    ]);
    if (status !== 'submitted') reasons.push(`Claim ${ref.claimId} is ${status}, not waiting for a decision.`);
    if (!mayWrite) {
      reasons.push(
        `${ref.patient} has not granted the insurer live "write billing" access, which it needs to file its answer ` +
          'in the patient\'s history (patients grant insurers "rw:billing").',
      );
    }
  }
  if (reasons.length > 0) throw new ClaimRefusedError(`Adjudicating claim ${ref.claimId}`, reasons);
  const adjudicate = (proof: RecordProof) =>
    writeClaims(vault.chain, 'adjudicateClaim', [ref, outcome === 'approved', proof], {
      onStage: transactionProgress(options.onProgress),
    });
  if (isEarlier(answer)) {
    const { proof } = await earlierRecord(vault, ref.patient, answer.recordId, (resource) =>
      answerIssues(resource, ref, vault.chain.deployment.chainId),
    );
    const receipt = await adjudicate(proof);
    return { ref, recordId: answer.recordId, transactionHash: receipt.transactionHash };
  }
  const keyring = await loadKeyring(vault, ref.patient).catch(() => undefined);
  const { recordId, receipt } = await writeAndPresent(
    vault,
    ref.patient,
    `Adjudicating claim ${ref.claimId}`,
    { resource: answer, keyring },
    adjudicate,
    options,
  );
  return { ref, recordId, transactionHash: receipt.transactionHash };
}

/**
 * Records that the insurer paid an approved claim. Only a hash of `referenceText` goes on-chain (see
 * `paymentReferenceHash`): the text names the payment (a transfer id), never amounts or health data.
 *
 * @param vault - the claim's insurer
 * @param ref - the claim, as listed
 * @param referenceText - the payment's reference, kept off-chain
 * @returns the hash recorded and the transaction
 */
export async function payClaim(
  vault: Vault,
  ref: ClaimRef,
  referenceText: string,
  options: { onProgress?: ProgressListener } = {},
): Promise<{ ref: ClaimRef; paymentReference: Hex; transactionHash: Hex }> {
  if (!referenceText.trim()) {
    throw new ValidationError([{ path: 'reference', message: 'give the reference of the payment' }]);
  }
  const reasons = await insurerRefusals(vault, ref);
  if (reasons.length === 0) {
    const { status } = await chainStatus(vault, ref);
    if (status !== 'approved') reasons.push(`Claim ${ref.claimId} is ${status}; only an approved claim is paid.`);
  }
  if (reasons.length > 0) throw new ClaimRefusedError(`Paying claim ${ref.claimId}`, reasons);
  const paymentReference = paymentReferenceHash(vault.chain, ref.claimId, referenceText);
  const receipt = await writeClaims(vault.chain, 'payClaim', [ref, paymentReference], {
    onStage: transactionProgress(options.onProgress),
  });
  return { ref, paymentReference, transactionHash: receipt.transactionHash };
}

/**
 * Disputes the insurer's decision on a claim, as its patient: `reasonText` becomes an encrypted FHIR
 * Communication filed under billing in the patient's history (so the insurer and the billing provider
 * open it with the billing key they hold), then the claim is marked disputed with the proof that the
 * patient wrote it. A claim is disputed once, after it was approved, denied or paid.
 *
 * @param vault - the claim's patient
 * @param ref - the claim, as listed
 * @param reason - why the patient disputes the decision, or the reasons record an earlier attempt wrote
 * @param options - progress
 */
export async function disputeClaim(
  vault: Vault,
  ref: ClaimRef,
  reason: string | EarlierRecord,
  options: ClaimStepOptions = {},
): Promise<ClaimStepResult> {
  const actor = actorOf(vault);
  if (typeof reason === 'string' && !reason.trim())
    throw new ValidationError([{ path: 'reason', message: 'say why the decision is disputed' }]);
  const reasons: string[] = [];
  if (!isAddressEqual(actor, ref.patient)) {
    reasons.push(`Only the patient of claim ${ref.claimId} (${ref.patient}) may dispute it; this wallet is ${actor}.`);
  } else {
    const { status, disputed } = await chainStatus(vault, ref);
    if (status === 'submitted')
      reasons.push(`Claim ${ref.claimId} has not been decided yet; there is nothing to dispute.`);
    if (disputed) reasons.push(`Claim ${ref.claimId} was already disputed; a claim is disputed once.`);
  }
  if (reasons.length > 0) throw new ClaimRefusedError(`Disputing claim ${ref.claimId}`, reasons);
  const dispute = (proof: RecordProof) =>
    writeClaims(vault.chain, 'disputeClaim', [ref, proof], { onStage: transactionProgress(options.onProgress) });
  if (typeof reason !== 'string') {
    const { proof } = await earlierRecord(vault, ref.patient, reason.recordId, (resource) =>
      resource.resourceType === 'Communication'
        ? resourceIssues(resource, 'Communication')
        : [{ path: 'resourceType', message: `is ${resource.resourceType}, not Communication` }],
    );
    const receipt = await dispute(proof);
    return { ref, recordId: reason.recordId, transactionHash: receipt.transactionHash };
  }
  const { recordId, receipt } = await writeAndPresent(
    vault,
    ref.patient,
    `Disputing claim ${ref.claimId}`,
    { resource: disputeCommunication(ref, reason.trim(), vault.chain.deployment.chainId), category: billing },
    dispute,
    options,
  );
  return { ref, recordId, transactionHash: receipt.transactionHash };
}

/** A record of a claim this wallet opened, or why it could not. */
export type ClaimDocument<T extends Resource> =
  | { readonly ok: true; readonly recordId: bigint; readonly resource: T }
  | { readonly ok: false; readonly recordId: bigint; readonly error: MedLedgerError };

/**
 * A patient's records as the listing of the insurer's queue proved and unlocked them, for the review
 * to read without listing, loading the keyring or logging them again.
 */
export interface QueuePatientRecords {
  /** The record categories the insurer's grant lets it read now: none once the grant has expired. */
  readonly readable: readonly number[];
  /**
   * Opens the patient's records of `categories` (those of them readable) with the headers and keys the
   * listing holds; what opens is logged with the listing's own read of the patient, in one
   * transaction, for payment.
   */
  readonly read: (categories: readonly number[]) => Promise<RecordResult[]>;
}

/** Which categories of a patient's records the review checked their claims against (none: claims only). */
export interface ReviewedPatient {
  readonly patient: Address;
  readonly categories: readonly number[];
}

/** The review of a queue: a review per claim number, and what each patient's records added to it. */
export interface ClaimQueueReview {
  readonly reviews: ReadonlyMap<bigint, ClaimReview>;
  readonly patients: readonly ReviewedPatient[];
}

/**
 * Reviews the insurer's claims once they are opened: given every claim of the queue (so rules may
 * compare claims with each other) and each patient's records as the listing unlocked them, returns a
 * review per claim number (lib/ai's `ClaimReview`, or its `ScoredClaim` with the model's score) and
 * which records it read. Runs on this machine; nothing it reads leaves it.
 */
export type ClaimReviewer = (
  claims: readonly ClaimView[],
  records: ReadonlyMap<Address, QueuePatientRecords>,
) => Promise<ClaimQueueReview>;

/** A claim as a wallet sees it: the chain's verified status and history, and what it could open. */
export interface ClaimView {
  readonly claimId: bigint;
  readonly ref: ClaimRef;
  /** The status the contract holds. */
  readonly status: ClaimStatus;
  readonly disputed: boolean;
  /** Every step with its block time, oldest first. */
  readonly history: readonly ClaimEvent[];
  /** The FHIR Claim. */
  readonly claim: ClaimDocument<Claim>;
  /** The insurer's answer, once adjudicated. */
  readonly answer?: ClaimDocument<ClaimAnswer>;
  /** The patient's reasons, once disputed. */
  readonly dispute?: ClaimDocument<Communication>;
  /** The dispute's reasons as text, when they could be opened. */
  readonly disputeReason?: string;
  /** The hash of the payment reference, once paid. */
  readonly paymentReference?: Hex;
  /** The insurer's review of the claim (flags with reasons), when listed as insurer. */
  readonly review?: ClaimReview;
}

/** A claim whose events do not match what the contract stores: refused, never shown as a claim. */
export interface RefusedClaimView {
  readonly claimId: bigint;
  readonly reason: string;
}

export interface ListClaimsOptions {
  /** Whose view: the patient's own claims, the provider's submissions, the insurer's queue. */
  readonly as: ClaimParty;
  /** Only these claims (still verified the same way). */
  readonly claimIds?: readonly bigint[];
  /**
   * For a provider or insurer: log the records it opened on-chain (`logAccess`, purpose payment), so
   * the patient sees who read their claim. Default true; records the reader wrote itself are not
   * logged, nor claim records when its billing access has ended (the chain would refuse the log). The
   * patient records the insurer's review reads are logged with them: one transaction a patient.
   */
  readonly logAccess?: boolean;
  /**
   * The insurer's review of its queue (see {@link ClaimReviewer}): by default lib/ai's claim rules
   * ({@link reviewClaimQueue}); `false` for none. Ignored for other views.
   */
  readonly review?: ClaimReviewer | false;
  readonly onProgress?: ProgressListener;
}

/**
 * The claims this wallet may see — as patient its own, as provider those it filed, as insurer its queue
 * — each verified against the seal the contract stores (status and history are the chain's; a claim
 * whose events do not match it is refused), with the Claim, the insurer's answer and the dispute's
 * reasons decrypted where this wallet holds the key. Records are proven to be the claim's: the Claim's
 * ciphertext hash is the one the claim is sealed with, the answer was written by the insurer and the
 * reasons by the patient, all filed under billing. The insurer's queue is reviewed on this machine
 * (`review`, lib/ai's claim rules by default): each claim gets its flags with their reasons, and
 * `reviewed` says which of each patient's records the review could check the claims against.
 *
 * @param vault - the acting wallet
 * @param options - the view, a filter, access logging and the insurer's review
 */
export async function listClaims(
  vault: Vault,
  options: ListClaimsOptions,
): Promise<{ claims: ClaimView[]; refused: RefusedClaimView[]; reviewed?: readonly ReviewedPatient[] }> {
  const actor = actorOf(vault);
  options.onProgress?.({ step: 'list' });
  const listed = await listChainClaims(vault.chain, options.as, actor);
  const wanted = (claimId: bigint) => !options.claimIds || options.claimIds.includes(claimId);
  const chainClaims = listed.claims.filter((claim) => wanted(claim.ref.claimId));
  const refused = listed.refused.filter((claim) => wanted(claim.claimId));
  const patients = [...new Set(chainClaims.map((claim) => claim.ref.patient))];
  let done = 0;
  const total = chainClaims.length;
  const views = new Map<bigint, ClaimView>();
  // What is read of each patient, logged once after the review has read too: one transaction a patient.
  const reads = new Map<Address, bigint[]>();
  const records = new Map<Address, QueuePatientRecords>();
  for (const patient of patients) {
    const ofPatient = chainClaims.filter((claim) => claim.ref.patient === patient);
    const { keys, headers, canLog, readable } = await readerContext(vault, patient, options.as);
    const opened = await Promise.all(ofPatient.map((claim) => openClaim(vault, claim, keys, headers)));
    opened.forEach((view) => views.set(view.claimId, view));
    done += ofPatient.length;
    options.onProgress?.({ step: 'decrypt', done, total });
    const read = canLog ? openedByOthers(actor, opened) : [];
    reads.set(patient, read);
    records.set(patient, {
      readable,
      read: async (categories) => {
        const wanted = categories.filter((category) => readable.includes(category));
        const results = await openHeaders(
          vault,
          patient,
          [...headers.values()].filter((header) => wanted.includes(header.category)),
          keys,
        );
        read.push(...results.flatMap((result) => (result.ok ? [result.header.recordId] : [])));
        return results;
      },
    });
  }
  let claims = chainClaims.map((claim) => views.get(claim.ref.claimId)!);
  let reviewed: readonly ReviewedPatient[] | undefined;
  try {
    if (options.as === 'insurer' && options.review !== false) {
      const review = options.review ?? reviewClaimQueue;
      const { reviews, patients } = await review(claims, records);
      reviewed = patients;
      claims = claims.map((claim) => {
        const review = reviews.get(claim.claimId);
        return review ? { ...claim, review } : claim;
      });
    }
  } finally {
    if (options.logAccess !== false) {
      for (const [patient, recordIds] of reads) {
        if (recordIds.length > 0) {
          await logReads(vault, actor, patient, [...new Set(recordIds)], { purpose: PAYMENT_PURPOSE });
        }
      }
    }
  }
  options.onProgress?.({ step: 'done', done: total, total });
  return { claims, refused, ...(reviewed ? { reviewed } : {}) };
}

/**
 * One claim this wallet may see as `as`, by its number, opened as {@link listClaims} opens it (access
 * logged likewise), without the insurer's review: that compares each claim with the rest of the queue,
 * so one claim alone would be reviewed against nothing, and the patient records it reads would be read
 * (and logged) for a step that does not use them.
 *
 * @throws {@link NotFoundError} when no such claim is visible to this wallet in that role
 * @throws {@link IntegrityError} when its events do not match what the contract stores
 */
export async function findClaim(
  vault: Vault,
  claimId: bigint,
  options: Omit<ListClaimsOptions, 'claimIds' | 'review'>,
): Promise<ClaimView> {
  const { claims, refused } = await listClaims(vault, { ...options, claimIds: [claimId], review: false });
  if (claims[0]) return claims[0];
  if (refused[0]) throw new IntegrityError(refused[0].reason);
  throw new NotFoundError(`There is no claim ${claimId} this wallet may see as ${options.as}.`);
}

/**
 * The keys `vault` opens `patient`'s claim records with, the headers of those records, whether its
 * reads can be logged, and which categories its live grant lets it read besides. The patient and live
 * readers get the headers proven against storage; a writer whose read access has ended gets them from
 * the node's events (each record is then checked against the claim's sealed ciphertext hash or its
 * author) and may read nothing else.
 */
async function readerContext(
  vault: Vault,
  patient: Address,
  as: ClaimParty,
): Promise<{ keys: ReaderKeys; headers: Map<bigint, RecordHeader>; canLog: boolean; readable: number[] }> {
  const actor = actorOf(vault);
  if (as === 'patient') {
    const headers = await listRecordHeaders(vault.chain, patient);
    return { keys: patientReaderKeys(vault, patient), headers: byId(headers), canLog: false, readable: [] };
  }
  const [grant, readsBilling, keyring] = await Promise.all([
    readMedLedger(vault.chain, 'grantOf', [patient, actor]),
    readMedLedger(vault.chain, 'hasAccess', [patient, actor, readScope(billing)]),
    loadKeyring(vault, patient).catch(() => undefined),
  ]);
  const mayList =
    (grant.scopes & READ_MASK) !== 0n &&
    (await readMedLedger(vault.chain, 'hasAccess', [patient, actor, grant.scopes & READ_MASK]));
  const headers = mayList
    ? await listRecordHeaders(vault.chain, patient)
    : (await recordBatchEvents({ ...vault.chain, indexerUrl: undefined }, patient)).flatMap(recordHeadersOf);
  return {
    keys: { kek: keyring?.kek, identity: vault.identity },
    headers: byId(headers),
    canLog: readsBilling,
    readable: mayList ? decodeScopes(grant.scopes).read : [],
  };
}

const byId = (headers: readonly RecordHeader[]) => new Map(headers.map((header) => [header.recordId, header]));

/** Opens what `keys` open of one claim's records, each checked to be the record the claim names. */
async function openClaim(
  vault: Vault,
  claim: ChainClaim,
  keys: ReaderKeys,
  headers: ReadonlyMap<bigint, RecordHeader>,
): Promise<ClaimView> {
  const { ref } = claim;
  const open = async <T extends Resource>(
    recordId: bigint,
    author: Address,
    types: readonly string[],
    check?: (header: RecordHeader) => string | undefined,
  ): Promise<ClaimDocument<T>> => {
    try {
      const header = headers.get(recordId);
      if (!header) throw new NotFoundError(`Record ${recordId} of ${ref.patient} has no event on this chain.`);
      const wrong =
        check?.(header) ??
        (!isAddressEqual(header.author, author)
          ? `was written by ${header.author}, not ${author}`
          : header.category !== billing
            ? 'is not a billing record'
            : undefined);
      if (wrong) throw new IntegrityError(`Record ${recordId}, named by claim ${ref.claimId}, ${wrong}.`);
      const { payload } = await openAnchored(vault, ref.patient, header, keys);
      if (!types.includes(payload.resource.resourceType)) {
        throw new IntegrityError(
          `Record ${recordId}, named by claim ${ref.claimId}, holds a ${payload.resource.resourceType}, ` +
            `not ${types.join(' or ')}.`,
        );
      }
      return { ok: true, recordId, resource: payload.resource as T };
    } catch (error) {
      const reason =
        error instanceof MedLedgerError ? error : new MedLedgerError(describeError(error), { cause: error });
      return { ok: false, recordId, error: reason };
    }
  };
  const [document, answer, dispute] = await Promise.all([
    open<Claim>(ref.recordId, ref.provider, ['Claim'], (header) =>
      !same(header.ciphertextHash, ref.ciphertextHash)
        ? 'is not the ciphertext the claim was filed with'
        : !isAddressEqual(header.author, ref.provider)
          ? `was written by ${header.author}, not the billing provider`
          : undefined,
    ),
    claim.responseRecordId === undefined
      ? undefined
      : open<ClaimAnswer>(claim.responseRecordId, ref.insurer, ['ExplanationOfBenefit', 'ClaimResponse']),
    claim.reasonRecordId === undefined
      ? undefined
      : open<Communication>(claim.reasonRecordId, ref.patient, ['Communication']),
  ]);
  const disputeReason = dispute?.ok
    ? dispute.resource.payload
        ?.map((part) => part.contentString)
        .filter(Boolean)
        .join('\n')
    : undefined;
  return {
    claimId: ref.claimId,
    ref,
    status: claim.status,
    disputed: claim.disputed,
    history: claim.history,
    claim: document,
    ...(answer ? { answer } : {}),
    ...(dispute ? { dispute } : {}),
    ...(disputeReason ? { disputeReason } : {}),
    ...(claim.paymentReference ? { paymentReference: claim.paymentReference } : {}),
  };
}

/** The claim records `reader` opened and did not write itself: those its access log names. */
function openedByOthers(reader: Address, views: readonly ClaimView[]): bigint[] {
  return views.flatMap(({ ref, claim, answer, dispute }) =>
    [
      { document: claim, author: ref.provider },
      { document: answer, author: ref.insurer },
      { document: dispute, author: ref.patient },
    ].flatMap(({ document, author }) => (document?.ok && !isAddressEqual(author, reader) ? [document.recordId] : [])),
  );
}
