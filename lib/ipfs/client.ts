/**
 * The one way MedLedger reaches IPFS: a `kubo-rpc-client` pointed at an RPC API URL, so the embedded
 * node, a Kubo daemon and an IPFS Cluster proxy are interchangeable. Failures come back as
 * MedLedger errors that say which node and which operation.
 */
import { create, type KuboRPCClient } from 'kubo-rpc-client';
import { MedLedgerError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors';

export type { KuboRPCClient } from 'kubo-rpc-client';

/**
 * Creates an RPC client for the IPFS node at `apiUrl`.
 *
 * @param apiUrl - Base URL of a Kubo-compatible RPC API, e.g. `http://127.0.0.1:5001`.
 */
export function createIpfsClient(apiUrl: string): KuboRPCClient {
  return create({ url: apiUrl });
}

/** Human-readable `protocol//host:port` of the node a client talks to, for error messages. */
function nodeAddress(client: KuboRPCClient): string {
  const { protocol, host, port } = client.getEndpointConfig();
  return `${protocol}//${host}${port === '' ? '' : `:${port}`}`;
}

/** `kubo-rpc-client` does not export its `HTTPError`, so recognise it by shape. */
function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'HTTPError' || !('response' in error)) return undefined;
  const { response } = error as { response: unknown };
  return response instanceof Response ? response.status : undefined;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Innermost cause message, e.g. `connect ECONNREFUSED 127.0.0.1:5001` under `fetch failed`. */
function rootCauseMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * Turns a failure of an RPC call into a MedLedger error: content the node does not have becomes
 * {@link NotFoundError}, an upload it refuses as too large becomes {@link ValidationError}, anything
 * else (refused connection, timeout, server error) {@link ServiceUnavailableError}. Aborts by the
 * caller and errors that are already MedLedger errors pass through unchanged.
 *
 * @param client - The client that made the call (names the node in the message).
 * @param operation - What was attempted, e.g. `cat bafk…`.
 * @param error - What the call threw.
 */
export function toIpfsError(client: KuboRPCClient, operation: string, error: unknown): unknown {
  if (error instanceof MedLedgerError || isAbort(error)) return error;
  const node = nodeAddress(client);
  const status = httpStatusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 413) {
    return new ValidationError([{ path: 'content', message }], `IPFS node ${node} refused to ${operation}`);
  }
  if (status !== undefined && /not found|could not find/i.test(message)) {
    return new NotFoundError(`IPFS node ${node} does not have the content (${operation}): ${message}`, {
      cause: error,
    });
  }
  if (status !== undefined) {
    return new ServiceUnavailableError(`IPFS node ${node} failed to ${operation} (HTTP ${status}): ${message}`, {
      cause: error,
    });
  }
  return new ServiceUnavailableError(
    `IPFS node ${node} could not be reached to ${operation}: ${rootCauseMessage(error)}`,
    { cause: error },
  );
}
