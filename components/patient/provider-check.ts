import { type Address, getAddress, isAddress } from 'viem';

import { decodeScopes } from '../../lib/chain/categories';
import { readMedLedger } from '../../lib/chain/medledger';
import type { Vault } from '../../lib/records/vault';

/**
 * Checks, before anything is signed, that `input` is a registered, active provider that can receive
 * keys for `scopes`, and says in a sentence what to do when it is not. Returns the checksummed address.
 *
 * @param labelOf - how sentences name a provider (its directory name); the address by default
 */
export async function checkProvider(
  vault: Vault,
  input: string,
  scopes: bigint,
  labelOf: (provider: Address) => string = (provider) => provider,
): Promise<{ provider: Address } | { problem: string }> {
  const trimmed = input.trim();
  if (!isAddress(trimmed, { strict: false })) {
    return {
      problem:
        'That is not an Ethereum address. It starts with 0x followed by 40 letters and digits; copy it from the provider.',
    };
  }
  const provider = getAddress(trimmed);
  if (provider.toLowerCase() === vault.chain.account?.toLowerCase())
    return { problem: 'That is your own address; enter the provider’s address.' };
  if (scopes === 0n) return { problem: 'Choose at least one kind of record to share (Read or Write).' };
  const info = await readMedLedger(vault.chain, 'providerInfo', [provider]);
  if (info.kind === 0) {
    return {
      problem: `${provider} is not a registered provider. Ask them for the address shown on their MedLedger dashboard.`,
    };
  }
  if (info.suspended)
    return { problem: `${labelOf(provider)} is suspended by the administrator and cannot be given access.` };
  if (decodeScopes(scopes).read.length > 0 && /^0x0*$/.test(info.encryptionKey)) {
    return {
      problem: `${labelOf(provider)} has not published an encryption key yet, so nothing can be shared with it. Ask them to finish onboarding.`,
    };
  }
  return { provider };
}
