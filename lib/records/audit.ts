/**
 * The patient's audit trail as rows a person reads (who, what, when), and its two exports: CSV for a
 * spreadsheet and a FHIR R4 Bundle of AuditEvent resources for another system. Pure functions, shared
 * by the web app's audit screen and the CLI's `audit --format csv|fhir`.
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { Address, Hex } from 'viem';

import type { ActivityEvent } from '../chain/activity';
import { categoryLabel, scopeSummary } from '../chain/categories';
import { type PurposeOfUse, purposeOf } from '../chain/purpose';
import { formatDate } from '../fhir/display';

export type AuditGroup = 'read' | 'write' | 'consent' | 'account';

export const AUDIT_GROUPS: readonly { id: AuditGroup; label: string }[] = [
  { id: 'read', label: 'Records opened' },
  { id: 'write', label: 'Records added' },
  { id: 'consent', label: 'Access changes and requests' },
  { id: 'account', label: 'Account' },
];

/** One line of the audit trail. */
export interface AuditRow {
  readonly id: string;
  readonly timestamp: number;
  readonly group: AuditGroup;
  /** Who did it (the patient for grants and revocations, the provider for reads and requests). */
  readonly actor: Address;
  /** The provider a consent change concerns. */
  readonly counterpart?: Address;
  readonly action: string;
  readonly detail: string;
  readonly recordIds: readonly bigint[];
  readonly categories: readonly number[];
  /** Why the records were opened (reads only), as the provider logged it. */
  readonly purpose?: PurposeOfUse;
  readonly fhirAction: AuditEvent['action'];
  readonly fhirSubtype: 'read' | 'create' | 'update' | 'delete';
  readonly transactionHash: Hex;
}

function recordList(
  ids: readonly bigint[],
  categoryOf: ReadonlyMap<bigint, number>,
): { text: string; categories: number[] } {
  const categories = [
    ...new Set(ids.map((id) => categoryOf.get(id)).filter((category): category is number => category !== undefined)),
  ];
  const shown = ids.slice(0, 12).map((id) => `#${id}`);
  const more = ids.length > shown.length ? ` and ${ids.length - shown.length} more` : '';
  const kinds = categories.length ? ` (${categories.map(categoryLabel).join(', ')})` : '';
  return { text: `${shown.join(', ')}${more}${kinds}`, categories };
}

/** The activity of `patient` as audit rows, newest first. */
export function auditRows(patient: Address, activity: readonly ActivityEvent[]): AuditRow[] {
  const categoryOf = new Map<bigint, number>();
  for (const event of activity) if (event.kind === 'recordAdded') categoryOf.set(event.recordId, event.category);
  const rows = activity.map((event): AuditRow => {
    const base = {
      id: `${event.transactionHash}-${event.logIndex}`,
      timestamp: event.timestamp,
      transactionHash: event.transactionHash,
      recordIds: [] as bigint[],
      categories: [] as number[],
    };
    switch (event.kind) {
      case 'registered':
        return {
          ...base,
          group: 'account',
          actor: patient,
          action: 'Registered as a patient',
          detail: '',
          fhirAction: 'C',
          fhirSubtype: 'create',
        };
      case 'recordAdded': {
        const correction = event.supersedes !== 0n;
        return {
          ...base,
          group: 'write',
          actor: event.author,
          action: correction ? 'Corrected a record' : 'Added a record',
          detail: `#${event.recordId} (${categoryLabel(event.category)})${correction ? `, replacing #${event.supersedes}` : ''}`,
          recordIds: [event.recordId],
          categories: [event.category],
          fhirAction: correction ? 'U' : 'C',
          fhirSubtype: correction ? 'update' : 'create',
        };
      }
      case 'accessLogged': {
        const list = recordList(event.recordIds, categoryOf);
        const purpose = purposeOf(event.purpose);
        return {
          ...base,
          group: 'read',
          actor: event.provider,
          action: `Opened ${event.recordIds.length} record${event.recordIds.length === 1 ? '' : 's'}`,
          detail: `${list.text} ${purpose.phrase}`,
          purpose,
          recordIds: event.recordIds,
          categories: list.categories,
          fhirAction: 'R',
          fhirSubtype: 'read',
        };
      }
      case 'accessGranted':
        return {
          ...base,
          group: 'consent',
          actor: patient,
          counterpart: event.provider,
          action: 'Granted access',
          detail: `${scopeSummary(event.scopes)} until ${formatDate(event.expiry)}`,
          fhirAction: 'C',
          fhirSubtype: 'create',
        };
      case 'accessRevoked':
        return {
          ...base,
          group: 'consent',
          actor: patient,
          counterpart: event.provider,
          action: 'Revoked access',
          detail: '',
          fhirAction: 'D',
          fhirSubtype: 'delete',
        };
      case 'accessRequested':
        return {
          ...base,
          group: 'consent',
          actor: event.provider,
          counterpart: event.provider,
          action: 'Requested access',
          detail: scopeSummary(event.scopes),
          fhirAction: 'E',
          fhirSubtype: 'create',
        };
      case 'requestDenied':
        return {
          ...base,
          group: 'consent',
          actor: patient,
          counterpart: event.provider,
          action: 'Denied a request',
          detail: '',
          fhirAction: 'U',
          fhirSubtype: 'update',
        };
      case 'keyringShared':
        return {
          ...base,
          group: 'consent',
          actor: patient,
          counterpart: event.provider,
          action: 'Shared new keys',
          detail: `key epoch ${event.keyEpoch} (after a revocation)`,
          fhirAction: 'U',
          fhirSubtype: 'update',
        };
    }
  });
  return rows.reverse();
}

/**
 * What makes a spreadsheet read a cell as a formula (OWASP, CSV injection): =, +, - or @ first, or a
 * tab or carriage return first, which some spreadsheets skip to find one of those after it.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: string): string {
  const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;
  if (FORMULA_START.test(value)) return quoted(`'${value}`);
  return /[",\n\r]/.test(value) ? quoted(value) : value;
}

/** The rows as CSV (RFC 4180) with ISO times and full addresses. */
export function auditCsv(rows: readonly AuditRow[], nameOf: (address: string) => string | undefined): string {
  const header = [
    'time',
    'actor',
    'actor_name',
    'action',
    'purpose',
    'provider',
    'provider_name',
    'records',
    'categories',
    'detail',
    'transaction',
  ];
  const lines = rows.map((row) =>
    [
      new Date(row.timestamp * 1000).toISOString(),
      row.actor,
      nameOf(row.actor) ?? '',
      row.action,
      row.purpose?.name ?? '',
      row.counterpart ?? '',
      row.counterpart ? (nameOf(row.counterpart) ?? '') : '',
      row.recordIds.join(' '),
      row.categories.map(categoryLabel).join(' '),
      row.detail,
      row.transactionHash,
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

const TRANSACTION_HASH_URL = 'https://medledger.dev/fhir/StructureDefinition/transaction-hash';

/**
 * The rows as a FHIR R4 collection Bundle of AuditEvents: type, subtype and action, recorded time, the
 * acting account as `agent.who` (a did:pkh identifier), the records (or consent) as `entity.what`, and
 * the patient as a Person entity.
 */
export function auditBundle(
  rows: readonly AuditRow[],
  context: { patient: Address; chainId: number; contract: Address; nameOf: (address: string) => string | undefined },
): Bundle<AuditEvent> {
  const did = (address: string) => `did:pkh:eip155:${context.chainId}:${address}`;
  const events = rows.map((row): AuditEvent => {
    const entities: NonNullable<AuditEvent['entity']> = [
      {
        what: { reference: `Patient/${context.patient}` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
      },
      ...row.recordIds.map((id) => ({
        what: {
          identifier: { system: `urn:medledger:${context.chainId}:${context.contract}:record`, value: id.toString() },
          display: `record #${id}`,
        },
        type: {
          system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
          code: '2',
          display: 'System Object',
        },
      })),
      ...(row.group === 'consent' && row.counterpart
        ? [
            {
              what: {
                identifier: { system: 'urn:ietf:rfc:3986', value: did(row.counterpart) },
                display: context.nameOf(row.counterpart) ?? row.counterpart,
              },
              description: `${row.action}${row.detail ? `: ${row.detail}` : ''}`,
            },
          ]
        : []),
    ];
    return {
      resourceType: 'AuditEvent',
      extension: [{ url: TRANSACTION_HASH_URL, valueString: row.transactionHash }],
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
        code: 'rest',
        display: 'RESTful Operation',
      },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: row.fhirSubtype }],
      action: row.fhirAction,
      ...(row.purpose ? { purposeOfEvent: [{ coding: [row.purpose.coding], text: row.purpose.label }] } : {}),
      recorded: new Date(row.timestamp * 1000).toISOString(),
      outcome: '0',
      outcomeDesc: row.action,
      agent: [
        {
          who: {
            identifier: { system: 'urn:ietf:rfc:3986', value: did(row.actor) },
            display: context.nameOf(row.actor) ?? row.actor,
          },
          requestor: true,
        },
      ],
      source: { observer: { display: `MedLedger ${context.contract} on chain ${context.chainId}` } },
      entity: entities,
    };
  });
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date().toISOString(),
    entry: events.map((resource) => ({ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource })),
  };
}
