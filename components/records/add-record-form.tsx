'use client';

import type { Resource } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useId, useState } from 'react';
import type { Address } from 'viem';

import { RECORD_CATEGORIES, decodeScopes } from '../../lib/chain/categories';
import { readMedLedger } from '../../lib/chain/medledger';
import { ValidationError } from '../../lib/errors';
import { validateResource } from '../../lib/fhir';
import { type ImportReport, importBundleRecords } from '../../lib/records/bundle';
import { checkIdentity } from '../../lib/records/profile';
import { loadKeyring } from '../../lib/records/read';
import type { Vault } from '../../lib/records/vault';
import { type WriteOptions, addFile, addRecords } from '../../lib/records/write';
import { LoadError, Skeleton } from '../gate';
import { TxStatus } from '../tx-status';
import { useTx } from '../use-tx';
import { categoryLabel, sameAddress } from './format';
import { DocumentUploadForm, FhirUploadForm, IssueList, useMaxDocumentBytes } from './import-forms';
import { AllergyForm, ConditionForm, ImmunizationForm, MedicationForm, ObservationForm } from './record-forms';

const KINDS = [
  { id: 'observation', label: 'Measurement', category: RECORD_CATEGORIES.observation },
  { id: 'condition', label: 'Condition (diagnosis)', category: RECORD_CATEGORIES.condition },
  { id: 'medication', label: 'Medication', category: RECORD_CATEGORIES.medication },
  { id: 'allergy', label: 'Allergy', category: RECORD_CATEGORIES.allergy },
  { id: 'immunization', label: 'Immunization', category: RECORD_CATEGORIES.immunization },
  { id: 'fhir', label: 'Upload FHIR JSON or Bundle', category: undefined },
  { id: 'document', label: 'Upload a document', category: RECORD_CATEGORIES.document },
] as const;

type Kind = (typeof KINDS)[number]['id'];

/**
 * The categories the acting account may add to `patient`'s record: all of them for the patient, the
 * write scopes of its live grant for a provider.
 */
function useWritableCategories(vault: Vault, patient: Address, known: readonly number[] | undefined) {
  const actor = vault.chain.account;
  const isPatient = sameAddress(actor, patient);
  return useQuery({
    queryKey: ['writable', patient, actor],
    enabled: !isPatient && !known && Boolean(actor),
    queryFn: async (): Promise<ReadonlySet<number>> => {
      const grant = await readMedLedger(vault.chain, 'grantOf', [patient, actor!]);
      const live =
        grant.scopes !== 0n && (await readMedLedger(vault.chain, 'hasAccess', [patient, actor!, grant.scopes]));
      return new Set(live ? decodeScopes(grant.scopes).write : []);
    },
  });
}

/**
 * Adds records to `patient`: forms for common resources (built as FHIR R4), a FHIR JSON / Bundle upload
 * and a document upload, all through the one lib/records pipeline with progress validate → encrypt →
 * upload → sign → confirmed. A provider sees only the kinds its grant lets it write: `categories` when
 * the caller already knows them, else read from the chain.
 */
export function AddRecordForm({
  vault,
  patient,
  onAdded,
  categories,
}: {
  vault: Vault;
  patient: Address;
  onAdded?: () => void;
  categories?: readonly number[];
}) {
  const isPatient = sameAddress(vault.chain.account, patient);
  const writable = useWritableCategories(vault, patient, categories);
  const maxDocumentBytes = useMaxDocumentBytes();
  const { state, run, busy, reset } = useTx();
  const [kind, setKind] = useState<Kind>('observation');
  const [invalid, setInvalid] = useState<ValidationError>();
  const groupName = useId();

  /** Runs a write with progress and, for a provider, the patient's keyring so the patient's category keys are used. */
  const write = useCallback(
    async (action: (options: WriteOptions) => Promise<unknown>, label: string): Promise<boolean> => {
      setInvalid(undefined);
      const result = await run(async ({ onProgress }) => {
        const keyring = isPatient ? undefined : await loadKeyring(vault, patient).catch(() => undefined);
        await action({ onProgress, keyring });
        return true;
      }, label);
      if (result) onAdded?.();
      return result === true;
    },
    [run, isPatient, vault, patient, onAdded],
  );

  const saveResource = useCallback(
    async (resource: Resource, label: string) => {
      try {
        validateResource(resource);
      } catch (error) {
        if (error instanceof ValidationError) {
          setInvalid(error);
          return false;
        }
        throw error;
      }
      return write((options) => addRecords(vault, patient, [{ payload: { resource } }], options), label);
    },
    [write, vault, patient],
  );

  if (!isPatient && !categories && writable.isPending) return <Skeleton lines={2} label="Checking your write access" />;
  if (!isPatient && !categories && writable.isError) {
    return <LoadError what="Could not check your write access" error={writable.error} onRetry={writable.refetch} />;
  }
  const allowed = isPatient ? undefined : categories ? new Set(categories) : (writable.data ?? new Set<number>());
  const kinds = KINDS.filter((entry) => !allowed || entry.category === undefined || allowed.has(entry.category));
  if (allowed && allowed.size === 0) {
    return (
      <p className="notice notice-info">
        You have no write access to this patient’s record. Ask the patient to grant “write” for the kinds of records you
        add.
      </p>
    );
  }
  const current = kinds.some((entry) => entry.id === kind) ? kind : kinds[0]!.id;
  const formProps = { patient, busy, save: saveResource };

  return (
    <div className="add-record">
      {allowed ? (
        <p className="small muted">
          Your access lets you add: {[...allowed].map((category) => categoryLabel(category).toLowerCase()).join(', ')}.
        </p>
      ) : null}
      <fieldset className="kind-picker">
        <legend>What would you like to add?</legend>
        <div className="checks">
          {kinds.map((entry) => (
            <label key={entry.id}>
              <input
                type="radio"
                name={groupName}
                value={entry.id}
                checked={current === entry.id}
                onChange={() => {
                  setKind(entry.id);
                  setInvalid(undefined);
                  if (!busy) reset();
                }}
              />
              {entry.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="card add-record-form">
        {current === 'observation' ? <ObservationForm {...formProps} /> : null}
        {current === 'condition' ? <ConditionForm {...formProps} /> : null}
        {current === 'medication' ? <MedicationForm {...formProps} /> : null}
        {current === 'allergy' ? <AllergyForm {...formProps} /> : null}
        {current === 'immunization' ? <ImmunizationForm {...formProps} /> : null}
        {current === 'fhir' ? (
          <FhirUploadForm
            busy={busy}
            writable={allowed}
            checkIdentity={(subjects) => checkIdentity(vault, patient, subjects)}
            importFile={async (text, { acceptMismatch }) => {
              let report: ImportReport | undefined;
              const done = await write(async (options) => {
                report = await importBundleRecords(vault, patient, text, { ...options, acceptMismatch });
              }, 'Import finished.');
              return done ? report : undefined;
            }}
          />
        ) : null}
        {current === 'document' ? (
          <DocumentUploadForm
            busy={busy}
            upload={(file, title, description, contentType) =>
              write(
                (options) =>
                  addFile(
                    vault,
                    patient,
                    { source: file, title, description, contentType, maxBytes: maxDocumentBytes },
                    options,
                  ),
                `“${title}” uploaded.`,
              )
            }
          />
        ) : null}
        {invalid ? (
          <IssueList
            title="The record is not valid FHIR R4."
            issues={invalid.issues}
            advice="Nothing was written. Correct these fields:"
          />
        ) : null}
        <TxStatus state={state} showSteps />
      </div>
    </div>
  );
}
