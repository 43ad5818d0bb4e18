/**
 * Consent links from the command line, made and read by lib/records/consent-link exactly as the web
 * app's "share by link / QR" and /consent page do:
 *   consent-link PROVIDER --scopes … --expires 30d [--valid 1d] [--origin URL]   (patient)
 *   consent-submit URL_OR_FRAGMENT                                                (provider)
 * The patient signs (no transaction, no fee) and hands the printed link over; the provider submits it
 * and pays, and then holds the access.
 */
import type { Address } from 'viem';

import { describeScopes } from '../../lib/chain';
import { ValidationError } from '../../lib/errors';
import { createConsentLink, submitConsentLink } from '../../lib/records/consent-link';
import type { Vault } from '../../lib/records/vault';
import { parseExpiry, parseScopes } from './args';

/** Where the web app is served when neither `--origin` nor `MEDLEDGER_PUBLIC_ORIGIN` says (`npm start`). */
export const DEFAULT_APP_ORIGIN = 'http://127.0.0.1:3000';

/** What the consent commands need from the CLI: the acting wallet's vault and address parsing. */
export interface ConsentCliEnv {
  vault(role: 'patient' | 'provider'): Promise<Vault>;
  address(value: string | undefined, what: string): Address;
}

type Values = Record<string, string | boolean | undefined>;
type Output = { out(human: string, data: unknown): void };
type Command = (positionals: string[], values: Values, io: Output) => Promise<void>;

/**
 * The origin consent links point at: `--origin`, else the first of `MEDLEDGER_PUBLIC_ORIGIN` (the
 * origins the app is served under), else the local app.
 */
export function appOrigin(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.MEDLEDGER_PUBLIC_ORIGIN?.split(',')
    .map((entry) => entry.trim())
    .find(Boolean);
  const origin = option ?? configured ?? DEFAULT_APP_ORIGIN;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new ValidationError([{ path: '--origin', message: `"${origin}" is not a URL like https://records.example` }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError([{ path: '--origin', message: `"${origin}" is not an http(s) origin` }]);
  }
  return url.origin;
}

const iso = (unixSeconds: number | bigint) => new Date(Number(unixSeconds) * 1000).toISOString();

/**
 * The `consent-link` and `consent-submit` commands.
 *
 * @param env - how to get the acting wallet's vault and parse addresses
 */
export function consentCommands(env: ConsentCliEnv): Record<'consent-link' | 'consent-submit', Command> {
  return {
    async 'consent-link'([target], values, io) {
      const provider = env.address(target, 'PROVIDER');
      const scopes = parseScopes(String(values.scopes ?? ''));
      const now = Date.now();
      const expiry = parseExpiry(String(values.expires ?? '30d'), now);
      const deadline = parseExpiry(String(values.valid ?? '1d'), now, '--valid');
      const origin = appOrigin(values.origin as string | undefined);
      const vault = await env.vault('patient');
      const { link, consent } = await createConsentLink(vault, { provider, scopes, expiry }, { deadline, origin });
      io.out(
        `${link}\n` +
          `Grants ${provider} ${describeScopes(scopes)} until ${iso(expiry)}. The provider can submit it once, ` +
          `until ${iso(deadline)} (medledger consent-submit, or by opening the link).`,
        { link, patient: consent.patient, provider, scopes, expiry, deadline, nonce: consent.nonce },
      );
    },

    async 'consent-submit'([link], _values, io) {
      if (!link) throw new ValidationError([{ path: 'URL_OR_FRAGMENT', message: 'paste the consent link' }]);
      const vault = await env.vault('provider');
      const consent = await submitConsentLink(vault, link);
      io.out(
        `Submitted the consent of ${consent.patient}: ${describeScopes(consent.scopes)} until ${iso(consent.expiry)}.`,
        { patient: consent.patient, provider: consent.provider, scopes: consent.scopes, expiry: consent.expiry },
      );
    },
  };
}
