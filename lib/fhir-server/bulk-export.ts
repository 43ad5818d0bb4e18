/**
 * FHIR Bulk Data export (Bulk Data IG v2, async pattern) over the records the wallet may read: a
 * kick-off starts a job and answers with its status URL; the status URL says 202 with `X-Progress`
 * while the job runs and 200 with the manifest when it is done; each output file is the ndjson of one
 * resource type; DELETE on the status URL cancels the job or removes its files. Files stay in memory
 * for {@link EXPORT_RETENTION_MS} after completion.
 *
 * `_type` limits the types; a type no patient lets the wallet read gets no file but an
 * OperationOutcome (`forbidden`) in the manifest's `error` files, as does a record the wallet may read
 * but could not open. `_since` keeps resources whose record was anchored at or after that time (the
 * chain's time; the profile, which is not a record, is always included).
 */
import { randomUUID } from 'node:crypto';

import type { OperationOutcome } from '@medplum/fhirtypes';

import { categoryLabel } from '../chain/categories';
import { describeError } from '../errors';
import { operationOutcome } from './outcome';
import { type ServedResource, resourceJson } from './resources';
import { categoryOfType } from './search';
import type { RecordSource, Snapshot } from './source';

/** How long a finished export's files are kept: an hour. */
export const EXPORT_RETENTION_MS = 3_600_000;

/** What a kick-off asked for. */
export interface ExportRequest {
  /** The kick-off URL as the client sent it (the manifest's `request`). */
  readonly url: string;
  /** Only these resource types; all when absent. */
  readonly types?: readonly string[];
  /** Only resources whose record was anchored at or after this time. */
  readonly since?: Date;
}

/** One output or error file of the manifest. */
interface ExportFile {
  readonly type: string;
  readonly name: string;
  readonly text: string;
  readonly count: number;
}

type Job =
  | { state: 'running'; request: ExportRequest; progress: string; cancelled: boolean }
  | { state: 'complete'; request: ExportRequest; transactionTime: Date; output: ExportFile[]; error: ExportFile[] }
  | { state: 'failed'; request: ExportRequest; outcome: OperationOutcome };

/** What the status URL answers. */
export interface ExportStatus {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** The ndjson file of `resources`, one resource per line. */
function ndjson(resources: readonly unknown[]): string {
  return resources.map((resource) => `${resourceJson(resource)}\n`).join('');
}

/**
 * The files of an export of `snapshot`: one per type, in the order types first appear (the Patient
 * first), and the error file.
 */
export function exportFiles(snapshot: Snapshot, request: ExportRequest): { output: ExportFile[]; error: ExportFile[] } {
  const since = request.since ? request.since.getTime() / 1000 : undefined;
  const wanted = (served: ServedResource) =>
    (!request.types || request.types.includes(served.resourceType)) &&
    (since === undefined || served.createdAt === undefined || served.createdAt >= since);
  const byType = new Map<string, ServedResource[]>();
  for (const served of snapshot.resources.filter(wanted)) {
    byType.set(served.resourceType, [...(byType.get(served.resourceType) ?? []), served]);
  }
  const output = [...byType].map(([type, resources]) => ({
    type,
    name: `${type}.ndjson`,
    text: ndjson(resources.map((served) => served.resource)),
    count: resources.length,
  }));
  const problems: OperationOutcome[] = [];
  for (const type of request.types ?? []) {
    const category = categoryOfType(type);
    if (!snapshot.patients.some((patient) => patient.categories.includes(category))) {
      problems.push(
        operationOutcome(
          'forbidden',
          `${type} (${categoryLabel(category)}) was not exported: no patient has granted this wallet that category.`,
        ),
      );
    }
  }
  for (const record of snapshot.unreadable) {
    const what = record.recordId === undefined ? 'The profile' : `Record ${record.recordId}`;
    problems.push(operationOutcome('processing', `${what} of ${record.patient} could not be opened: ${record.reason}`));
  }
  const error =
    problems.length === 0
      ? []
      : [{ type: 'OperationOutcome', name: 'OperationOutcome.ndjson', text: ndjson(problems), count: problems.length }];
  return { output, error };
}

/** The running and finished exports of one server. */
export class BulkExports {
  readonly #source: RecordSource;
  readonly #jobs = new Map<string, Job>();
  readonly #retentionMs: number;

  constructor(source: RecordSource, options: { retentionMs?: number } = {}) {
    this.#source = source;
    this.#retentionMs = options.retentionMs ?? EXPORT_RETENTION_MS;
  }

  /**
   * Starts an export.
   *
   * @returns the job id, for the status URL
   */
  start(request: ExportRequest): string {
    const id = randomUUID();
    const job: Job = { state: 'running', request, progress: 'reading records', cancelled: false };
    this.#jobs.set(id, job);
    void this.#run(id, job);
    return id;
  }

  async #run(id: string, job: Extract<Job, { state: 'running' }>): Promise<void> {
    let finished: Job;
    try {
      const snapshot = await this.#source.snapshot();
      job.progress = 'writing files';
      finished = {
        state: 'complete',
        request: job.request,
        transactionTime: snapshot.readAt,
        ...exportFiles(snapshot, job.request),
      };
    } catch (error) {
      finished = {
        state: 'failed',
        request: job.request,
        outcome: operationOutcome('exception', describeError(error)),
      };
    }
    if (job.cancelled) return;
    this.#jobs.set(id, finished);
    setTimeout(() => this.#jobs.delete(id), this.#retentionMs).unref();
  }

  /**
   * What the status URL of job `id` answers.
   *
   * @param id - the job id
   * @param fileUrl - the URL a file of the job is served at
   * @returns `undefined` for a job that does not exist (or was deleted)
   */
  status(id: string, fileUrl: (name: string) => string): ExportStatus | undefined {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    if (job.state === 'running') {
      return { status: 202, headers: { 'X-Progress': job.progress, 'Retry-After': '1' } };
    }
    if (job.state === 'failed') return { status: 500, headers: {}, body: job.outcome };
    const entry = (file: ExportFile) => ({ type: file.type, url: fileUrl(file.name), count: file.count });
    return {
      status: 200,
      headers: { Expires: new Date(Date.now() + this.#retentionMs).toUTCString() },
      body: {
        transactionTime: job.transactionTime.toISOString(),
        request: job.request.url,
        requiresAccessToken: false,
        output: job.output.map(entry),
        error: job.error.map(entry),
      },
    };
  }

  /** The ndjson text of file `name` of job `id`, or `undefined`. */
  file(id: string, name: string): string | undefined {
    const job = this.#jobs.get(id);
    if (job?.state !== 'complete') return undefined;
    return [...job.output, ...job.error].find((file) => file.name === name)?.text;
  }

  /**
   * Cancels a running job or deletes a finished one's files.
   *
   * @returns whether there was such a job
   */
  cancel(id: string): boolean {
    const job = this.#jobs.get(id);
    if (!job) return false;
    if (job.state === 'running') job.cancelled = true;
    this.#jobs.delete(id);
    return true;
  }
}
