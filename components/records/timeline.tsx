'use client';

import type { Observation, Patient } from '@medplum/fhirtypes';
import { type KeyboardEvent, useId, useMemo, useRef, useState } from 'react';
import type { Address } from 'viem';

import { clinicalSummary, resourceTitle } from '../../lib/fhir/display';
import { comparePatients, patientLabel } from '../../lib/fhir/patient';
import { AccessDeniedError, IntegrityError, NotFoundError, ServiceUnavailableError } from '../../lib/errors';
import { type OpenRecord, type RecordResult, encryptedAttachmentCid } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';
import { useProviderNames } from '../use-provider-directory';
import { AttachmentView } from './attachment-view';
import { CATEGORY_ORDER, categoryLabel, formatDate, sameAddress, shortAddress } from './format';
import { ObservationValue } from './observation-value';
import { FhirJsonDetails, ResourceBody } from './resource-view';
import {
  BILLING_TYPES,
  type CurrentRecord,
  type TimelineEntry,
  buildTimeline,
  byYear,
  currentRecords,
  isDirectoryRecord,
  isPatientRecord,
} from './timeline-model';
import { Trends } from './trends';
import { trendSeries } from './trends-model';

/** How many top-level entries show before "Show older"; a ten-year history renders in steps. */
const PAGE = 30;

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
  const { nameOf } = useProviderNames();
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

/**
 * Where a record comes from and that it was checked: the chain's word on it, for every entry. `compact`
 * (a line nested in a visit) gives the day it was added, with the time in its tooltip.
 */
function RecordMeta({
  result,
  patient,
  vault,
  compact = false,
}: {
  result: RecordResult;
  patient: Address;
  vault: Vault;
  compact?: boolean;
}) {
  const added = formatDate(result.header.createdAt);
  return (
    <p className="record-meta small muted">
      {result.ok ? (
        <span
          className="verified"
          title={`The encrypted record (IPFS ${result.cid}) matches the hash anchored on-chain, and decrypted.`}
        >
          ✓ Verified
        </span>
      ) : null}
      {result.ok ? ' · ' : null}
      Record #{result.header.recordId.toString()}, added{' '}
      {compact ? (
        <span title={added}>
          {new Date(result.header.createdAt * 1000).toLocaleDateString(undefined, { dateStyle: 'medium' })}
        </span>
      ) : (
        added
      )}{' '}
      by <Author author={result.header.author} patient={patient} vault={vault} />
    </p>
  );
}

function Unreadable({ result }: { result: Extract<RecordResult, { ok: false }> }) {
  const reason = unreadableReason(result.error);
  return (
    <div className="notice notice-error">
      <strong>{reason.title}.</strong> {reason.advice}
      <span className="small muted"> ({result.error.message})</span>
    </div>
  );
}

function RecordBody({ result, vault }: { result: RecordResult; vault: Vault }) {
  if (!result.ok) return <Unreadable result={result} />;
  const resource = result.payload.resource;
  const encryptedFile =
    resource.resourceType === 'DocumentReference' &&
    encryptedAttachmentCid(resource.content?.[0]?.attachment) !== undefined;
  return (
    <>
      <ResourceBody resource={resource} />
      {encryptedFile ? <AttachmentView vault={vault} record={result as OpenRecord} /> : null}
      <FhirJsonDetails resource={resource} />
    </>
  );
}

function titleOf(result: RecordResult): string {
  return result.ok
    ? resourceTitle(result.payload.resource)
    : `${categoryLabel(result.header.category)} record (unreadable)`;
}

function Badges({ result }: { result: RecordResult }) {
  const corrected = result.header.supersedes !== 0n;
  return (
    <>
      {corrected ? <span className="badge badge-warn">Corrected</span> : null}
      {result.superseded && !corrected ? <span className="badge badge-warn">Superseded</span> : null}
    </>
  );
}

function History({ history, patient, vault }: { history: readonly RecordResult[]; patient: Address; vault: Vault }) {
  if (history.length === 0) return null;
  return (
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
  );
}

function dateLine(entry: TimelineEntry): string | undefined {
  if (entry.time === undefined) return undefined;
  if (entry.timeSource === 'anchored') return `Added ${formatDate(entry.time / 1000)}`;
  return new Date(entry.time).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/**
 * A record nested in a visit or a report: one readable line (a result shows its value, flag and
 * range), its provenance, and everything else one click away.
 */
function NestedRecord({ entry, patient, vault }: { entry: TimelineEntry; patient: Address; vault: Vault }) {
  const { result } = entry;
  const resource = result.ok ? result.payload.resource : undefined;
  return (
    <li className="nested-record">
      <div className="nested-line">
        {resource?.resourceType === 'Observation' ? (
          <>
            <span className="nested-title">{resourceTitle(resource)}</span>
            <ObservationValue observation={resource as Observation} compact />
          </>
        ) : (
          <span className="nested-title">{resource ? clinicalSummary(resource) : titleOf(result)}</span>
        )}
        <Badges result={result} />
      </div>
      <div className="nested-foot">
        <RecordMeta result={result} patient={patient} vault={vault} compact />
        <details className="nested-details">
          <summary>Details</summary>
          <RecordBody result={result} vault={vault} />
          <History history={entry.history} patient={patient} vault={vault} />
        </details>
      </div>
      {entry.children.length ? <NestedList entries={entry.children} patient={patient} vault={vault} /> : null}
    </li>
  );
}

function NestedList({
  entries,
  patient,
  vault,
}: {
  entries: readonly TimelineEntry[];
  patient: Address;
  vault: Vault;
}) {
  const isBilling = (entry: TimelineEntry) =>
    entry.result.ok && BILLING_TYPES.has(entry.result.payload.resource.resourceType);
  const care = entries.filter((entry) => !isBilling(entry));
  const billing = entries.filter(isBilling);
  return (
    <>
      {care.length ? (
        <ul className="nested-list">
          {care.map((child) => (
            <NestedRecord key={child.result.header.recordId.toString()} entry={child} patient={patient} vault={vault} />
          ))}
        </ul>
      ) : null}
      {billing.length ? (
        <details className="billing">
          <summary>Billing &amp; insurance ({billing.length})</summary>
          <ul className="nested-list">
            {billing.map((child) => (
              <NestedRecord
                key={child.result.header.recordId.toString()}
                entry={child}
                patient={patient}
                vault={vault}
              />
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

function RecordItem({ entry, patient, vault }: { entry: TimelineEntry; patient: Address; vault: Vault }) {
  const { result } = entry;
  const title = titleOf(result);
  const date = dateLine(entry);
  const isVisit = result.ok && result.payload.resource.resourceType === 'Encounter';
  return (
    <li className={`record-item${isVisit ? ' record-visit' : ''}`}>
      <article aria-label={title}>
        {date ? <p className="record-date small">{date}</p> : null}
        <h4 className="record-title">
          {title}
          <Badges result={result} />
        </h4>
        {isVisit ? (
          <>
            {entry.children.length ? <NestedList entries={entry.children} patient={patient} vault={vault} /> : null}
            <details className="nested-details">
              <summary>About this visit</summary>
              <RecordBody result={result} vault={vault} />
            </details>
          </>
        ) : (
          <>
            <RecordBody result={result} vault={vault} />
            {entry.children.length ? <NestedList entries={entry.children} patient={patient} vault={vault} /> : null}
          </>
        )}
        <RecordMeta result={result} patient={patient} vault={vault} />
        <History history={entry.history} patient={patient} vault={vault} />
      </article>
    </li>
  );
}

const DIRECTORY_GROUPS: readonly { label: string; types: readonly string[] }[] = [
  { label: 'People', types: ['Practitioner', 'PractitionerRole'] },
  { label: 'Places', types: ['Organization', 'Location'] },
  { label: 'Where these records came from', types: ['Provenance'] },
];

/** Who cared for the patient and where: the practitioners, organizations and places the records name. */
function CareDirectory({
  records,
  patient,
  vault,
}: {
  records: readonly CurrentRecord[];
  patient: Address;
  vault: Vault;
}) {
  if (records.length === 0) return null;
  const typeOf = (record: CurrentRecord) => (record.result.ok ? record.result.payload.resource.resourceType : '');
  return (
    <section className="care-directory" aria-labelledby="care-directory-head">
      <h3 id="care-directory-head">Care team &amp; places</h3>
      {DIRECTORY_GROUPS.map(({ label, types }) => {
        const group = records.filter((record) => types.includes(typeOf(record)));
        if (group.length === 0) return null;
        return (
          <div key={label}>
            <h4 className="directory-head">{label}</h4>
            <ul className="directory-list">
              {group.map((record) => (
                <li key={record.result.header.recordId.toString()} className="directory-item">
                  <p className="record-title">{titleOf(record.result)}</p>
                  <RecordBody result={record.result} vault={vault} />
                  <RecordMeta result={record.result} patient={patient} vault={vault} />
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

/**
 * The Patient resources the records hold (demographics imported with a file), beside the timeline
 * rather than in it. One that names another person than the profile's owner says so: it was imported
 * as confirmed, and nothing about that person counts in the owner's risk scores.
 */
function PatientDetails({
  records,
  owner,
  patient,
  vault,
}: {
  records: readonly CurrentRecord[];
  owner: Patient | undefined;
  patient: Address;
  vault: Vault;
}) {
  if (records.length === 0) return null;
  return (
    <details className="card patient-details">
      <summary>
        Patient details from imported files ({records.length})
        {records.some((record) => isOtherPerson(record, owner)) ? ' — includes another person' : ''}
      </summary>
      <ul className="directory-list">
        {records.map((record) => (
          <li key={record.result.header.recordId.toString()} className="directory-item">
            <p className="record-title">{titleOf(record.result)}</p>
            {isOtherPerson(record, owner) ? (
              <p className="notice notice-error" role="note">
                This is another person than {patientLabel(owner!)}, imported as confirmed. Nothing about them is used
                for risk scores or interaction checks.
              </p>
            ) : null}
            <RecordBody result={record.result} vault={vault} />
            <RecordMeta result={record.result} patient={patient} vault={vault} />
          </li>
        ))}
      </ul>
    </details>
  );
}

function isOtherPerson(record: CurrentRecord, owner: Patient | undefined): boolean {
  if (!owner || !record.result.ok) return false;
  return comparePatients(owner, record.result.payload.resource as Patient).verdict === 'different';
}

function TimelineList({
  entries,
  patient,
  vault,
}: {
  entries: readonly TimelineEntry[];
  patient: Address;
  vault: Vault;
}) {
  const [shown, setShown] = useState(PAGE);
  const groups = byYear(entries.slice(0, shown));
  return (
    <>
      {groups.map((group, index) => (
        <section key={`${group.year ?? 'undated'}-${index}`} aria-label={group.year ? String(group.year) : 'Undated'}>
          <h3 className="year-head">{group.year ?? 'Undated'}</h3>
          <ul className="record-list">
            {group.entries.map((entry) => (
              <RecordItem key={entry.result.header.recordId.toString()} entry={entry} patient={patient} vault={vault} />
            ))}
          </ul>
        </section>
      ))}
      {entries.length > shown ? (
        <button type="button" className="secondary" onClick={() => setShown((count) => count + PAGE)}>
          Show older records ({entries.length - shown} more)
        </button>
      ) : null}
    </>
  );
}

/**
 * A patient's records as a patient portal shows them: newest first by when things happened, a visit
 * with what happened in it, a report with its results, trends of repeated measurements, the people and
 * places of care apart; filtered by category (tabs with counts); every entry with its record number,
 * author and on-chain verification; corrections with their history one click away; records that could
 * not be opened shown with the reason. Renders `results` from lib/records `readRecords`; fetches
 * nothing itself except files, on demand.
 */
export function RecordTimeline({
  vault,
  patient,
  results,
  owner,
}: {
  vault: Vault;
  patient: Address;
  results: RecordResult[];
  /** The patient's profile, when the reader may open it: Patient records of anyone else are marked. */
  owner?: Patient;
}) {
  const records = useMemo(() => currentRecords(results), [results]);
  const timelineRecords = useMemo(
    () => records.filter((record) => !isDirectoryRecord(record) && !isPatientRecord(record)),
    [records],
  );
  const patients = useMemo(() => records.filter(isPatientRecord), [records]);
  const directory = useMemo(() => records.filter(isDirectoryRecord), [records]);
  const series = useMemo(() => trendSeries(records), [records]);
  const tabs = useMemo(() => {
    const counts = new Map<number, number>();
    for (const { result } of timelineRecords)
      counts.set(result.header.category, (counts.get(result.header.category) ?? 0) + 1);
    const known = CATEGORY_ORDER.filter(({ category }) => counts.has(category)).map(({ category, label }) => ({
      key: String(category),
      label,
      count: counts.get(category)!,
    }));
    const unknown = [...counts.keys()]
      .filter((category) => !CATEGORY_ORDER.some((entry) => entry.category === category))
      .map((category) => ({ key: String(category), label: categoryLabel(category), count: counts.get(category)! }));
    return [
      { key: 'all', label: 'All', count: timelineRecords.length },
      ...(series.length ? [{ key: 'trends', label: 'Trends', count: series.length }] : []),
      ...known,
      ...unknown,
    ];
  }, [timelineRecords, series]);
  const [selected, setSelected] = useState('all');
  const active = tabs.some((tab) => tab.key === selected) ? selected : 'all';
  const entries = useMemo(() => {
    if (active === 'trends') return [];
    const visible =
      active === 'all'
        ? timelineRecords
        : timelineRecords.filter((record) => String(record.result.header.category) === active);
    return buildTimeline(visible).entries;
  }, [timelineRecords, active]);
  const unreadable = records.filter((record) => !record.result.ok).length;
  const baseId = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  if (records.length === 0) {
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
      <PatientDetails records={patients} owner={owner} patient={patient} vault={vault} />
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
        {active === 'trends' ? (
          <Trends series={series} />
        ) : (
          // Keyed by tab, so each tab starts with its newest page.
          <TimelineList key={active} entries={entries} patient={patient} vault={vault} />
        )}
      </div>
      {active === 'all' ? <CareDirectory records={directory} patient={patient} vault={vault} /> : null}
    </section>
  );
}
