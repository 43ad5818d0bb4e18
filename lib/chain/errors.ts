import { BaseError, ContractFunctionRevertedError, UserRejectedRequestError } from 'viem';

import { TransactionError } from '../errors';
import { RECORD_CATEGORIES, categoryLabel, categoryName, decodeScopes } from './categories';
import { claimStatusOf } from './claim-status';

type Args = readonly unknown[];

function short(address: unknown): string {
  const text = String(address);
  return /^0x[0-9a-fA-F]{40}$/.test(text) ? `${text.slice(0, 6)}…${text.slice(-4)}` : text;
}

function when(timestamp: unknown): string {
  return new Date(Number(timestamp) * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** Scope mask as words, e.g. "read observation, write observation". */
export function describeScopes(scopes: bigint): string {
  const { read, write } = decodeScopes(scopes);
  const name = (category: number) => categoryName(category) ?? `category ${category}`;
  const parts = [...read.map((c) => `read ${name(c)}`), ...write.map((c) => `write ${name(c)}`)];
  return parts.length ? parts.join(', ') : 'no scopes';
}

/** One sentence per MedLedger and Claims custom error, built from its arguments. */
const SENTENCES: Record<string, (args: Args) => string> = {
  PatientAlreadyRegistered: ([patient]) => `${short(patient)} is already registered as a patient.`,
  PatientNotRegistered: ([account]) => `${short(account)} is not a registered patient.`,
  InvalidEncryptionKey: () => 'The encryption key is empty; derive your encryption key first.',
  InvalidCid: ([length]) => `That content identifier is not valid (${length} bytes).`,
  ProviderAlreadyRegistered: ([provider]) => `${short(provider)} is already a registered provider.`,
  ProviderNotRegistered: ([account]) => `${short(account)} is not a registered provider.`,
  ProviderIsSuspended: ([provider]) => `Provider ${short(provider)} is suspended and has no access.`,
  ProviderNotSuspended: ([provider]) => `Provider ${short(provider)} is not suspended.`,
  InvalidProviderKind: () => 'Choose whether the provider is a doctor, a lab or an insurer.',
  InvalidProviderAddress: () => 'The provider address is empty.',
  InvalidProviderKey: () => 'The provider encryption key is empty.',
  InvalidScopes: () => 'Choose at least one kind of record to share.',
  GrantExpiryInPast: ([expiry]) => `The access would expire at ${when(expiry)}, which is not in the future.`,
  NoGrant: ([patient, provider]) => `${short(patient)} has not granted ${short(provider)} access.`,
  ConsentExpired: ([patient, provider, expiry]) =>
    `The access ${short(patient)} granted to ${short(provider)} expired at ${when(expiry)}.`,
  ScopeNotGranted: ([patient, provider, required, granted]) =>
    `${short(provider)} needs "${describeScopes(BigInt(required as bigint))}" from ${short(patient)} but holds ` +
    `"${describeScopes(BigInt(granted as bigint))}".`,
  ConsentSignatureExpired: ([deadline]) => `This signed consent could only be used until ${when(deadline)}.`,
  InvalidConsentSignature: ([patient]) =>
    `The consent signature is not from ${short(patient)} for this network and contract.`,
  InvalidAccountNonce: () => 'This signed consent was already used or cancelled.',
  ConsentPredatesRevocation: ([patient, provider]) =>
    `${short(patient)} revoked ${short(provider)} after signing this consent, so it can no longer be used; ` +
    'ask the patient for a new one.',
  InvalidCategory: ([category]) => `Record category ${category} does not exist.`,
  InvalidCiphertextHash: () => 'The record has no ciphertext hash.',
  InvalidSupersedes: ([, recordId]) =>
    `Record ${recordId} cannot be corrected here: it does not exist before this one, or is of another kind.`,
  RecordAlreadySuperseded: ([, recordId]) =>
    `Record ${recordId} was already corrected; correct its newest version instead.`,
  NotRecordAuthor: ([, recordId, account]) =>
    `${short(account)} did not write record ${recordId}: only the patient or the record's author may correct it.`,
  RecordNotFound: ([, recordId]) => `Record ${recordId} does not exist.`,
  EmptyBatch: () => 'A batch needs between 1 and 100 records.',
  RecordListDenied: ([patient, account]) => `${short(account)} may not list the records of ${short(patient)}.`,
  AccessControlUnauthorizedAccount: ([account]) => `${short(account)} is not an administrator.`,
  ModelAlreadyApproved: () => 'That model is already approved.',
  ModelNotApproved: () => 'That model was never approved.',
  ModelAlreadyDeprecated: () => 'That model is already deprecated.',
  InvalidModel: () => 'A model needs its SHA-256, a name and a model-card CID.',
  InvalidLedger: ([ledger]) => `${short(ledger)} is not a MedLedger contract, so claims cannot be kept against it.`,
  BillingWriteNotGranted: ([patient, provider]) =>
    `${short(provider)} may not bill for ${short(patient)}: the patient has not granted it live ` +
    '"write billing" access.',
  BillingReadNotGranted: ([patient, insurer]) =>
    `${short(insurer)} may not receive claims for ${short(patient)}: the patient has not granted it live ` +
    '"read billing" access.',
  NotAnInsurer: ([account]) => `${short(account)} is not a registered insurer.`,
  InactiveParty: ([account]) =>
    `${short(account)} is suspended or not registered, so it cannot take part in a claim right now.`,
  ClaimAlreadySubmitted: () => 'A claim was already submitted for that record; each record can be claimed once.',
  RecordNotProven: ([patient, recordId, author]) =>
    `Record ${recordId} of ${short(patient)} was not written by ${short(author)}, or the proof given for it does not ` +
    'match the chain.',
  NotBillingRecord: ([patient, recordId, category]) =>
    `Record ${recordId} of ${short(patient)} is filed under ${categoryLabel(Number(category))}, not ` +
    `${categoryLabel(RECORD_CATEGORIES.billing)}.`,
  UnknownClaim: ([claimId]) => `Claim ${claimId} does not exist, or its details do not match what the chain holds.`,
  NotClaimInsurer: ([claimId, account]) =>
    `Only the insurer of claim ${claimId} may decide or pay it, and ${short(account)} is not that insurer.`,
  NotClaimPatient: ([claimId, account]) =>
    `Only the patient of claim ${claimId} may dispute it, and ${short(account)} is not that patient.`,
  InvalidClaimTransition: ([claimId, from, to]) =>
    `Claim ${claimId} is ${claimStatusOf(Number(from))}, so it cannot be marked ${claimStatusOf(Number(to))}.`,
  ClaimNotAdjudicated: ([claimId]) =>
    `Claim ${claimId} has not been approved or denied yet, so there is nothing to dispute.`,
  ClaimAlreadyDisputed: ([claimId]) => `Claim ${claimId} was already disputed; a claim can be disputed once.`,
  ClaimToSelf: ([account]) => `${short(account)} cannot file a claim with itself as the insurer.`,
  InvalidPaymentReference: () => 'The payment reference is empty; give the reference of the payment.',
};

/**
 * Turns anything a viem contract call or wallet throws into a {@link TransactionError} whose message
 * is a sentence a person understands: the decoded custom error with its arguments, the wallet's
 * rejection, or the node's own message.
 */
export function toTransactionError(error: unknown): TransactionError {
  if (error instanceof TransactionError) return error;
  if (error instanceof BaseError) {
    const rejected = error.walk((cause) => cause instanceof UserRejectedRequestError);
    if (rejected)
      return new TransactionError('You rejected the request in your wallet; nothing was sent.', { cause: error });
    const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName;
      const sentence = name ? SENTENCES[name] : undefined;
      if (sentence) return new TransactionError(sentence(reverted.data?.args ?? []), { cause: error });
      if (name) return new TransactionError(`The contract refused: ${name}.`, { cause: error });
      if (reverted.reason) return new TransactionError(`The contract refused: ${reverted.reason}.`, { cause: error });
    }
    const funds = /insufficient funds/i.test(error.message);
    if (funds) return new TransactionError('The account has too little ETH to pay for gas.', { cause: error });
    return new TransactionError(error.shortMessage || error.message, { cause: error });
  }
  return new TransactionError(error instanceof Error ? error.message : String(error), { cause: error });
}
