/**
 * The patient's side of SMART Health Links, the same in the web app and the CLI: read the chosen
 * categories through lib/records, encrypt them as one Bundle under a fresh key, hand the server only
 * the ciphertext with a signed request, and give the patient the `shlink:/` link (the only place the
 * key is). Plus list and revoke, signed the same way, and {@link openHealthLink}, a receiver that
 * follows the spec (for tests and our own viewer).
 */
import type { Bundle } from '@medplum/fhirtypes';

import { CATEGORY_ORDER, RECORD_CATEGORIES, type RecordCategoryName } from '../chain/categories';
import type { ChainContext } from '../chain';
import { AccessDeniedError, MedLedgerError, NotFoundError, ValidationError } from '../errors';
import { stringifyJson } from '../fhir/json';
import { exportBundleRecords } from '../records/bundle';
import { readProfile } from '../records/profile';
import type { ProgressListener } from '../records/progress';
import { type Vault, actorOf } from '../records/vault';
import { decryptJwe, encryptJwe } from './jwe';
import { FHIR_JSON, type Manifest, type ManifestRequest } from './manifest';
import {
  MAX_LABEL_LENGTH,
  SHL_VERSION,
  type ShlPayload,
  decodeShlink,
  encodeShlink,
  flagsOf,
  manifestUrl,
  random256,
  randomLinkId,
} from './payload';
import { ALL_LINKS, type OwnerAction, signOwnerRequest } from './signed-request';
import type { CreateLinkParams, LinkSummary } from './types';

/**
 * The categories a link can share, in display order. Documents are left out: their files are encrypted under the
 * record's own keys on IPFS, which a receiver of the link cannot open.
 */
export const SHAREABLE_CATEGORIES: readonly RecordCategoryName[] = CATEGORY_ORDER.map(({ name }) => name).filter(
  (name) => name !== 'document',
);

/**
 * Category names as the CLI takes them: `allergy,medication` or `all`.
 *
 * @throws {@link ValidationError} naming every part that is not a shareable category
 */
export function parseShareCategories(text: string): RecordCategoryName[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.includes('all')) return [...SHAREABLE_CATEGORIES];
  const unknown = parts.filter((part) => !(SHAREABLE_CATEGORIES as readonly string[]).includes(part));
  if (parts.length === 0 || unknown.length > 0) {
    throw new ValidationError(
      [
        {
          path: '--categories',
          message: `${unknown.length ? `"${unknown.join('", "')}" cannot be shared; ` : ''}use ${SHAREABLE_CATEGORIES.join('|')} or all, comma-separated`,
        },
      ],
      'Invalid categories',
    );
  }
  return [...new Set(parts)] as RecordCategoryName[];
}

export interface CreateLinkOptions {
  /** The app's origin: the manifest URL is served there. */
  readonly appUrl: string;
  readonly categories: readonly RecordCategoryName[];
  /** Unix seconds. */
  readonly exp: number;
  readonly passcode?: string;
  readonly label?: string;
  readonly onProgress?: ProgressListener;
}

export interface CreatedLink {
  /** The `shlink:/…` text (QR code content). */
  readonly link: string;
  readonly payload: ShlPayload;
  /** The resources the Bundle holds. */
  readonly resources: number;
  /** Records of those categories that could not be opened (left out). */
  readonly unreadable: number;
  readonly summary: LinkSummary;
}

async function answerOf<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (response.ok) return body as T;
  const message = body.error ?? `The app answered ${response.status} ${response.statusText}.`;
  if (response.status === 400) throw new ValidationError([{ path: 'request', message }], 'The app refused the request');
  if (response.status === 401 || response.status === 403) throw new AccessDeniedError(message);
  if (response.status === 404) throw new NotFoundError(message);
  throw new MedLedgerError(message);
}

async function ownerCall<T>(
  chain: ChainContext,
  appUrl: string,
  action: OwnerAction,
  link: string,
  params: object,
): Promise<T> {
  const request = await signOwnerRequest(chain, action, link, params);
  let response: Response;
  try {
    response = await fetch(new URL('/api/shl', appUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (error) {
    throw new MedLedgerError(`The app at ${new URL(appUrl).origin} does not answer.`, { cause: error });
  }
  return answerOf<T>(response);
}

/**
 * Makes a SMART Health Link to the patient's records of `categories`.
 *
 * @param vault - the patient's vault (the records are read and decrypted here, never on the server)
 * @throws {@link ValidationError} when nothing of those categories is on record, or an option is wrong
 */
export async function createHealthLink(vault: Vault, options: CreateLinkOptions): Promise<CreatedLink> {
  const label = options.label?.trim() || undefined;
  if (label && label.length > MAX_LABEL_LENGTH) {
    throw new ValidationError([{ path: 'label', message: `at most ${MAX_LABEL_LENGTH} characters` }]);
  }
  const patient = actorOf(vault);
  const codes = options.categories.map((name) => RECORD_CATEGORIES[name]);
  const { bundle, unreadable } = await exportBundleRecords(vault, patient, {
    categories: codes,
    onProgress: options.onProgress,
  });
  const entries = [...(bundle.entry ?? [])];
  // The registration profile is not one of the records: add it when the profile is shared and no
  // imported Patient record stands for it.
  if (options.categories.includes('profile') && !entries.some((entry) => entry.resource?.resourceType === 'Patient')) {
    const profile = await readProfile(vault, patient).catch(() => undefined);
    if (profile) entries.unshift({ resource: profile.resource });
  }
  const resources = entries.length;
  if (resources === 0) {
    throw new ValidationError(
      [{ path: 'categories', message: 'you have no readable records of these categories' }],
      'Nothing to share',
    );
  }
  options.onProgress?.({ step: 'encrypt' });
  const key = random256();
  const id = randomLinkId();
  const shared: Bundle = { ...bundle, timestamp: new Date().toISOString(), entry: entries };
  const jwe = await encryptJwe(new TextEncoder().encode(stringifyJson(shared)), key, { cty: FHIR_JSON, zip: true });
  const params: CreateLinkParams = {
    exp: options.exp,
    categories: options.categories,
    jwe,
    ...(label ? { label } : {}),
    ...(options.passcode ? { passcode: options.passcode } : {}),
  };
  options.onProgress?.({ step: 'sign' });
  const { link: summary } = await ownerCall<{ link: LinkSummary }>(vault.chain, options.appUrl, 'create', id, params);
  const payload: ShlPayload = {
    url: manifestUrl(options.appUrl, id),
    key,
    exp: options.exp,
    flag: flagsOf({ passcode: Boolean(options.passcode) }),
    label,
    v: SHL_VERSION,
  };
  options.onProgress?.({ step: 'done' });
  return { link: encodeShlink(payload), payload, resources, unreadable, summary };
}

/** The owner's links with their accesses, newest first. */
export async function listHealthLinks(chain: ChainContext, appUrl: string): Promise<LinkSummary[]> {
  return (await ownerCall<{ links: LinkSummary[] }>(chain, appUrl, 'list', ALL_LINKS, {})).links;
}

/** Revokes one of the owner's links: its manifest answers 404 from now on and its file is deleted. */
export async function revokeHealthLink(chain: ChainContext, appUrl: string, id: string): Promise<void> {
  await ownerCall(chain, appUrl, 'revoke', id, {});
}

/** What a receiver got from a link: each file's content type and decrypted JSON. */
export interface OpenedLink {
  readonly payload: ShlPayload;
  readonly files: readonly { contentType: string; content: unknown }[];
}

/**
 * Opens a link as a conformant receiver does: decode, POST the manifest request, fetch `location`
 * files, decrypt each JWE with the link key.
 *
 * @param link - `shlink:/…` or a viewer URL holding one
 * @param request - the recipient, and the passcode for a `P` link
 * @throws {@link AccessDeniedError} for a wrong passcode (its message says how many attempts are left);
 *   {@link NotFoundError} when the link is no longer active
 */
export async function openHealthLink(
  link: string,
  request: Omit<ManifestRequest, 'passcode'> & { passcode?: string },
): Promise<OpenedLink> {
  const payload = decodeShlink(link);
  const response = await fetch(payload.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (response.status === 401) {
    const { remainingAttempts } = (await response.json()) as { remainingAttempts: number };
    throw new AccessDeniedError(
      `${request.passcode === undefined ? 'This link needs a passcode' : 'Wrong passcode'}; ${remainingAttempts} attempt(s) left.`,
    );
  }
  const manifest = await answerOf<Manifest>(response);
  const files = await Promise.all(
    manifest.files.map(async (file) => {
      const jwe = 'embedded' in file ? file.embedded : await fetch(file.location).then((answer) => answerText(answer));
      const { plaintext } = await decryptJwe(jwe, payload.key);
      return { contentType: file.contentType, content: JSON.parse(new TextDecoder().decode(plaintext)) as unknown };
    }),
  );
  return { payload, files };
}

async function answerText(response: Response): Promise<string> {
  if (!response.ok) throw new NotFoundError(`The file URL answered ${response.status}.`);
  return response.text();
}
