/**
 * HTTP plumbing shared by the RPC API and the gateway: Kubo-shaped errors and small response helpers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Kubo's error categories (go-ipfs-cmds `ErrorType`), sent as `Code` in error bodies.
 */
export const KuboErrorCode = {
  /** Something failed while doing what was asked. */
  normal: 0,
  /** The request itself is wrong (bad argument, unsupported option, too large). */
  client: 1,
  /** The request is not allowed (e.g. a browser origin calling the RPC API). */
  forbidden: 4,
} as const;

/** A failure to report to an RPC client as Kubo does: `{Message, Code, Type: "error"}` with a status. */
export class KuboApiError extends Error {
  override name = 'KuboApiError';

  constructor(
    message: string,
    readonly status: number,
    readonly code: (typeof KuboErrorCode)[keyof typeof KuboErrorCode],
  ) {
    super(message);
  }
}

/** A malformed or unsupported request (HTTP 400, Kubo client error). */
export function badRequest(message: string): KuboApiError {
  return new KuboApiError(message, 400, KuboErrorCode.client);
}

/**
 * Reads a boolean query parameter the way go-ipfs-cmds does (`strconv.ParseBool`; a bare flag is true).
 *
 * @throws {@link KuboApiError} (400) for any other value.
 */
export function booleanParam(search: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = search.get(name);
  if (value === null) return fallback;
  if (['', '1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw badRequest(`invalid value ${JSON.stringify(value)} for boolean option "${name}"`);
}

/** Writes a JSON body with Kubo's headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Answers with a Kubo error body; anything that is not a {@link KuboApiError} is an internal failure
 * (HTTP 500, code 0) whose message is still passed on so the caller learns what went wrong.
 */
export function sendKuboError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof KuboApiError
      ? error
      : new KuboApiError(error instanceof Error ? error.message : String(error), 500, KuboErrorCode.normal);
  if (res.headersSent) {
    // Part of a streamed body is already out; cutting the connection is the only way left to
    // make the client see a failure instead of a short, seemingly complete response.
    res.destroy(apiError);
    return;
  }
  sendJson(res, apiError.status, { Message: apiError.message, Code: apiError.code, Type: 'error' });
}

/** The request URL resolved against a dummy origin, so path and query can be read safely. */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://localhost');
}
