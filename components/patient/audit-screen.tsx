'use client';

import { useId, useMemo, useState } from 'react';
import type { Address } from 'viem';

import {
  AUDIT_GROUPS,
  type AuditGroup,
  type AuditRow,
  auditBundle,
  auditCsv,
  auditRows,
} from '../../lib/records/audit';
import type { Vault } from '../../lib/records/vault';
import { LoadError, Skeleton } from '../gate';
import { useAddressBook } from '../records/address-book';
import { dateStamp, downloadBlob } from '../records/download';
import { formatDate, sameAddress, shortAddress } from '../records/format';
import { PatientGate } from './patient-gate';
import { ProviderName } from './provider-name';
import { type PatientLedger, usePatientLedger } from './use-patient-ledger';

interface Filters {
  who: string;
  group: AuditGroup | 'all';
  from: string;
  to: string;
}

function applyFilters(rows: readonly AuditRow[], filters: Filters): AuditRow[] {
  const from = filters.from ? new Date(`${filters.from}T00:00:00`).getTime() / 1000 : -Infinity;
  const to = filters.to ? new Date(`${filters.to}T23:59:59`).getTime() / 1000 : Infinity;
  return rows.filter(
    (row) =>
      (filters.who === 'all' || sameAddress(row.actor, filters.who) || sameAddress(row.counterpart, filters.who)) &&
      (filters.group === 'all' || row.group === filters.group) &&
      row.timestamp >= from &&
      row.timestamp <= to,
  );
}

function Who({ address, patient, ledger }: { address: Address; patient: Address; ledger: PatientLedger }) {
  if (sameAddress(address, patient)) return <>You</>;
  return <ProviderName address={address} standing={ledger.providers.get(address.toLowerCase())} />;
}

function AuditTable({ rows, patient, ledger }: { rows: readonly AuditRow[]; patient: Address; ledger: PatientLedger }) {
  return (
    <div className="table-wrap">
      <table className="audit-table">
        <caption className="visually-hidden">Audit trail, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className={row.group === 'read' ? 'audit-read' : undefined}>
              <td data-label="When">{formatDate(row.timestamp)}</td>
              <td data-label="Who">
                <Who address={row.actor} patient={patient} ledger={ledger} />
              </td>
              <td data-label="What">
                {row.action}
                {row.counterpart && !sameAddress(row.counterpart, row.actor) ? (
                  <>
                    {' '}
                    {row.action === 'Granted access' ? 'to' : 'for'}{' '}
                    <ProviderName
                      address={row.counterpart}
                      standing={ledger.providers.get(row.counterpart.toLowerCase())}
                    />
                  </>
                ) : null}
              </td>
              <td data-label="Details">
                {row.detail}
                <div className="mono small muted" title={row.transactionHash}>
                  tx {row.transactionHash.slice(0, 10)}…
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Audit({ vault, patient }: { vault: Vault; patient: Address }) {
  const ledger = usePatientLedger(vault, patient);
  const { nameOf } = useAddressBook();
  const [filters, setFilters] = useState<Filters>({ who: 'all', group: 'all', from: '', to: '' });
  const ids = { who: useId(), group: useId(), from: useId(), to: useId() };
  const rows = useMemo(() => (ledger.data ? auditRows(patient, ledger.data.activity) : []), [ledger.data, patient]);
  const actors = useMemo(() => {
    const seen = new Map<string, Address>();
    for (const row of rows) {
      for (const address of [row.actor, row.counterpart]) {
        if (address && !sameAddress(address, patient)) seen.set(address.toLowerCase(), address);
      }
    }
    return [...seen.values()];
  }, [rows, patient]);

  if (ledger.isPending) return <Skeleton lines={5} label="Reading the audit trail from the chain" />;
  if (ledger.isError) {
    return <LoadError title="The audit trail could not be loaded" error={ledger.error} onRetry={ledger.refetch} />;
  }

  const visible = applyFilters(rows, filters);
  const filtered = visible.length !== rows.length;
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((current) => ({ ...current, [key]: value }));
  const exportCsv = () =>
    downloadBlob(auditCsv(visible, nameOf), `medledger-audit-${dateStamp()}.csv`, 'text/csv;charset=utf-8');
  const exportFhir = () =>
    downloadBlob(
      JSON.stringify(
        auditBundle(visible, {
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

  return (
    <>
      <p className="muted">
        Every change to your records and consents, and every time a provider opened your records, as recorded on-chain.
        No one, including MedLedger, can edit or delete these entries.
      </p>
      <form className="card filters" aria-label="Filter the audit trail" onSubmit={(event) => event.preventDefault()}>
        <div className="row">
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
              onClick={() => setFilters({ who: 'all', group: 'all', from: '', to: '' })}
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
            ? `${visible.length} of ${rows.length} entries match; exports contain the matching entries.`
            : `${rows.length} entries.`}
        </p>
      </form>
      {visible.length === 0 ? (
        <p className="empty card">
          {rows.length === 0 ? 'Nothing has happened yet.' : 'No entries match these filters.'}
        </p>
      ) : (
        <AuditTable rows={visible} patient={patient} ledger={ledger.data} />
      )}
    </>
  );
}

/** /patient/audit: who read or changed what, and when, with filters and CSV / FHIR exports. */
export function AuditScreen() {
  return <PatientGate>{(vault, patient) => <Audit vault={vault} patient={patient} />}</PatientGate>;
}
