/**
 * Insurance claims from the command line, through lib/records/claims exactly as the web app files,
 * decides, pays and disputes them:
 *   claim submit PATIENT --insurer ADDRESS --claim CLAIM.json                   (provider)
 *   claims [--as patient|provider|insurer]                 what this wallet may see, verified
 *   claim adjudicate CLAIM_ID --outcome approved|denied [--response EOB.json]  (insurer)
 *   claim pay CLAIM_ID --reference TEXT                                         (insurer)
 *   claim dispute CLAIM_ID --reason TEXT                                        (patient)
 * CLAIM_ID is the claim's number; the command finds the claim among those the wallet may see. When a
 * step's record was written but its claim transaction failed, the message names the record, and the
 * same command with `--record RECORD_ID` (instead of the file or text) presents it.
 */
import type { Claim, Resource } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { type ScoredClaim, registryApproval, scoreClaims } from '../../lib/ai';
import { createNodeBackend, fileModelLoader } from '../../lib/ai/node';
import {
  type ChainContext,
  type ClaimParty,
  CLAIM_STATUS_LABELS,
  PROVIDER_KINDS,
  readMedLedger,
} from '../../lib/chain';
import { MedLedgerError, ValidationError, describeError } from '../../lib/errors';
import { conceptText, moneyText, parseJson } from '../../lib/fhir';
import {
  type ClaimAnswer,
  type ClaimView,
  ClaimRecordOrphanedError,
  adjudicateClaim,
  disputeClaim,
  explanationOfBenefitFor,
  findClaim,
  listClaims,
  payClaim,
  submitClaim,
} from '../../lib/records/claims';
import type { ProgressListener } from '../../lib/records/progress';
import type { Vault } from '../../lib/records/vault';

/** What the claim commands need from the CLI. */
export interface ClaimsCliEnv {
  vault(role: 'patient' | 'provider'): Promise<Vault>;
  /** The chain as the acting wallet, to find out which party it is. */
  chain(): Promise<ChainContext>;
  address(value: string | undefined, what: string): Address;
  /** Reads an input file, failing with a sentence that names it. */
  readInput(file: string): Promise<string>;
}

type Values = Record<string, string | boolean | undefined>;
type Output = { json: boolean; out(human: string, data: unknown): void; progress: ProgressListener };
type Command = (positionals: string[], values: Values, io: Output) => Promise<void>;

const PARTIES: readonly ClaimParty[] = ['patient', 'provider', 'insurer'];

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value.trim() : '');

/** `CLAIM_ID` as a claim number. */
function claimIdOf(value: string | undefined): bigint {
  if (!value || !/^[1-9]\d{0,18}$/.test(value)) {
    throw new ValidationError([
      { path: 'CLAIM_ID', message: `"${value ?? ''}" is not a claim number (see \`claims\`)` },
    ]);
  }
  return BigInt(value);
}

/** `--record` as a record id, if given. */
function recordIdOf(value: string | boolean | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[1-9]\d{0,18}$/.test(value)) {
    throw new ValidationError([{ path: '--record', message: `"${value}" is not a record id` }]);
  }
  return BigInt(value);
}

/** A FHIR resource from a JSON file, keeping each decimal's text. */
async function resourceFile(env: ClaimsCliEnv, file: string, option: string): Promise<Resource> {
  const resource = parseJson(await env.readInput(file), file) as Resource | null;
  if (typeof resource?.resourceType !== 'string') {
    throw new ValidationError([{ path: option, message: `${file} holds no FHIR resource` }]);
  }
  return resource;
}

/**
 * The party this wallet lists claims as: `--as`, else what it is on-chain — a patient, an insurer, or
 * another provider (which files claims).
 */
async function partyOf(env: ClaimsCliEnv, option: string | boolean | undefined): Promise<ClaimParty> {
  if (option !== undefined) {
    if (!PARTIES.includes(option as ClaimParty)) {
      throw new ValidationError([{ path: '--as', message: `use ${PARTIES.join(', ')}` }]);
    }
    return option as ClaimParty;
  }
  const chain = await env.chain();
  const account = chain.account!;
  if (await readMedLedger(chain, 'isPatient', [account])) return 'patient';
  const { kind } = await readMedLedger(chain, 'providerInfo', [account]);
  if (kind === 0) {
    throw new MedLedgerError(`${account} is neither a registered patient nor a provider, so it has no claims.`);
  }
  return PROVIDER_KINDS[kind] === 'insurer' ? 'insurer' : 'provider';
}

const vaultFor = (env: ClaimsCliEnv, party: ClaimParty) => env.vault(party === 'patient' ? 'patient' : 'provider');

/** A failed step whose record was written: the sentence says how to finish it with `--record`. */
function withRetryHint(error: unknown, command: string): unknown {
  if (!(error instanceof ClaimRecordOrphanedError)) return error;
  return new MedLedgerError(
    error.message.replace(
      /; retry with that record.*$/,
      `; finish the step with \`medledger ${command} --record ${error.recordId}\`.`,
    ),
    { cause: error },
  );
}

const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;
const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** The claim's status in words, e.g. "paid, disputed". */
function statusText(view: ClaimView): string {
  return `${CLAIM_STATUS_LABELS[view.status].toLowerCase()}${view.disputed ? ', disputed' : ''}`;
}

/** What the claim bills, in words, or why it cannot be shown. */
function serviceText(view: ClaimView): string {
  if (!view.claim.ok) return '(not readable by this wallet)';
  const claim = view.claim.resource;
  const services = [...new Set((claim.item ?? []).map((item) => conceptText(item.productOrService, '')))].filter(
    Boolean,
  );
  return services.join('; ') || conceptText(claim.type, 'services');
}

function amountText(view: ClaimView): string {
  return (view.claim.ok && moneyText(view.claim.resource.total)) || '—';
}

/** The review's flags in a table cell: severity and kind of each, most severe first. */
function flagsText(view: ClaimView): string {
  if (!view.review) return '—';
  return view.review.flags.length
    ? view.review.flags.map((flag) => `${flag.severity} ${flag.kind}`).join(', ')
    : 'none';
}

/** The model's scores of the insurer's queue by claim number, or why the model was not run. */
interface QueueScores {
  readonly scores: ReadonlyMap<bigint, ScoredClaim>;
  readonly note?: string;
}

/**
 * Scores the reviewed claims of an insurer's queue with the claims model, on this machine, after
 * checking its file's SHA-256 against the chain's ModelRegistry. A model that cannot run (not
 * approved, no runtime) leaves the rules' review standing and says why.
 */
async function scoreQueue(chain: ChainContext, views: readonly ClaimView[]): Promise<QueueScores> {
  const reviewed = views.filter((view) => view.review);
  if (reviewed.length === 0) return { scores: new Map() };
  const approval = registryApproval(chain);
  try {
    const scored = await scoreClaims(
      reviewed.map((view) => view.review!),
      {
        backend: createNodeBackend(),
        loadModel: fileModelLoader,
        isApproved: async (sha256) => (await approval(sha256)).approved,
      },
    );
    return { scores: new Map(reviewed.map((view, i) => [view.claimId, scored[i]!])) };
  } catch (error) {
    return {
      scores: new Map(),
      note: `The claims model was not run (${describeError(error)}); flags are the rules' alone.`,
    };
  }
}

/** The combined rule and model score of a claim, as a percentage, or the rules' when the model did not run. */
function scoreText(view: ClaimView, scores: QueueScores): string {
  const scored = scores.scores.get(view.claimId);
  if (scored) return `${Math.round(scored.combinedScore * 100)}%`;
  return view.review ? `${Math.round(view.review.ruleScore * 100)}% (rules)` : '—';
}

/** The claims as a table, one row each, then the answer and dispute of each claim that has them. */
function claimsTable(views: readonly ClaimView[], party: ClaimParty, scores: QueueScores): string {
  const counterpart = (view: ClaimView) =>
    party === 'patient'
      ? `${short(view.ref.provider)} → ${short(view.ref.insurer)}`
      : party === 'provider'
        ? `${short(view.ref.patient)} → ${short(view.ref.insurer)}`
        : `${short(view.ref.patient)} by ${short(view.ref.provider)}`;
  const rows = views.map((view) => [
    `#${view.claimId}`,
    statusText(view),
    day(view.history[0]!.timestamp),
    counterpart(view),
    serviceText(view),
    amountText(view),
    ...(party === 'insurer' ? [scoreText(view, scores), flagsText(view)] : []),
  ]);
  const header = [
    'CLAIM',
    'STATUS',
    'FILED',
    party === 'patient' ? 'PROVIDER → INSURER' : party === 'provider' ? 'PATIENT → INSURER' : 'PATIENT BY PROVIDER',
    'SERVICE',
    'AMOUNT',
    ...(party === 'insurer' ? ['SCORE', 'FLAGS'] : []),
  ];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const notes = views.flatMap((view) => {
    const answer = view.answer;
    return [
      ...(answer
        ? [
            answer.ok
              ? `#${view.claimId} ${answer.resource.resourceType}: ${answerSummary(answer.resource)}`
              : `#${view.claimId} answer (record ${answer.recordId}) not readable: ${answer.error.message}`,
          ]
        : []),
      ...(view.disputed
        ? [`#${view.claimId} disputed by the patient: ${view.disputeReason ?? '(reasons not readable by this wallet)'}`]
        : []),
      ...(view.review?.flags ?? []).map(
        (flag) => `#${view.claimId} flag (${flag.severity}, ${flag.kind}): ${flag.message}`,
      ),
    ];
  });
  if (scores.note) notes.push(scores.note);
  return [line(header), ...rows.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** The insurer's answer in one line: its disposition and what it grants. */
function answerSummary(answer: ClaimAnswer): string {
  const benefit = answer.total?.find((total) =>
    total.category?.coding?.some((coding) => coding.code === 'benefit'),
  )?.amount;
  return [answer.disposition, benefit ? `benefit ${moneyText(benefit)}` : undefined].filter(Boolean).join(', ') || '—';
}

/** A claim as `claims --json` prints it (bigints as decimal strings). */
function claimJson(view: ClaimView, scored?: ScoredClaim) {
  const document = <T>(part: ClaimView['claim'] | ClaimView['answer'] | ClaimView['dispute']) =>
    part === undefined
      ? undefined
      : part.ok
        ? { recordId: part.recordId, resource: part.resource as T }
        : { recordId: part.recordId, error: part.error.message };
  return {
    claimId: view.claimId,
    status: view.status,
    disputed: view.disputed,
    patient: view.ref.patient,
    provider: view.ref.provider,
    insurer: view.ref.insurer,
    recordId: view.ref.recordId,
    ciphertextHash: view.ref.ciphertextHash,
    history: view.history,
    claim: document<Claim>(view.claim),
    ...(view.answer ? { answer: document<ClaimAnswer>(view.answer) } : {}),
    ...(view.dispute ? { dispute: document(view.dispute), disputeReason: view.disputeReason ?? null } : {}),
    ...(view.paymentReference ? { paymentReference: view.paymentReference } : {}),
    ...(view.review ? { flags: view.review.flags, ruleScore: view.review.ruleScore } : {}),
    ...(scored
      ? {
          modelScore: scored.modelScore,
          band: scored.band,
          combinedScore: scored.combinedScore,
          model: scored.model,
        }
      : {}),
  };
}

/** The claim commands. */
export function claimCommands(
  env: ClaimsCliEnv,
): Record<'claim submit' | 'claims' | 'claim adjudicate' | 'claim pay' | 'claim dispute', Command> {
  return {
    async 'claim submit'([target], values, io) {
      const patient = env.address(target, 'PATIENT');
      const insurer = env.address(text(values.insurer) || undefined, '--insurer');
      const recordId = recordIdOf(values.record);
      if (!values.claim && recordId === undefined) {
        throw new ValidationError([{ path: '--claim', message: 'name the FHIR Claim file' }]);
      }
      const claim =
        recordId === undefined ? ((await resourceFile(env, String(values.claim), '--claim')) as Claim) : { recordId };
      const vault = await env.vault('provider');
      let filed;
      try {
        filed = await submitClaim(vault, patient, insurer, claim, { onProgress: io.progress });
      } catch (error) {
        throw withRetryHint(error, `claim submit ${patient} --insurer ${insurer}`);
      }
      io.out(
        `Filed claim #${filed.ref.claimId} against ${insurer} for ${patient}; the encrypted Claim is record ` +
          `${filed.recordId}.`,
        { ...filed.ref, transactionHash: filed.transactionHash },
      );
    },

    async claims(_args, values, io) {
      const party = await partyOf(env, values.as);
      const vault = await vaultFor(env, party);
      const { claims, refused } = await listClaims(vault, { as: party, onProgress: io.progress });
      const scores: QueueScores = party === 'insurer' ? await scoreQueue(vault.chain, claims) : { scores: new Map() };
      const refusedText = refused.map((claim) => `\nClaim #${claim.claimId} was refused: ${claim.reason}`);
      io.out(
        (claims.length ? claimsTable(claims, party, scores) : `No claims for ${vault.chain.account} as ${party}.`) +
          refusedText.join(''),
        {
          as: party,
          claims: claims.map((view) => claimJson(view, scores.scores.get(view.claimId))),
          refused,
          ...(scores.note ? { modelNote: scores.note } : {}),
        },
      );
    },

    async 'claim adjudicate'([id], values, io) {
      const claimId = claimIdOf(id);
      const outcome = text(values.outcome);
      if (outcome !== 'approved' && outcome !== 'denied') {
        throw new ValidationError([{ path: '--outcome', message: 'use approved or denied' }]);
      }
      const recordId = recordIdOf(values.record);
      const given =
        values.response && recordId === undefined
          ? ((await resourceFile(env, String(values.response), '--response')) as ClaimAnswer)
          : undefined;
      const vault = await env.vault('provider');
      const view = await findClaim(vault, claimId, { as: 'insurer', onProgress: io.progress });
      let answer: ClaimAnswer | { recordId: bigint };
      if (recordId !== undefined) answer = { recordId };
      else if (given) answer = given;
      else if (view.claim.ok) {
        answer = explanationOfBenefitFor(view.claim.resource, view.ref, outcome, vault.chain.deployment.chainId);
      } else {
        throw new MedLedgerError(
          `Claim #${claimId} could not be opened (${view.claim.error.message}), so no answer can be drawn up ` +
            'from it; give one with --response.',
        );
      }
      let decided;
      try {
        decided = await adjudicateClaim(vault, view.ref, outcome, answer, { onProgress: io.progress });
      } catch (error) {
        throw withRetryHint(error, `claim adjudicate ${claimId} --outcome ${outcome}`);
      }
      io.out(
        `Claim #${claimId} ${outcome}; your encrypted answer is record ${decided.recordId} of ${view.ref.patient}.`,
        { claimId, outcome, recordId: decided.recordId, transactionHash: decided.transactionHash },
      );
    },

    async 'claim pay'([id], values, io) {
      const claimId = claimIdOf(id);
      const reference = text(values.reference);
      if (!reference) {
        throw new ValidationError([
          { path: '--reference', message: 'give the payment reference (e.g. the transfer id)' },
        ]);
      }
      const vault = await env.vault('provider');
      const view = await findClaim(vault, claimId, { as: 'insurer', logAccess: false, onProgress: io.progress });
      const paid = await payClaim(vault, view.ref, reference, { onProgress: io.progress });
      io.out(
        `Claim #${claimId} paid. Only a hash of the reference went on-chain (${paid.paymentReference}); ` +
          'the patient and the provider can check a reference they are told against it.',
        { claimId, paymentReference: paid.paymentReference, transactionHash: paid.transactionHash },
      );
    },

    async 'claim dispute'([id], values, io) {
      const claimId = claimIdOf(id);
      const reason = text(values.reason);
      const recordId = recordIdOf(values.record);
      if (!reason && recordId === undefined) {
        throw new ValidationError([{ path: '--reason', message: 'say why you dispute the decision' }]);
      }
      const vault = await env.vault('patient');
      const view = await findClaim(vault, claimId, { as: 'patient', onProgress: io.progress });
      let disputed;
      try {
        disputed = await disputeClaim(vault, view.ref, recordId === undefined ? reason : { recordId }, {
          onProgress: io.progress,
        });
      } catch (error) {
        throw withRetryHint(error, `claim dispute ${claimId}`);
      }
      io.out(
        `Disputed claim #${claimId}; your encrypted reasons are record ${disputed.recordId}, readable by the ` +
          'insurer and the billing provider.',
        { claimId, recordId: disputed.recordId, transactionHash: disputed.transactionHash },
      );
    },
  };
}
