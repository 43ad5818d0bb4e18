/**
 * The provider directory from the command line, through lib/records/directory exactly as the web app's
 * admin screen and directory picker use it:
 *   provider register ADDRESS --kind doctor|lab|insurer --name TEXT [--specialty TEXT]
 *                     [--organization TEXT] [--identifier SYSTEM|VALUE] [--credential TEXT]   (admin)
 *   provider profile ADDRESS --name TEXT [...]                                                  (admin)
 *   providers                                                         every provider and its standing
 * Registering publishes the profile right after the registration: two transactions.
 */
import { type Address, keccak256, toHex } from 'viem';

import {
  type ChainContext,
  PROVIDER_KINDS,
  parseProviderKind,
  providerKindOf,
  readMedLedger,
  writeMedLedger,
} from '../../lib/chain';
import { MedLedgerError, NotFoundError, ValidationError, type ValidationIssue, describeError } from '../../lib/errors';
import type { KuboRPCClient } from '../../lib/ipfs';
import {
  type DirectoryEntry,
  type ProviderProfile,
  identifierText,
  parseIdentifier,
  profileBundle,
  profileTypeOf,
  providerDirectory,
  providerName,
  publishProviderProfile,
} from '../../lib/records/directory';

/** What the provider commands need from the CLI. */
export interface ProviderCliEnv {
  /** The chain as the acting wallet (MEDLEDGER_PRIVATE_KEY). */
  chain(): Promise<ChainContext>;
  /** The chain to read from; no wallet needed. */
  readChain(): Promise<ChainContext>;
  ipfs(): KuboRPCClient;
  address(value: string | undefined, what: string): Address;
}

type Values = Record<string, string | boolean | undefined>;
type Output = { out(human: string, data: unknown): void };
type Command = (positionals: string[], values: Values, io: Output) => Promise<void>;

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value.trim() : '');

/**
 * The profile the options describe for a provider of `kind`, checked whole before anything is sent.
 *
 * @throws {@link ValidationError} naming each option that is missing or wrong
 */
function profileFromOptions(values: Values, kind: number): ProviderProfile {
  const type = profileTypeOf(kind);
  const issues: ValidationIssue[] = [];
  const name = text(values.name);
  if (!name) issues.push({ path: '--name', message: 'is required: the name patients find the provider by' });
  const organization = text(values.organization);
  if (organization && type === 'Organization') {
    issues.push({
      path: '--organization',
      message: `is for a doctor; a ${providerKindOf(kind)} is an organisation itself, named by --name`,
    });
  }
  let identifier: ProviderProfile['identifier'];
  if (text(values.identifier)) {
    try {
      identifier = parseIdentifier(text(values.identifier), '--identifier');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, 'The provider profile is incomplete');
  const specialty = text(values.specialty);
  const profile: ProviderProfile = {
    name,
    type,
    ...(specialty ? { specialty } : {}),
    ...(organization ? { organization } : {}),
    ...(identifier ? { identifier } : {}),
  };
  profileBundle(profile);
  return profile;
}

/** A directory entry as `providers --json` prints it. */
function entryJson(entry: DirectoryEntry) {
  return {
    address: entry.provider,
    name: entry.profile?.name ?? null,
    kind: PROVIDER_KINDS[entry.kind] ?? `kind ${entry.kind}`,
    type: entry.profile?.type ?? null,
    specialty: entry.profile?.specialty ?? null,
    organization: entry.profile?.organization ?? null,
    identifier: entry.profile?.identifier ?? null,
    suspended: entry.suspended,
    hasKey: entry.hasKey,
    registeredAt: new Date(entry.registeredAt * 1000).toISOString(),
    ...(entry.profileError ? { profileError: entry.profileError } : {}),
  };
}

/** Two lines per provider: who it is, then its address and standing. */
function entryLines(entry: DirectoryEntry): string {
  const kind = PROVIDER_KINDS[entry.kind] ?? `kind ${entry.kind}`;
  const about = entry.profile
    ? [
        kind,
        entry.profile.specialty,
        entry.profile.organization,
        entry.profile.identifier && identifierText(entry.profile.identifier),
      ]
    : [kind];
  const who = entry.profile
    ? providerName(entry)
    : entry.profileError
      ? `(profile not shown: ${entry.profileError})`
      : '(no profile published)';
  const standing = [
    entry.suspended ? 'SUSPENDED' : 'active',
    entry.hasKey ? 'key published' : 'no encryption key yet',
  ].join(', ');
  return `${who} — ${about.filter(Boolean).join(', ')}\n  ${entry.provider}  ${standing}`;
}

/**
 * The `provider register`, `provider profile` and `providers` commands.
 *
 * @param env - the acting wallet's chain, a read-only chain, the IPFS node and address parsing
 */
export function providerCommands(
  env: ProviderCliEnv,
): Record<'provider register' | 'provider profile' | 'providers', Command> {
  return {
    async 'provider register'([target], values, io) {
      const provider = env.address(target, 'ADDRESS');
      const kind = parseProviderKind(text(values.kind));
      const profile = profileFromOptions(values, kind);
      const chain = await env.chain();
      const credentialHash = keccak256(toHex(text(values.credential) || `${values.kind}:${provider}`));
      await writeMedLedger(chain, 'registerProvider', [provider, kind, credentialHash]);
      let profileCid: string;
      try {
        profileCid = await publishProviderProfile({ chain, ipfs: env.ipfs() }, provider, profile);
      } catch (error) {
        throw new MedLedgerError(
          `Registered ${provider} as a ${values.kind}, but its profile was not published: ${describeError(error)} ` +
            `Publish it with \`medledger provider profile ${provider} --name …\`.`,
        );
      }
      io.out(`Registered ${profile.name} (${provider}) as a ${values.kind}; profile ${profileCid}.`, {
        provider,
        kind: values.kind,
        credentialHash,
        profileCid,
        profile,
      });
    },

    async 'provider profile'([target], values, io) {
      const provider = env.address(target, 'ADDRESS');
      const chain = await env.chain();
      const { kind } = await readMedLedger(chain, 'providerInfo', [provider]);
      if (kind === 0) {
        throw new NotFoundError(
          `${provider} is not a registered provider; register it with \`medledger provider register\` first.`,
        );
      }
      const profile = profileFromOptions(values, kind);
      const profileCid = await publishProviderProfile({ chain, ipfs: env.ipfs() }, provider, profile);
      io.out(`Published the profile of ${profile.name} (${provider}): ${profileCid}.`, {
        provider,
        profileCid,
        profile,
      });
    },

    async providers(_args, _values, io) {
      const entries = await providerDirectory(await env.readChain(), env.ipfs());
      const suspended = entries.filter((entry) => entry.suspended).length;
      const human =
        entries.length === 0
          ? 'No providers are registered.'
          : `${entries.map(entryLines).join('\n')}\n${entries.length} provider${entries.length === 1 ? '' : 's'}` +
            (suspended > 0 ? `, ${suspended} suspended.` : '.');
      io.out(human, { providers: entries.map(entryJson) });
    },
  };
}
