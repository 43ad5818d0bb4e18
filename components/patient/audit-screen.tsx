'use client';

import { Fragment, useId, useMemo, useState } from 'react';
import type { Address } from 'viem';

import { PURPOSE_OF_USE_SYSTEM } from '../../lib/chain/purpose';
import { AUDIT_GROUPS, type AuditGroup, auditBundle, auditCsv } from '../../lib/records/audit';
import { type StoryEntry, auditStory, storyRows } from '../../lib/records/audit-story';
import type { Vault } from '../../lib/records/vault';
import { LoadError, Skeleton } from '../gate';
import { useProviderNames } from '../use-provider-directory';
import { dateStamp, downloadBlob } from '../records/download';
import { formatDate, sameAddress, shortAddress } from '../records/format';
import styles from './audit.module.css';
import { PatientGate } from './patient-gate';
import { ProviderName } from './provider-name';
import { type PatientLedger, usePatientLedger } from './use-patient-ledger';

/** Entries a page shows: a screenful or two on a phone, a quick scan on a desktop. */
const PAGE_SIZE = 25;

interface Filters {
  who: string;
  group: AuditGroup | 'all';
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { who: 'all', group: 'all', from: '', to: '' };

/** The entries that match: by or about the person chosen, of the kind chosen, overlapping the dates chosen. */
function applyFilters(entries: readonly StoryEntry[], filters: Filters): StoryEntry[] {
  const from = filters.from ? new Date(`${filters.from}T00:00:00`).getTime() / 1000 : -Infinity;
  const to = filters.to ? new Date(`${filters.to}T23:59:59`).getTime() / 1000 : Infinity;
  return entries.filter(
    (entry) =>
      (filters.who === 'all' || sameAddress(entry.actor, filters.who) || sameAddress(entry.counterpart, filters.who)) &&
      (filters.group === 'all' || entry.group === filters.group) &&
      entry.end >= from &&
      entry.start <= to,
  );
}

/** When an entry happened: one time, or from its first event to its last. */
function when(entry: StoryEntry): string {
  if (entry.end - entry.start < 60) return formatDate(entry.end);
  const start = new Date(entry.start * 1000);
  const end = new Date(entry.end * 1000);
  const sameDay = start.toDateString() === end.toDateString();
  const endText = sameDay ? end.toLocaleTimeString(undefined, { timeStyle: 'short' }) : formatDate(entry.end);
  return `${formatDate(entry.start)} – ${endText}`;
}

function Who({ address, patient, ledger }: { address: Address; patient: Address; ledger: PatientLedger }) {
  if (sameAddress(address, patient)) return <>You</>;
  return <ProviderName address={address} standing={ledger.providers.get(address.toLowerCase())} />;
}

/** Record ids as a reader scans them: `#2–#150` for a run, `#151, #153` otherwise. */
function idRuns(ids: readonly bigint[]): string {
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const runs: string[] = [];
  for (let index = 0; index < sorted.length;) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1n) end++;
    runs.push(
      end - index >= 2
        ? `#${sorted[index]}–#${sorted[end]}`
        : sorted
            .slice(index, end + 1)
            .map((id) => `#${id}`)
            .join(', '),
    );
    index = end + 1;
  }
  return runs.join(', ');
}

/** What an entry is made of, on demand: its records by category, its purpose coded, its transactions. */
function EntryDetails({ entry }: { entry: StoryEntry }) {
  const [open, setOpen] = useState(false);
  const corrections = entry.rows.filter((row) => row.fhirSubtype === 'update' && row.group === 'write');
  return (
    <details className={styles.details} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        Details
        <span className="visually-hidden"> of this entry</span>
      </summary>
      {open ? (
        <dl className={styles.facts}>
          {entry.purpose ? (
            <>
              <dt>Purpose of use</dt>
              <dd>
                {entry.purpose.label}{' '}
                <span className="muted small">
                  (code {entry.purpose.coding.code},{' '}
                  {entry.purpose.coding.system === PURPOSE_OF_USE_SYSTEM ? 'HL7 PurposeOfUse' : 'MedLedger'})
                </span>
              </dd>
            </>
          ) : null}
          {entry.categories.map((category) => (
            <Fragment key={category.category}>
              <dt>
                {category.label} ({category.recordIds.length})
              </dt>
              <dd className={styles.ids}>{idRuns(category.recordIds)}</dd>
            </Fragment>
          ))}
          {corrections.length > 0 ? (
            <>
              <dt>Corrections</dt>
              <dd>{corrections.map((row) => row.detail).join('; ')}</dd>
            </>
          ) : null}
          <dt>{entry.transactions.length === 1 ? 'Transaction' : `Transactions (${entry.transactions.length})`}</dt>
          <dd>
            <ul className={styles.transactions}>
              {entry.transactions.map((hash) => (
                <li key={hash} className="mono small">
                  {hash}
                </li>
              ))}
            </ul>
          </dd>
        </dl>
      ) : null}
    </details>
  );
}

function StoryItem({ entry, patient, ledger }: { entry: StoryEntry; patient: Address; ledger: PatientLedger }) {
  return (
    <li className={styles.entry} data-group={entry.group}>
      <p className={styles.when}>
        <time dateTime={new Date(entry.end * 1000).toISOString()}>{when(entry)}</time>
      </p>
      <p className={styles.sentence}>
        {entry.sentence.map((part, index) =>
          typeof part === 'string' ? (
            <span key={index}>{part}</span>
          ) : (
            <Who key={index} address={part.who} patient={patient} ledger={ledger} />
          ),
        )}
      </p>
      {entry.summary ? <p className={`${styles.summary} small muted`}>{entry.summary}</p> : null}
      <EntryDetails entry={entry} />
    </li>
  );
}

function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  if (pages <= 1) return null;
  return (
    <nav className={styles.pager} aria-label="Audit trail pages">
      <button type="button" className="secondary" onClick={() => onPage(page - 1)} disabled={page === 1}>
        ← Newer
      </button>
      <span className="small muted" aria-current="page">
        Page {page} of {pages}
      </span>
      <button type="button" className="secondary" onClick={() => onPage(page + 1)} disabled={page === pages}>
        Older →
      </button>
    </nav>
  );
}

function Audit({ vault, patient }: { vault: Vault; patient: Address }) {
  const ledger = usePatientLedger(vault, patient, { live: true });
  const { nameOf } = useProviderNames();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const ids = { who: useId(), group: useId(), from: useId(), to: useId() };
  const entries = useMemo(() => (ledger.data ? auditStory(patient, ledger.data.activity) : []), [ledger.data, patient]);
  const actors = useMemo(() => {
    const seen = new Map<string, Address>();
    for (const entry of entries) {
      for (const address of [entry.actor, entry.counterpart]) {
        if (address && !sameAddress(address, patient)) seen.set(address.toLowerCase(), address);
      }
    }
    return [...seen.values()];
  }, [entries, patient]);

  if (ledger.isPending) return <Skeleton lines={5} label="Reading the audit trail from the chain" />;
  if (ledger.isError) {
    return <LoadError title="The audit trail could not be loaded" error={ledger.error} onRetry={ledger.refetch} />;
  }

  const visible = applyFilters(entries, filters);
  const filtered = visible.length !== entries.length;
  const pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const shown = visible.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => {
    setFilters((previous) => ({ ...previous, [key]: value }));
    setPage(1);
  };
  const exportCsv = () =>
    downloadBlob(auditCsv(storyRows(visible), nameOf), `medledger-audit-${dateStamp()}.csv`, 'text/csv;charset=utf-8');
  const exportFhir = () =>
    downloadBlob(
      JSON.stringify(
        auditBundle(storyRows(visible), {
          patient,
          chainId: vault.chain.deployment.chainId,
          contract: vault.chain.deployment.medLedger,
          nameOf,
        }),
        null,
        2,
      ),
      `medledger-audit-${dateStamp()}.json`,
      'application/fhir+json',
    );
  const turnTo = (next: number) => {
    setPage(next);
    document.getElementById('audit-story-section')?.scrollIntoView({ block: 'start' });
  };

  return (
    <>
      <p className="muted">
        Who read or changed your records and consents, when and why, as recorded on-chain: no one, MedLedger included,
        can edit or delete it. An import and a provider’s reading session are one entry each; Details lists their
        records and transactions.
      </p>
      <form className="card filters" aria-label="Filter the audit trail" onSubmit={(event) => event.preventDefault()}>
        <div className={`row ${styles.filterFields}`}>
          <div>
            <label htmlFor={ids.who}>Who</label>
            <select id={ids.who} value={filters.who} onChange={(event) => set('who', event.target.value)}>
              <option value="all">Everyone</option>
              <option value={patient}>You</option>
              {actors.map((address) => (
                <option key={address} value={address}>
                  {nameOf(address) ? `${nameOf(address)} (${shortAddress(address)})` : shortAddress(address)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.group}>What</label>
            <select
              id={ids.group}
              value={filters.group}
              onChange={(event) => set('group', event.target.value as Filters['group'])}
            >
              <option value="all">Everything</option>
              {AUDIT_GROUPS.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.from}>From</label>
            <input
              id={ids.from}
              type="date"
              value={filters.from}
              onChange={(event) => set('from', event.target.value)}
            />
          </div>
          <div>
            <label htmlFor={ids.to}>To</label>
            <input id={ids.to} type="date" value={filters.to} onChange={(event) => set('to', event.target.value)} />
          </div>
        </div>
        <div className="button-row">
          {filtered ? (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setFilters(NO_FILTERS);
                setPage(1);
              }}
            >
              Clear filters
            </button>
          ) : null}
          <button type="button" className="secondary" onClick={exportCsv} disabled={visible.length === 0}>
            Export as CSV
          </button>
          <button type="button" className="secondary" onClick={exportFhir} disabled={visible.length === 0}>
            Export as FHIR AuditEvent Bundle
          </button>
        </div>
        <p className="small muted" role="status" aria-live="polite">
          {filtered
            ? `${visible.length} of ${entries.length} entries match; exports contain every on-chain event of the matching entries.`
            : `${entries.length} entries; exports contain every on-chain event, one line or AuditEvent each.`}
        </p>
      </form>
      {visible.length === 0 ? (
        <p className="empty card">
          {entries.length === 0 ? 'Nothing has happened yet.' : 'No entries match these filters.'}
        </p>
      ) : (
        <section aria-labelledby="audit-story" id="audit-story-section">
          <h2 id="audit-story" className="visually-hidden">
            Audit trail, newest first
          </h2>
          <p className="small muted">
            {pages > 1
              ? `Entries ${(current - 1) * PAGE_SIZE + 1}–${(current - 1) * PAGE_SIZE + shown.length} of ${visible.length}, newest first.`
              : 'Newest first.'}
          </p>
          <ol className={styles.story} aria-labelledby="audit-story">
            {shown.map((entry) => (
              <StoryItem key={entry.id} entry={entry} patient={patient} ledger={ledger.data} />
            ))}
          </ol>
          <Pager page={current} pages={pages} onPage={turnTo} />
        </section>
      )}
    </>
  );
}

/**
 * /patient/audit: who read or changed what, when and why, told as entries (an import, a provider's
 * reading session), paged, with filters and CSV / FHIR exports of every on-chain event.
 */
export function AuditScreen() {
  return <PatientGate>{(vault, patient) => <Audit vault={vault} patient={patient} />}</PatientGate>;
}
