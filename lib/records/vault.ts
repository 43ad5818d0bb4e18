import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import { CID } from 'multiformats/cid';
import { type Address, type Hex, bytesToHex, hexToBytes } from 'viem';

import type { ChainContext } from '../chain';
import { type IdentityKey, sha256Digest } from '../crypto';
import { AccessDeniedError, IntegrityError } from '../errors';
import { parseJson, stringifyJson } from '../fhir/json';
import type { BlobCache, KuboRPCClient } from '../ipfs';
import type { ReadLog } from './read-log';

/**
 * What every record operation needs: the chain (with the acting wallet), the IPFS node, and the acting
 * account's identity key (derived from its wallet signature, see lib/crypto). A long-lived client (the
 * browser tab) adds a blob cache, so content read once is not fetched again, and a read log, so a
 * provider's reading session logs each record once.
 */
export interface Vault {
  readonly chain: ChainContext;
  readonly ipfs: KuboRPCClient;
  readonly identity: IdentityKey;
  readonly cache?: BlobCache;
  readonly readLog?: ReadLog;
}

/** The acting account, or an error saying a wallet is needed. */
export function actorOf(vault: Vault): Address {
  const account = vault.chain.account;
  if (!account) throw new AccessDeniedError('Connect a wallet first.');
  return account;
}

/** What a record envelope holds: one FHIR resource and, when it came from a Bundle, its entry fields. */
export interface RecordPayload {
  readonly resource: Resource;
  /** The Bundle entry without its resource (fullUrl …) so an export references resolve again. */
  readonly entry?: Omit<BundleEntry, 'resource'>;
}

/** CID string → the bytes anchored on-chain. */
export function cidToBytes(cid: string): Hex {
  return bytesToHex(CID.parse(cid).bytes);
}

/** On-chain CID bytes → CID string; malformed bytes are an integrity failure of the chain data. */
export function cidFromBytes(bytes: Hex): string {
  try {
    return CID.decode(hexToBytes(bytes)).toString();
  } catch (error) {
    throw new IntegrityError(`The chain holds a malformed CID (${bytes}).`, { cause: error });
  }
}

/** SHA-256 of `bytes` as 0x-hex, the form anchored on-chain. */
export async function sha256Hex(bytes: Uint8Array): Promise<Hex> {
  return bytesToHex(await sha256Digest(bytes));
}

/**
 * Encodes a payload for encryption: UTF-8 JSON, each number written with the text it was imported
 * with (a FHIR decimal's precision is part of its value). The text is still plain JSON, so payloads
 * written before numbers kept their text decode the same way, and a reader that parses with
 * `JSON.parse` sees the same numbers.
 */
export function encodePayload(payload: RecordPayload): Uint8Array {
  return new TextEncoder().encode(stringifyJson(payload));
}

/**
 * Decodes a decrypted payload, keeping each number's text for an export (see `parseJson`); anything
 * that is not a payload is an integrity failure.
 */
export function decodePayload(plaintext: Uint8Array): RecordPayload {
  let parsed: unknown;
  try {
    parsed = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(plaintext), 'record payload');
  } catch (error) {
    throw new IntegrityError('A decrypted record is not valid JSON.', { cause: error });
  }
  const resource = (parsed as { resource?: { resourceType?: unknown } } | null)?.resource;
  if (typeof resource?.resourceType !== 'string')
    throw new IntegrityError('A decrypted record holds no FHIR resource.');
  return parsed as RecordPayload;
}
