'use client';

import { type KeyboardEvent, useId, useMemo, useRef, useState } from 'react';
import type { Address } from 'viem';

import { AccessDeniedError, IntegrityError, NotFoundError, ServiceUnavailableError } from '../../lib/errors';
import type { OpenRecord, RecordResult } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';
import { useAddressBook } from './address-book';
import { AttachmentView } from './attachment-view';
import { CATEGORY_ORDER, categoryLabel, dateValue, formatDate, sameAddress, shortAddress } from './format';
import { RENDERED_TYPES, ResourceBody, clinicalDate, resourceTitle } from './resource-view';

/** A current record with the earlier versions it corrects (newest first). */
interface TimelineEntry {
  readonly result: RecordResult;
  readonly history: readonly RecordResult[];
  readonly sortKey: number;
}

function sortKeyOf(result: RecordResult): number {
  const date = result.ok ? dateValue(clinicalDate(result.payload.resource)) : 0;
  return date || result.header.createdAt * 1000;
}

/**
 * Groups results into current records with their correction history. A superseded record is hidden
 * only when the record correcting it is in the list, so nothing ever silently disappears.
 */
function buildEntries(results: readonly RecordResult[]): TimelineEntry[] {
  const byId = new Map(results.map((result) => [result.header.recordId, result]));
  const correctedHere = new Set(results.map((result) => result.header.supersedes).filter((id) => id !== 0n));
  const entries: TimelineEntry[] = [];
  for (const result of results) {
    if (correctedHere.has(result.header.recordId)) continue;
    const history: RecordResult[] = [];
    let previous = byId.get(result.header.supersedes);
    while (previous && !history.includes(previous)) {
      history.push(previous);
      previous = byId.get(previous.header.supersedes);
    }
    entries.push({ result, history, sortKey: sortKeyOf(result) });
  }
  return entries.sort((a, b) => b.sortKey - a.sortKey || Number(b.result.header.recordId - a.result.header.recordId));
}

function unreadableReason(error: unknown): { title: string; advice: string } {
  if (error instanceof IntegrityError) {
    return {
      title: 'Integrity check failed',
      advice:
        'The stored data does not match what the chain anchored, so it was not decrypted. Ask the author to add it again.',
    };
  }
  if (error instanceof AccessDeniedError) {
    return {
      title: 'Encrypted for a key you don’t hold',
      advice:
        'This record was not shared with your encryption key (for example, it was written after access was revoked).',
    };
  }
  if (error instanceof ServiceUnavailableError || error instanceof NotFoundError) {
    return {
      title: 'Not available right now',
      advice: 'The encrypted file could not be fetched from IPFS. Reload to try again.',
    };
  }
  return { title: 'Could not be opened', advice: 'Reload to try again.' };
}

function Author({ author, patient, vault }: { author: Address; patient: Address; vault: Vault }) {
  const { nameOf } = useAddressBook();
  if (sameAddress(author, vault.chain.account)) return <>you</>;
  if (sameAddress(author, patient)) return <>the patient</>;
  const name = nameOf(author);
  return (
    <>
      {name ? `${name} ` : 'provider '}
      <span className="mono" title={author}>
        {shortAddress(author)}
      </span>
    </>
  );
}

function RecordMeta({ result, patient, vault }: { result: RecordResult; patient: Address; vault: Vault }) {
  return (
    <p className="record-meta small muted">
      Added {formatDate(result.header.createdAt)} by{' '}
      <Author author={result.header.author} patient={patient} vault={vault} />
      {' · '}record #{result.header.recordId.toString()}
    </p>
  );
}

function RecordBody({ result, vault }: { result: RecordResult; vault: Vault }) {
  if (!result.ok) {
    const reason = unreadableReason(result.error);
    return (
      <div className="notice notice-error">
        <strong>{reason.title}.</strong> {reason.advice}
        <span className="small muted"> ({result.error.message})</span>
      </div>
    );
  }
  const resource = result.payload.resource;
  return (
    <>
      <ResourceBody resource={resource} />
      {resource.resourceType === 'DocumentReference' ? (
        <AttachmentView vault={vault} record={result as OpenRecord} />
      ) : null}
      {RENDERED_TYPES.has(resource.resourceType) ? (
        <details className="fhir-details">
          <summary>FHIR JSON</summary>
          <pre className="fhir-json">{JSON.stringify(resource, null, 2)}</pre>
        </details>
      ) : null}
    </>
  );
}

function titleOf(result: RecordResult): string {
  return result.ok
    ? resourceTitle(result.payload.resource)
    : `${categoryLabel(result.header.category)} record (unreadable)`;
}

function RecordItem({ entry, patient, vault }: { entry: TimelineEntry; patient: Address; vault: Vault }) {
  const { result, history } = entry;
  const corrected = result.header.supersedes !== 0n;
  return (
    <li className="record-item">
      <article aria-label={titleOf(result)}>
        <h4 className="record-title">
          {titleOf(result)}
          {result.ok ? <span className="badge">{result.payload.resource.resourceType}</span> : null}
          {corrected ? <span className="badge badge-warn">Corrected</span> : null}
          {result.superseded && !corrected ? <span className="badge badge-warn">Superseded</span> : null}
        </h4>
        <RecordBody result={result} vault={vault} />
        <RecordMeta result={result} patient={patient} vault={vault} />
        {history.length > 0 ? (
          <details className="history">
            <summary>
              Corrected; show history ({history.length} earlier version{history.length === 1 ? '' : 's'})
            </summary>
            <ol className="history-list">
              {history.map((previous) => (
                <li key={previous.header.recordId.toString()}>
                  <p className="record-title">{titleOf(previous)} (replaced)</p>
                  <RecordBody result={previous} vault={vault} />
                  <RecordMeta result={previous} patient={patient} vault={vault} />
                </li>
              ))}
            </ol>
          </details>
        ) : null}
      </article>
    </li>
  );
}

/**
 * A patient's records as a clinician reads them: grouped by category (tabs with counts), newest first,
 * corrections shown with their history one click away, and records that could not be opened shown with
 * the reason. Renders `results` from lib/records `readRecords`; fetches nothing itself except files,
 * on demand.
 */
export function RecordTimeline({
  vault,
  patient,
  results,
}: {
  vault: Vault;
  patient: Address;
  results: RecordResult[];
}) {
  const entries = useMemo(() => buildEntries(results), [results]);
  const tabs = useMemo(() => {
    const counts = new Map<number, number>();
    for (const entry of entries)
      counts.set(entry.result.header.category, (counts.get(entry.result.header.category) ?? 0) + 1);
    const known = CATEGORY_ORDER.filter(({ category }) => counts.has(category)).map(({ category, label }) => ({
      key: String(category),
      label,
      count: counts.get(category)!,
    }));
    const unknown = [...counts.keys()]
      .filter((category) => !CATEGORY_ORDER.some((entry) => entry.category === category))
      .map((category) => ({ key: String(category), label: categoryLabel(category), count: counts.get(category)! }));
    return [{ key: 'all', label: 'All', count: entries.length }, ...known, ...unknown];
  }, [entries]);
  const [selected, setSelected] = useState('all');
  const active = tabs.some((tab) => tab.key === selected) ? selected : 'all';
  const visible =
    active === 'all' ? entries : entries.filter((entry) => String(entry.result.header.category) === active);
  const unreadable = entries.filter((entry) => !entry.result.ok).length;
  const baseId = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  if (entries.length === 0) {
    return (
      <div className="card">
        <h3>No records yet</h3>
        <p className="empty">
          {sameAddress(vault.chain.account, patient)
            ? 'Add a measurement, a diagnosis, a medication or a document, or import a FHIR file from your hospital.'
            : 'There are no records in the categories you may read.'}
        </p>
      </div>
    );
  }

  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern expects.
  function onTabKey(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const last = tabs.length - 1;
    const next =
      event.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : event.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    setSelected(tabs[next]!.key);
    tabRefs.current[next]?.focus();
  }

  return (
    <section className="timeline" aria-label="Records">
      {unreadable > 0 ? (
        <p className="notice notice-error" role="note">
          {unreadable} record{unreadable === 1 ? '' : 's'} could not be opened; each one says why below.
        </p>
      ) : null}
      <div className="tabs" role="tablist" aria-label="Record categories">
        {tabs.map((tab, index) => (
          <button
            key={tab.key}
            ref={(element) => {
              tabRefs.current[index] = element;
            }}
            type="button"
            role="tab"
            id={`${baseId}-tab-${tab.key}`}
            aria-selected={tab.key === active}
            aria-controls={`${baseId}-panel`}
            tabIndex={tab.key === active ? 0 : -1}
            onClick={() => setSelected(tab.key)}
            onKeyDown={(event) => onTabKey(event, index)}
          >
            {tab.label} <span className="count">({tab.count})</span>
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${baseId}-panel`} aria-labelledby={`${baseId}-tab-${active}`}>
        <ul className="record-list">
          {visible.map((entry) => (
            <RecordItem key={entry.result.header.recordId.toString()} entry={entry} patient={patient} vault={vault} />
          ))}
        </ul>
      </div>
    </section>
  );
}
