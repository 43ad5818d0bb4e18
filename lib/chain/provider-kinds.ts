/**
 * Provider kinds: the small codes the contract stores for a provider (`IProviderRegistry.ProviderKind`),
 * their names (the CLI's `--kind`) and their labels (the web app). Defined once here; code 0 means
 * "not a registered provider".
 */
import { ValidationError } from '../errors';

/** Kind names by on-chain code: index 0 is "not a provider". */
export const PROVIDER_KINDS = ['none', 'doctor', 'lab', 'insurer'] as const;

export type ProviderKind = (typeof PROVIDER_KINDS)[number];
/** The kinds an admin can register. */
export type RegisteredProviderKind = Exclude<ProviderKind, 'none'>;

/** What people call each kind. */
export const PROVIDER_KIND_LABELS: Readonly<Record<ProviderKind, string>> = {
  none: 'Provider',
  doctor: 'Doctor',
  lab: 'Laboratory',
  insurer: 'Insurer',
};

/** The kinds an admin can register, with code and label, in the order forms list them. */
export const REGISTERED_PROVIDER_KINDS: readonly { code: number; kind: RegisteredProviderKind; label: string }[] =
  PROVIDER_KINDS.flatMap((kind, code) => (kind === 'none' ? [] : [{ code, kind, label: PROVIDER_KIND_LABELS[kind] }]));

/**
 * The kind of an on-chain code.
 *
 * @param code - `providerInfo(…).kind`
 * @returns its name; `none` for 0 and for codes this client does not know
 */
export function providerKindOf(code: number): ProviderKind {
  return PROVIDER_KINDS[code] ?? 'none';
}

/** The label of an on-chain code, e.g. 2 → "Laboratory"; unknown codes say their number. */
export function providerKindLabel(code: number): string {
  return code >= 0 && code < PROVIDER_KINDS.length ? PROVIDER_KIND_LABELS[PROVIDER_KINDS[code]!] : `Kind ${code}`;
}

/**
 * The on-chain code of a kind named in text, e.g. the CLI's `--kind lab` → 2.
 *
 * @throws {@link ValidationError} naming the kinds there are
 */
export function parseProviderKind(text: string): number {
  const code = PROVIDER_KINDS.indexOf(text as ProviderKind);
  if (code <= 0) {
    const names = REGISTERED_PROVIDER_KINDS.map(({ kind }) => kind);
    throw new ValidationError([{ path: '--kind', message: `use ${names.slice(0, -1).join(', ')} or ${names.at(-1)}` }]);
  }
  return code;
}
