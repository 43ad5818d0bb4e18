/**
 * A read-only FHIR R4 REST server over the records a wallet may read (see ./source), for the EHRs,
 * analytics tools and scripts that hold the same keys, on the same machine:
 *
 *   GET /metadata                        CapabilityStatement
 *   GET /Patient[?_id]                   the patients whose profile the wallet may read
 *   GET /Patient/{address}               a patient's profile, id = checksummed address
 *   GET /Patient/{address}/$everything   searchset of everything the wallet may read of the patient
 *   GET /{type}?patient&code&date…       search (see ./search), paged with _count/_getpagesoffset
 *   GET /{type}/{id}                     read
 *   GET /$export, GET /Patient/$export   Bulk Data kick-off (Prefer: respond-async)
 *   GET|DELETE /$export-status/{job}     Bulk Data status / cancel
 *   GET /$export-file/{job}/{Type}.ndjson
 *
 * Whatever the wallet may not read is an OperationOutcome: 403 `forbidden` for a patient or category
 * not granted, 404 `not-found` for what does not exist. Requests whose `Host` is not a name the server
 * is bound under, or that a page of another origin sends, are refused (DNS rebinding, cross-site).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

import type { OperationOutcome } from '@medplum/fhirtypes';
import { type Address, getAddress, isAddress } from 'viem';

import { categoryLabel } from '../chain/categories';
import { BulkExports } from './bulk-export';
import { capabilityStatement } from './capability';
import { allowedHostNames, isAllowedHost } from './host';
import { FhirHttpError, forbidden, invalid, notFound, notSupported, operationOutcome, outcomeOf } from './outcome';
import { searchsetBundle } from './paging';
import { type ServedResource, resourceJson } from './resources';
import {
  PAGING_PARAMS,
  SERVED_TYPES,
  categoryOfType,
  matchesSearch,
  pagingOf,
  parseSearch,
  timeRangeOf,
} from './search';
import type { ReadablePatient, RecordSource, Snapshot } from './source';

/** Default port of `medledger fhir-server`. */
export const DEFAULT_FHIR_PORT = 8090;

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];
const EXPORT_PARAMS = new Set(['_outputFormat', '_type', '_since']);
const EVERYTHING_PARAMS = new Set([...PAGING_PARAMS, '_type']);

/** Options of {@link startFhirServer}. */
export interface FhirServerOptions {
  readonly source: RecordSource;
  /** The address to listen on; 127.0.0.1 unless said. */
  readonly host?: string;
  /** The port; {@link DEFAULT_FHIR_PORT} unless said, 0 for any free port. */
  readonly port?: number;
  /** The software named in the CapabilityStatement. */
  readonly software?: { name: string; version: string };
}

/** A listening FHIR server. */
export interface RunningFhirServer {
  /** The base URL, e.g. `http://127.0.0.1:8090`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A response: status, headers, and a body (a FHIR resource or text). */
interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Serve `body` as this content type, as text (ndjson). */
  readonly text?: { contentType: string };
}

/** What a handler gets to know about the request. */
interface Request {
  readonly method: string;
  readonly url: URL;
  readonly base: string;
  readonly segments: readonly string[];
  readonly lenient: boolean;
  readonly respondAsync: boolean;
  readonly accept: string | undefined;
}

/** The values of the `Prefer` header, e.g. `handling=lenient`, `respond-async`. */
function preferences(header: string | undefined): Set<string> {
  return new Set(
    (header ?? '')
      .split(/[,;]/)
      .map((part) => part.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The readable patient with this id (an address in any case), or a 403/404 saying why not. */
async function readablePatient(snapshot: Snapshot, source: RecordSource, id: string): Promise<ReadablePatient> {
  const found = snapshot.patients.find((patient) => patient.address.toLowerCase() === id.toLowerCase());
  if (found) return found;
  if (!isAddress(id, { strict: false }))
    throw notFound(`There is no Patient ${id}: patients are named by their address.`);
  const address = getAddress(id);
  const ended = snapshot.ended.get(address.toLowerCase());
  if (ended) throw forbidden(`The grant of ${address} to ${snapshot.actor} is ${ended}; nothing of theirs is served.`);
  if (!(await source.isPatient(address))) throw notFound(`${address} is not a registered MedLedger patient.`);
  throw forbidden(
    snapshot.role === 'patient'
      ? `This server serves the record of ${snapshot.actor} only, not that of ${address}.`
      : `${address} has not granted ${snapshot.actor} access to their records.`,
  );
}

/** A 403 for a type whose category `patient` has not granted (or, without a patient, nobody has). */
function typeNotGranted(snapshot: Snapshot, type: string, patient?: Address): FhirHttpError {
  const what = `${type} (${categoryLabel(categoryOfType(type))})`;
  return forbidden(
    patient
      ? `${patient} has not granted ${snapshot.actor} access to ${what}.`
      : `No patient has granted ${snapshot.actor} access to ${what}.`,
  );
}

const mayRead = (patient: ReadablePatient, type: string) =>
  type === 'Patient' ? patient.profileGranted : patient.categories.includes(categoryOfType(type));

/** The note a Patient list or `$everything` carries for patients whose profile is not shared. */
function profileNotShared(patients: readonly ReadablePatient[]): OperationOutcome[] {
  const without = patients.filter((patient) => !patient.profileGranted);
  if (without.length === 0) return [];
  const who = without.map((patient) => patient.address).join(', ');
  return [
    operationOutcome('informational', `Not shared with this wallet: the profile (Patient) of ${who}.`, 'information'),
  ];
}

/**
 * The server's request handling, apart from listening: one function per route.
 */
class FhirApi {
  readonly #source: RecordSource;
  readonly #exports: BulkExports;
  readonly #software: { name: string; version: string };
  readonly #started = new Date();

  constructor(source: RecordSource, software: { name: string; version: string }) {
    this.#source = source;
    this.#exports = new BulkExports(source);
    this.#software = software;
  }

  async handle(request: Request): Promise<Reply> {
    const { method, segments } = request;
    const [first, second, third] = segments;
    if (first === '$export-status' && segments.length === 2) {
      if (method === 'DELETE') return this.#cancelExport(second!);
      if (method === 'GET') return this.#exportStatus(request, second!);
    }
    if (method !== 'GET') {
      return {
        ...errorReply(notSupported(`${method} is not supported: this server is read-only.`, 405)),
        headers: { Allow: 'GET' },
      };
    }
    if (segments.length === 0) throw notFound('Nothing here: the CapabilityStatement is at /metadata.');
    if (first === 'metadata' && segments.length === 1) {
      return { status: 200, body: capabilityStatement(request.base, this.#software, this.#started) };
    }
    if (first === '$export' && segments.length === 1) return this.#kickOff(request);
    if (first === 'Patient' && second === '$export' && segments.length === 2) return this.#kickOff(request);
    if (first === 'Group' && third === '$export')
      throw notSupported('Group export is not supported; use /Patient/$export.', 404);
    if (first === '$export-file' && segments.length === 3) return this.#exportFile(second!, third!);
    if (first === 'Patient' && third === '$everything' && segments.length === 3)
      return this.#everything(request, second!);
    if (!SERVED_TYPES.includes(first!)) {
      throw notSupported(`This server does not serve ${first} (see /metadata for what it serves).`, 404);
    }
    if (segments.length === 1) return this.#search(request, first!);
    if (segments.length === 2) return this.#read(first!, second!);
    throw notSupported(`${segments.join('/')} is not an interaction this server supports.`, 404);
  }

  async #search(request: Request, type: string): Promise<Reply> {
    const search = parseSearch(type, request.url.searchParams, request.lenient);
    const snapshot = await this.#source.snapshot();
    let readers = snapshot.patients.filter((patient) => mayRead(patient, type));
    const named = search.filters.flatMap((filter) =>
      filter.kind === 'patient' ? filter.patients : filter.kind === 'id' && type === 'Patient' ? filter.ids : [],
    );
    for (const id of new Set(named)) {
      const patient = await readablePatient(snapshot, this.#source, id);
      if (!mayRead(patient, type)) throw typeNotGranted(snapshot, type, patient.address);
    }
    if (readers.length === 0 && type !== 'Patient') throw typeNotGranted(snapshot, type);
    if (named.length > 0)
      readers = readers.filter((patient) => named.some((id) => id.toLowerCase() === patient.address.toLowerCase()));
    const matches = snapshot.resources.filter(
      (served) =>
        served.resourceType === type &&
        readers.some((patient) => patient.address === served.patient) &&
        matchesSearch(served, search.filters),
    );
    return {
      status: 200,
      body: searchsetBundle({
        base: request.base,
        path: type,
        used: search.used,
        matches,
        count: search.count,
        offset: search.offset,
        outcomes: type === 'Patient' && named.length === 0 ? profileNotShared(snapshot.patients) : [],
        lastUpdated: snapshot.readAt,
      }),
    };
  }

  async #read(type: string, id: string): Promise<Reply> {
    const snapshot = await this.#source.snapshot();
    if (type === 'Patient') {
      const patient = await readablePatient(snapshot, this.#source, id);
      if (!patient.profileGranted) throw typeNotGranted(snapshot, 'Patient', patient.address);
      const served = snapshot.resources.find(
        (item) => item.resourceType === 'Patient' && item.patient === patient.address,
      );
      if (!served) throw notFound(`The profile of ${patient.address} could not be opened.`);
      return { status: 200, body: served.resource };
    }
    const served = snapshot.resources.find((item) => item.resourceType === type && item.id === id);
    if (served) return { status: 200, body: served.resource };
    if (!snapshot.patients.some((patient) => mayRead(patient, type))) throw typeNotGranted(snapshot, type);
    throw notFound(`There is no ${type}/${id} among the records ${snapshot.actor} may read.`);
  }

  async #everything(request: Request, id: string): Promise<Reply> {
    const params = request.url.searchParams;
    for (const name of params.keys()) {
      if (!EVERYTHING_PARAMS.has(name) && !request.lenient) {
        throw notSupported(`$everything does not take ${name}; it takes _type, _count and _getpagesoffset.`);
      }
    }
    const paging = pagingOf(params, request.lenient);
    const types = params
      .getAll('_type')
      .flatMap((value) => value.split(','))
      .filter(Boolean);
    const snapshot = await this.#source.snapshot();
    const patient = await readablePatient(snapshot, this.#source, id);
    for (const type of types) {
      if (!mayRead(patient, type)) throw typeNotGranted(snapshot, type, patient.address);
    }
    const matches = snapshot.resources.filter(
      (served: ServedResource) =>
        served.patient === patient.address && (types.length === 0 || types.includes(served.resourceType)),
    );
    return {
      status: 200,
      body: searchsetBundle({
        base: request.base,
        path: `Patient/${patient.address}/$everything`,
        used: [...paging.used, ...(types.length > 0 ? [['_type', types.join(',')] as const] : [])],
        matches,
        count: paging.count,
        offset: paging.offset,
        outcomes: profileNotShared([patient]),
        lastUpdated: snapshot.readAt,
      }),
    };
  }

  #kickOff(request: Request): Reply {
    if (!request.respondAsync) {
      throw invalid('A bulk export runs asynchronously: send the kick-off with the header Prefer: respond-async.');
    }
    if (request.accept && !/application\/(fhir\+)?json|\*\/\*/.test(request.accept)) {
      throw invalid(`Accept: ${request.accept}: a bulk export kick-off answers application/fhir+json.`);
    }
    const params = request.url.searchParams;
    for (const name of params.keys()) {
      if (!EXPORT_PARAMS.has(name) && !request.lenient) {
        throw notSupported(`$export does not support ${name}; it takes _type, _since and _outputFormat.`);
      }
    }
    const format = params.get('_outputFormat');
    if (format !== null && !NDJSON_FORMATS.includes(format)) {
      throw notSupported(`_outputFormat=${format}: this server writes application/fhir+ndjson only.`);
    }
    const types = params
      .getAll('_type')
      .flatMap((value) => value.split(','))
      .filter(Boolean);
    const unknown = types.filter((type) => !/^[A-Z][A-Za-z]+$/.test(type));
    if (unknown.length > 0) throw invalid(`_type names no resource type: ${unknown.join(', ')}.`);
    const sinceText = params.get('_since');
    const since = sinceText === null ? undefined : timeRangeOf(sinceText);
    if (sinceText !== null && (since === undefined || !sinceText.includes('T'))) {
      throw invalid(`_since=${sinceText} is not a FHIR instant (e.g. 2026-01-01T00:00:00Z).`);
    }
    const id = this.#exports.start({
      url: request.url.href,
      ...(types.length > 0 ? { types } : {}),
      ...(since ? { since: new Date(since.start) } : {}),
    });
    return {
      status: 202,
      headers: { 'Content-Location': `${request.base}/$export-status/${id}` },
      body: operationOutcome('informational', 'The export has started; poll the Content-Location URL.', 'information'),
    };
  }

  #exportStatus(request: Request, id: string): Reply {
    const status = this.#exports.status(id, (name) => `${request.base}/$export-file/${id}/${name}`);
    if (!status) throw notFound(`There is no export ${id} (it may have been deleted or expired).`);
    return {
      status: status.status,
      headers: status.headers,
      ...(status.body === undefined ? {} : { body: status.body }),
      ...(status.status === 200 ? { text: { contentType: 'application/json; charset=utf-8' } } : {}),
    };
  }

  #cancelExport(id: string): Reply {
    if (!this.#exports.cancel(id)) throw notFound(`There is no export ${id} (it may have been deleted or expired).`);
    return { status: 202, body: operationOutcome('informational', `Export ${id} was deleted.`, 'information') };
  }

  #exportFile(id: string, name: string): Reply {
    const text = this.#exports.file(id, name);
    if (text === undefined) throw notFound(`There is no file ${name} in export ${id}.`);
    return { status: 200, body: text, text: { contentType: 'application/fhir+ndjson' } };
  }
}

/** Why a request is refused before routing (foreign host or origin), or `undefined`. */
function foreignReason(message: IncomingMessage, names: ReadonlySet<string>, port: number): string | undefined {
  const host = message.headers.host;
  if (!isAllowedHost(host, names, port)) {
    return `${host ?? 'A request without a Host header'} is not a host this FHIR server answers (${[...names].join(', ')} on port ${port}).`;
  }
  const origin = message.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return `Pages of ${origin} may not read this FHIR server.`;
  }
  const site = message.headers['sec-fetch-site']?.toString();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return 'Pages of other sites may not read this FHIR server.';
  }
  return undefined;
}

/** The reply to a thrown error: its status and OperationOutcome. */
function errorReply(error: unknown): Reply {
  const { status, outcome } = outcomeOf(error);
  return { status, body: outcome };
}

function send(response: ServerResponse, reply: Reply): void {
  const text = reply.text ? (typeof reply.body === 'string' ? reply.body : resourceJson(reply.body)) : undefined;
  const body = text ?? (reply.body === undefined ? '' : resourceJson(reply.body));
  response.writeHead(reply.status, {
    ...(body === '' ? {} : { 'Content-Type': reply.text?.contentType ?? FHIR_JSON }),
    'Cache-Control': 'no-store',
    ...reply.headers,
  });
  response.end(body);
}

/**
 * Starts the FHIR server.
 *
 * @param options - where the records come from, and where to listen
 */
export async function startFhirServer(options: FhirServerOptions): Promise<RunningFhirServer> {
  const host = options.host ?? '127.0.0.1';
  const api = new FhirApi(options.source, options.software ?? { name: 'MedLedger FHIR server', version: '0' });
  let names: ReadonlySet<string> = new Set();
  let port = 0;
  const server: Server = createServer((message, response) => {
    const refused = foreignReason(message, names, port);
    if (refused) {
      send(response, errorReply(forbidden(refused)));
      return;
    }
    const base = `http://${message.headers.host}`;
    const url = new URL(message.url ?? '/', base);
    const prefer = preferences(message.headers.prefer?.toString());
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      send(response, errorReply(invalid(`${url.pathname} is not a valid path.`)));
      return;
    }
    api
      .handle({
        method: message.method ?? 'GET',
        url,
        base,
        segments,
        lenient: prefer.has('handling=lenient'),
        respondAsync: prefer.has('respond-async'),
        accept: message.headers.accept,
      })
      .then(
        (reply) => send(response, reply),
        (error: unknown) => send(response, errorReply(error)),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_FHIR_PORT, host, () => resolve());
  });
  port = (server.address() as { port: number }).port;
  names = allowedHostNames(host);
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${port}`,
    host,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
