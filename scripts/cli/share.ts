/**
 * SMART Health Links from the command line, made by lib/shl exactly as the web app's Share screen
 * makes them, through the app's API at `MEDLEDGER_APP_URL` (default http://127.0.0.1:3000):
 *   share create --categories allergy,medication|all --expires 7d [--passcode TEXT] [--label TEXT]
 *   share list
 *   share revoke ID
 * The records are read and encrypted here; the app stores only the ciphertext and never sees the key.
 */
import { toString as qrText } from 'qrcode';

import type { ChainContext } from '../../lib/chain';
import { categoryLabel, RECORD_CATEGORIES, type RecordCategoryName } from '../../lib/chain/categories';
import { ValidationError } from '../../lib/errors';
import type { ProgressListener } from '../../lib/records/progress';
import type { Vault } from '../../lib/records/vault';
import {
  type LinkSummary,
  createHealthLink,
  listHealthLinks,
  parseShareCategories,
  revokeHealthLink,
} from '../../lib/shl';
import { parseExpiry } from './args';

/** Where the web app (and so the manifest URL) is served when `MEDLEDGER_APP_URL` does not say. */
export const DEFAULT_APP_URL = 'http://127.0.0.1:3000';

export interface ShareCliEnv {
  vault(role: 'patient' | 'provider'): Promise<Vault>;
  chain(): Promise<ChainContext>;
}

type Values = Record<string, string | boolean | undefined>;
type Output = { json: boolean; out(human: string, data: unknown): void; progress: ProgressListener };
type Command = (positionals: string[], values: Values, io: Output) => Promise<void>;

/** The app's origin from `MEDLEDGER_APP_URL`. */
export function appUrl(env: NodeJS.ProcessEnv = process.env): string {
  const text = env.MEDLEDGER_APP_URL || DEFAULT_APP_URL;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // Reported below with the setting's name.
  }
  throw new ValidationError([{ path: 'MEDLEDGER_APP_URL', message: `"${text}" is not an http(s) URL` }]);
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

const labels = (names: readonly string[]) =>
  names.map((name) => categoryLabel(RECORD_CATEGORIES[name as RecordCategoryName] ?? -1)).join(', ');

/** One line per link, then one per access. */
function linkLines(link: LinkSummary): string {
  const what = `${link.label ? `"${link.label}" ` : ''}${labels(link.categories)}`;
  const guard = link.passcode ? `, passcode (${link.remainingAttempts} attempts left)` : '';
  const head = `${link.id} ${link.status.padEnd(8)} ${what}; made ${iso(link.createdAt)}, expires ${iso(link.exp)}${guard}`;
  const accesses = link.accesses.map(
    (access) =>
      `    ${access.time} ${access.recipient}${access.outcome === 'served' ? '' : ` (${access.outcome.replace('-', ' ')})`}`,
  );
  return [head, ...(accesses.length ? accesses : ['    not opened yet'])].join('\n');
}

/** The `share create`, `share list` and `share revoke` commands. */
export function shareCommands(env: ShareCliEnv): Record<'share create' | 'share list' | 'share revoke', Command> {
  return {
    async 'share create'(_args, values, io) {
      const categories = parseShareCategories(String(values.categories ?? ''));
      const exp = parseExpiry(String(values.expires ?? '7d'));
      const passcode = values.passcode === undefined ? undefined : String(values.passcode);
      if (passcode !== undefined && passcode.length < 4) {
        throw new ValidationError([{ path: '--passcode', message: 'at least 4 characters' }]);
      }
      const url = appUrl();
      const vault = await env.vault('patient');
      const created = await createHealthLink(vault, {
        appUrl: url,
        categories,
        exp,
        passcode,
        label: values.label === undefined ? undefined : String(values.label),
        onProgress: io.progress,
      });
      const qr = io.json ? '' : `\n${await qrText(created.link, { type: 'utf8', errorCorrectionLevel: 'M' })}`;
      io.out(
        `${created.link}\n` +
          `Shares ${created.resources} resource(s) of ${labels(categories)} until ${iso(exp)}` +
          `${passcode ? '; the receiver needs the passcode, tell it to them separately' : ''}. ` +
          `Link id ${created.summary.id}: see who opened it with \`share list\`, end it with \`share revoke ${created.summary.id}\`.` +
          `${created.unreadable ? `\n${created.unreadable} record(s) could not be opened and were left out.` : ''}${qr}`,
        {
          link: created.link,
          id: created.summary.id,
          manifestUrl: created.payload.url,
          categories,
          exp,
          passcode: Boolean(passcode),
          label: created.payload.label,
          resources: created.resources,
          unreadable: created.unreadable,
        },
      );
    },

    async 'share list'(_args, _values, io) {
      const links = await listHealthLinks(await env.chain(), appUrl());
      io.out(links.map(linkLines).join('\n') || 'No SMART Health Links yet.', links);
    },

    async 'share revoke'([id], _values, io) {
      if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) {
        throw new ValidationError([{ path: 'ID', message: 'name the link id (43 characters, see `share list`)' }]);
      }
      await revokeHealthLink(await env.chain(), appUrl(), id);
      io.out(
        `Revoked ${id}: its manifest answers "not found" from now on and the server deleted its encrypted file. ` +
          'What a receiver already downloaded cannot be recalled.',
        { revoked: id },
      );
    },
  };
}
