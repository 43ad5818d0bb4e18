'use client';

import Link from 'next/link';

import type { GrantStatus, PatientGrant, SentRequest } from '../../lib/chain/activity';
import { formatDate, relativeTime } from '../records/format';
import { PatientName, usePatientPerson } from './patient-name';
import { scopeSummary } from './scopes';

const STATUS: Record<GrantStatus, { label: string; badge: string; help: string }> = {
  active: { label: 'Active', badge: 'badge-ok', help: 'You can open these records.' },
  expired: { label: 'Expired', badge: 'badge-warn', help: 'Ask the patient to renew access.' },
  revoked: {
    label: 'Revoked',
    badge: 'badge-bad',
    help: 'The patient withdrew access; nothing written since is shared with you.',
  },
  suspended: { label: 'Paused', badge: 'badge-bad', help: 'Your provider account is suspended.' },
};

/** Link to one patient's records on the provider side. */
export function patientHref(patient: string, page: 'records' | 'insights' = 'records'): string {
  return `/provider/${page === 'records' ? 'patient' : 'insights'}?address=${patient}`;
}

/** One patient's grant: who (by name when the profile is shared), what, until when, the state, links. */
function GrantRow({ grant }: { grant: PatientGrant }) {
  const status = STATUS[grant.status];
  const { label } = usePatientPerson(grant.patient);
  return (
    <tr>
      <td data-label="Patient">
        <PatientName patient={grant.patient} />
      </td>
      <td data-label="Access">{scopeSummary(grant.scopes)}</td>
      <td data-label="Until">
        {formatDate(grant.expiry)}
        {grant.status === 'active' ? <span className="muted small"> ({relativeTime(grant.expiry)})</span> : null}
      </td>
      <td data-label="Status">
        <span className={`badge ${status.badge}`}>{status.label}</span>
        <span className="muted small block">{status.help}</span>
      </td>
      <td data-label="Open">
        {grant.status === 'active' ? (
          <span className="link-list">
            <Link href={patientHref(grant.patient)} aria-label={`Records of ${label}`}>
              Records
            </Link>
            <Link href={patientHref(grant.patient, 'insights')} aria-label={`Risk scores of ${label}`}>
              Risk scores
            </Link>
          </span>
        ) : (
          <Link href={patientHref(grant.patient)} aria-label={`Details of ${label}`}>
            Details
          </Link>
        )}
      </td>
    </tr>
  );
}

/** Patients who granted this provider access, active ones first, with what, until when, and the state. */
export function PatientGrants({ grants }: { grants: readonly PatientGrant[] }) {
  if (grants.length === 0) {
    return (
      <p className="empty">
        No patient has granted you access yet. Ask a patient for their MedLedger address and send a request below, or
        open the consent link a patient gave you.
      </p>
    );
  }
  const order: GrantStatus[] = ['active', 'expired', 'suspended', 'revoked'];
  const sorted = [...grants].sort(
    (a, b) => order.indexOf(a.status) - order.indexOf(b.status) || b.grantedAt - a.grantedAt,
  );
  return (
    <div className="table-wrap">
      <table className="stack-table">
        <caption className="visually-hidden">Patients who granted you access</caption>
        <thead>
          <tr>
            <th scope="col">Patient</th>
            <th scope="col">Access</th>
            <th scope="col">Until</th>
            <th scope="col">Status</th>
            <th scope="col">Open</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((grant) => (
            <GrantRow key={grant.patient} grant={grant} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const OUTCOME: Record<SentRequest['outcome'], { label: string; badge: string }> = {
  pending: { label: 'Waiting for the patient', badge: 'badge-warn' },
  granted: { label: 'Granted', badge: 'badge-ok' },
  denied: { label: 'Declined', badge: 'badge-bad' },
};

/** Requests this provider sent that the patient has not answered yet, and the ones they declined. */
export function SentRequests({ requests }: { requests: readonly SentRequest[] }) {
  const open = requests.filter((request) => request.outcome !== 'granted').sort((a, b) => b.timestamp - a.timestamp);
  if (open.length === 0) {
    return <p className="empty">No open requests. Requests you send appear here until the patient answers.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="stack-table">
        <caption className="visually-hidden">Access requests you sent</caption>
        <thead>
          <tr>
            <th scope="col">Patient</th>
            <th scope="col">Requested</th>
            <th scope="col">Sent</th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {open.map((request) => (
            <tr key={request.patient}>
              <td data-label="Patient">
                <PatientName patient={request.patient} />
              </td>
              <td data-label="Requested">{scopeSummary(request.scopes)}</td>
              <td data-label="Sent">{formatDate(request.timestamp)}</td>
              <td data-label="Answer">
                <span className={`badge ${OUTCOME[request.outcome].badge}`}>{OUTCOME[request.outcome].label}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
