'use client';

import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { type ChangeEvent, type FormEvent, useId, useRef, useState } from 'react';

import { checkBundle, checkObservation } from '../../lib/ai/plausibility';
import { categoryOf } from '../../lib/chain/categories';
import { ValidationError, type ValidationIssue, describeError } from '../../lib/errors';
import { hasDemographics, importBundle, parseJson, patientLabel, sniffContentType, validateResource } from '../../lib/fhir';
import type { ImportReport } from '../../lib/records/bundle';
import type { IdentityCheck } from '../../lib/records/profile';
import { describeBytes } from '../../lib/ipfs/upload-limit';
import { useRuntimeConfig } from '../runtime-config';
import { largestDocumentBytes } from './document-limit';
import { categoryLabel } from './format';

/**
 * Largest document accepted, checked before anything is encrypted: the largest whose ciphertext
 * the server's IPFS proxy takes (`MEDLEDGER_MAX_UPLOAD_BYTES`, 2 GiB by default), so an imaging
 * study fits and the picker, not the server, says when a file does not.
 */
export function useMaxDocumentBytes(): number {
  return largestDocumentBytes(useRuntimeConfig().maxUploadBytes);
}
/** Largest FHIR JSON file read into memory for an import. */
const MAX_JSON_BYTES = 20 * 1024 * 1024;

const DOCUMENT_TYPES = /^(application\/pdf|image\/(png|jpeg|gif|webp))$/;

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Every problem of rejected input, by FHIR path, with what to do (by default: nothing was written, fix the file). */
export function IssueList({
  title,
  issues,
  advice = 'Nothing was written. Fix these problems and choose the file again:',
}: {
  title: string;
  issues: readonly ValidationIssue[];
  advice?: string;
}) {
  const shown = issues.slice(0, 50);
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title}</strong> {advice}
      <ul className="issue-list">
        {shown.map((issue, index) => (
          <li key={index}>
            <code>{issue.path}</code>: {issue.message}
          </li>
        ))}
      </ul>
      {issues.length > shown.length ? <p className="small">…and {issues.length - shown.length} more.</p> : null}
    </div>
  );
}

type Parsed =
  | { kind: 'bundle'; text: string; resources: Resource[]; warnings: string[] }
  | { kind: 'resource'; text: string; resource: Resource; warnings: string[] };

/** Parses and validates a picked FHIR file without writing anything: a Bundle or a single resource. */
function parseFhirFile(text: string): Parsed {
  const json = parseJson(text, 'file');
  if ((json as { resourceType?: unknown } | null)?.resourceType === 'Bundle') {
    const imported = importBundle(json);
    const warnings = checkBundle(json as Bundle).map((warning) => `${warning.path}: ${warning.message}`);
    return { kind: 'bundle', text, resources: imported.records.map((record) => record.resource), warnings };
  }
  const resource = validateResource(json);
  const warnings =
    resource.resourceType === 'Observation'
      ? checkObservation(resource).map((warning) => `${warning.path}: ${warning.message}`)
      : [];
  return { kind: 'resource', text, resource, warnings };
}

function summary(resources: readonly Resource[]): string {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource.resourceType, (counts.get(resource.resourceType) ?? 0) + 1);
  return [...counts].map(([type, count]) => `${count} ${type}`).join(', ');
}

/** Whom a picked file is about, while it is being checked, once checked, or why it could not be. */
type Identity = { state: 'checking' } | { state: 'checked'; check: IdentityCheck } | { state: 'failed'; message: string };

/** What an import did, in one sentence. */
function importedText(report: ImportReport): string {
  const { added, corrected, skipped } = report;
  const parts = [`${added.length} added`, `${corrected.length} corrected`, `${skipped} already in the record (skipped)`];
  return `Imported: ${parts.join(', ')}.${report.identity.status === 'adopt' ? ` ${report.identity.message}.` : ''}`;
}

export interface ImportProps {
  busy: boolean;
  /** Categories the writer may add to; undefined when every category is allowed (the patient). */
  writable?: ReadonlySet<number>;
  /** Compares the file's Patients with the patient's profile (lib/records `checkIdentity`); writes nothing. */
  checkIdentity: (subjects: readonly Patient[]) => Promise<IdentityCheck>;
  /**
   * Imports the file (lib/records `importBundleRecords`); `acceptMismatch` once the person confirmed that
   * records about someone else belong here. Undefined when the import failed (its status says why).
   */
  importFile: (text: string, options: { acceptMismatch: boolean }) => Promise<ImportReport | undefined>;
}

/**
 * "Upload FHIR JSON or Bundle": validated in full, and checked against the patient's profile for whom
 * it is about, before anything is encrypted or written. Records about someone else (or whose person
 * could not be checked) are imported only after a confirmation that names both people.
 */
export function FhirUploadForm({ busy, writable, checkIdentity, importFile }: ImportProps) {
  const inputId = useId();
  const confirmId = useId();
  const [parsed, setParsed] = useState<Parsed>();
  const [problem, setProblem] = useState<{ title: string; issues: readonly ValidationIssue[] }>();
  const [identity, setIdentity] = useState<Identity>();
  const [confirmed, setConfirmed] = useState(false);
  const [imported, setImported] = useState<string>();
  const [fileKey, setFileKey] = useState(0);
  // The file picked last: a slower check of an earlier pick must not overwrite its result.
  const pick = useRef(0);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const token = ++pick.current;
    setParsed(undefined);
    setProblem(undefined);
    setIdentity(undefined);
    setConfirmed(false);
    setImported(undefined);
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_JSON_BYTES) {
      setProblem({
        title: 'The file is too large.',
        issues: [{ path: 'file', message: `is ${megabytes(file.size)}; the limit is ${megabytes(MAX_JSON_BYTES)}` }],
      });
      return;
    }
    let result: Parsed;
    try {
      result = parseFhirFile(await file.text());
      if (token !== pick.current) return;
    } catch (error) {
      setProblem(
        error instanceof ValidationError
          ? { title: 'This is not valid FHIR R4.', issues: error.issues }
          : { title: 'The file could not be read.', issues: [{ path: 'file', message: describeError(error) }] },
      );
      return;
    }
    const resources = result.kind === 'bundle' ? result.resources : [result.resource];
    const forbidden = writable
      ? resources
          .map((resource, index) => ({ resource, index }))
          .filter(({ resource }) => !writable.has(categoryOf(resource.resourceType)))
      : [];
    if (forbidden.length > 0) {
      setProblem({
        title: 'You may not add some of these records.',
        issues: forbidden.map(({ resource, index }) => ({
          path: result.kind === 'bundle' ? `Bundle.entry[${index}].resource` : resource.resourceType,
          message: `${resource.resourceType} records (${categoryLabel(categoryOf(resource.resourceType))}) are not in your write access`,
        })),
      });
      return;
    }
    if (resources.length === 0) {
      setProblem({
        title: 'The Bundle is empty.',
        issues: [{ path: 'Bundle.entry', message: 'has no resources to import' }],
      });
      return;
    }
    setParsed(result);
    const subjects = resources.filter((resource): resource is Patient => resource.resourceType === 'Patient');
    setIdentity({ state: 'checking' });
    try {
      const check = await checkIdentity(subjects);
      if (token === pick.current) setIdentity({ state: 'checked', check });
    } catch (error) {
      if (token === pick.current) setIdentity({ state: 'failed', message: describeError(error) });
    }
  }

  const check = identity?.state === 'checked' ? identity.check : undefined;
  const needsConfirmation = check?.status === 'mismatch' || check?.status === 'unchecked';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!parsed || (needsConfirmation && !confirmed)) return;
    const report = await importFile(parsed.text, { acceptMismatch: needsConfirmation && confirmed });
    if (report) {
      setImported(importedText(report));
      setParsed(undefined);
      setIdentity(undefined);
      setConfirmed(false);
      setFileKey((key) => key + 1);
    }
  }

  const count = parsed ? (parsed.kind === 'bundle' ? parsed.resources.length : 1) : 0;
  const owner = check?.profile && hasDemographics(check.profile.resource) ? patientLabel(check.profile.resource) : undefined;
  const subjects = check?.subjects.map(patientLabel).join(' and ');
  return (
    <form onSubmit={submit} aria-label="Upload FHIR JSON or Bundle">
      <label htmlFor={inputId}>FHIR JSON file (one resource or a Bundle)</label>
      <input
        key={fileKey}
        id={inputId}
        type="file"
        accept=".json,application/json,application/fhir+json"
        onChange={onFile}
      />
      <p className="small muted">
        For example an export from your hospital’s patient portal or Synthea. The whole file is checked first; if
        anything is wrong, or it is about someone else, nothing is written. Records already in the record are not
        added again.
      </p>
      {problem ? <IssueList title={problem.title} issues={problem.issues} /> : null}
      {parsed ? (
        <div className="notice notice-info" role="status">
          Valid FHIR R4: {summary(parsed.kind === 'bundle' ? parsed.resources : [parsed.resource])}. Each becomes one
          encrypted record.
          {parsed.warnings.length > 0 ? (
            <>
              <br />
              <strong>Please double-check these values before importing:</strong>
              <ul>
                {parsed.warnings.map((warning) => (
                  <li key={warning}>{warning}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      {parsed && identity?.state === 'checking' ? (
        <p className="notice notice-pending" role="status">
          Checking whom this file is about against the patient’s profile…
        </p>
      ) : null}
      {parsed && identity?.state === 'failed' ? (
        <p className="notice notice-error" role="alert">
          Whom this file is about could not be checked: {identity.message}
        </p>
      ) : null}
      {parsed && (check?.status === 'match' || check?.status === 'adopt') ? (
        <p className="notice notice-ok" role="status">
          {check.message}.
        </p>
      ) : null}
      {parsed && needsConfirmation ? (
        <div className="notice notice-error" role="alert" aria-label="Whom this file is about">
          <strong>{check.message}.</strong> Nothing has been imported.
          <div className="checks">
            <label htmlFor={confirmId}>
              <input
                id={confirmId}
                type="checkbox"
                checked={confirmed}
                onChange={(event) => setConfirmed(event.target.checked)}
              />
              {`Import the records about ${subjects} into the record of ${owner ?? 'this patient'} anyway: they belong there.`}
            </label>
          </div>
        </div>
      ) : null}
      {imported ? (
        <p className="notice notice-ok" role="status">
          {imported}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={busy || !parsed || identity?.state === 'checking' || (needsConfirmation && !confirmed)}
      >
        {count > 0 ? `Import ${count} record${count === 1 ? '' : 's'}` : 'Import records'}
      </button>
    </form>
  );
}

export interface DocumentProps {
  busy: boolean;
  upload: (file: File, title: string, description: string, contentType: string) => Promise<boolean>;
}

/** "Upload a document": a PDF or image, size-checked before anything is encrypted, then streamed. */
export function DocumentUploadForm({ busy, upload }: DocumentProps) {
  const maxBytes = useMaxDocumentBytes();
  const inputId = useId();
  const titleId = useId();
  const descriptionId = useId();
  const [file, setFile] = useState<{ file: File; contentType: string }>();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string>();
  const [fileKey, setFileKey] = useState(0);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    setFile(undefined);
    setError(undefined);
    const picked = event.target.files?.[0];
    if (!picked) return;
    if (picked.size > maxBytes) {
      setError(
        `“${picked.name}” is ${describeBytes(picked.size)}; the limit is ${describeBytes(maxBytes)}. Nothing was uploaded. Compress it or split it into several files.`,
      );
      return;
    }
    const contentType = picked.type || sniffContentType(new Uint8Array(await picked.slice(0, 132).arrayBuffer())) || '';
    if (!DOCUMENT_TYPES.test(contentType)) {
      setError(`“${picked.name}” is not a PDF or an image (PNG, JPEG, GIF, WebP). Nothing was uploaded.`);
      return;
    }
    if (picked.size === 0) {
      setError(`“${picked.name}” is empty. Nothing was uploaded.`);
      return;
    }
    setFile({ file: picked, contentType });
    setTitle(picked.name);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    if (await upload(file.file, title.trim() || file.file.name, description, file.contentType)) {
      setFile(undefined);
      setTitle('');
      setDescription('');
      setFileKey((key) => key + 1);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Upload a document">
      <label htmlFor={inputId}>Document (PDF or image, up to {describeBytes(maxBytes)})</label>
      <input
        key={fileKey}
        id={inputId}
        type="file"
        accept="application/pdf,image/png,image/jpeg,image/gif,image/webp"
        onChange={onFile}
      />
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {file ? (
        <p className="small muted" role="status">
          {file.contentType}, {megabytes(file.file.size)}. It is encrypted in this browser before upload.
        </p>
      ) : null}
      <div className="row">
        <div>
          <label htmlFor={titleId}>Title</label>
          <input
            id={titleId}
            type="text"
            maxLength={200}
            required={Boolean(file)}
            value={title}
            onChange={(event) => setTitle(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor={descriptionId}>Description (optional)</label>
          <input
            id={descriptionId}
            type="text"
            maxLength={500}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
      </div>
      <button type="submit" disabled={busy || !file}>
        Upload document
      </button>
    </form>
  );
}
