'use client';

import { type FormEvent, useId, useState } from 'react';
import { type Address, getAddress } from 'viem';

import type { PatientGrant } from '../../lib/chain/activity';
import { ClaimRecordOrphanedError, submitClaim } from '../../lib/records/claims';
import type { Vault } from '../../lib/records/vault';
import { usePatientPerson } from '../provider/patient-name';
import { Field, Suggestions } from '../records/record-forms';
import { nowLocal } from '../records/resource-builders';
import { TxStatus } from '../tx-status';
import { billsFor } from './billing-access';
import { useProviderNames } from '../use-provider-directory';
import { useTx } from '../use-tx';
import {
  type ClaimDraft,
  CURRENCIES,
  DIAGNOSIS_SUGGESTIONS,
  SERVICE_SUGGESTIONS,
  buildClaim,
  draftProblems,
  emptyClaimDraft,
} from './claim-draft';
import styles from './claims.module.css';
import { InsurerPicker } from './insurer-picker';

/** Today in the provider's time zone, `YYYY-MM-DD`. */
function localToday(): string {
  return nowLocal().slice(0, 10);
}

/** A patient as a choice of the select: their name, or their pseudonym. */
function PatientOption({ patient }: { patient: Address }) {
  const { label } = usePatientPerson(patient);
  return <option value={patient}>{label}</option>;
}

/**
 * The provider bills a patient's insurer for one service: the patient (among those who gave it read and
 * write access to Billing & insurance), the insurer (from the directory, insurers only), the service
 * with its code, date and amount, and the diagnosis. The form builds a FHIR R4 Claim, which lib/records
 * encrypts into the patient's record and submits to the claims contract, with progress throughout.
 */
export function SubmitClaimForm({
  vault,
  patients,
  initialPatient,
  onSubmitted,
}: {
  vault: Vault;
  patients: readonly PatientGrant[];
  initialPatient?: string;
  onSubmitted: () => void;
}) {
  const { state, run, busy } = useTx();
  const { labelOf } = useProviderNames();
  const billable = patients.filter(billsFor);
  const preset = billable.find((grant) => grant.patient.toLowerCase() === initialPatient?.toLowerCase());
  const [patient, setPatient] = useState<string>(preset?.patient ?? billable[0]?.patient ?? '');
  const [insurer, setInsurer] = useState('');
  const [draft, setDraft] = useState<ClaimDraft>(() => emptyClaimDraft(localToday()));
  const [shownProblems, setShownProblems] = useState<ReturnType<typeof draftProblems>>([]);
  const [problem, setProblem] = useState<string>();
  // A Claim record written by an attempt whose claim transaction then failed: presented again on retry.
  const [orphan, setOrphan] = useState<{ recordId: bigint; key: string }>();
  const ids = { patient: useId(), services: useId(), diagnoses: useId(), currency: useId() };
  const provider = vault.chain.account!;
  const set = <K extends keyof ClaimDraft>(field: K, value: ClaimDraft[K]) =>
    setDraft((current) => ({ ...current, [field]: value }));
  const problemOf = (field: keyof ClaimDraft) => shownProblems.find((entry) => entry.field === field)?.message;
  const attemptKey = JSON.stringify([patient, insurer, draft]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    const problems = draftProblems(draft, localToday());
    setShownProblems(problems);
    if (!patient) return setProblem('Choose the patient you bill for.');
    if (!insurer) return setProblem('Choose the insurer to bill from the directory.');
    if (problems.length > 0) return setProblem('Correct the fields marked below.');
    const patientAddress = getAddress(patient);
    const insurerAddress = getAddress(insurer);
    const retry = orphan?.key === attemptKey ? orphan.recordId : undefined;
    const claim = buildClaim(draft, {
      chainId: vault.chain.deployment.chainId,
      patient: patientAddress,
      provider: { address: provider, name: labelOf(provider) },
      insurer: { address: insurerAddress, name: labelOf(insurerAddress) },
    });
    const result = await run(
      async ({ onProgress }) => {
        try {
          return await submitClaim(vault, patientAddress, insurerAddress, claim, {
            onProgress,
            ...(retry === undefined ? {} : { recordId: retry }),
          });
        } catch (error) {
          if (error instanceof ClaimRecordOrphanedError) setOrphan({ recordId: error.recordId, key: attemptKey });
          throw error;
        }
      },
      (submitted) =>
        `Claim ${submitted.ref.claimId} submitted to ${labelOf(insurerAddress)}. The patient sees it under Billing & insurance.`,
    );
    if (result) {
      setOrphan(undefined);
      setDraft(emptyClaimDraft(localToday()));
      setShownProblems([]);
      onSubmitted();
    }
  }

  if (billable.length === 0) {
    return (
      <p className="notice notice-info">
        No patient has given you read and write access to Billing &amp; insurance, which billing needs. A patient grants
        it on their Access &amp; sharing page; you can also ask for it from your dashboard.
      </p>
    );
  }

  return (
    <form onSubmit={submit} aria-label="Submit a claim" noValidate>
      <label htmlFor={ids.patient}>Patient</label>
      <select id={ids.patient} value={patient} onChange={(event) => setPatient(event.target.value)} disabled={busy}>
        {billable.map((grant) => (
          <PatientOption key={grant.patient} patient={grant.patient} />
        ))}
      </select>
      <p className="small muted field-hint">Patients who gave you read and write access to Billing &amp; insurance.</p>
      <InsurerPicker
        value={insurer}
        onChange={setInsurer}
        exclude={provider}
        disabled={busy}
        legend="Insurer to bill"
      />
      <fieldset className={styles.service} disabled={busy}>
        <legend>Service given</legend>
        <div className="row">
          <Field
            label="Service"
            hint="Pick a suggestion to code it (CPT), or describe it."
            error={problemOf('service')}
          >
            {(id, describedBy) => (
              <input
                id={id}
                className={styles.wideInput}
                list={ids.services}
                maxLength={200}
                value={draft.service}
                aria-describedby={describedBy}
                aria-invalid={problemOf('service') ? true : undefined}
                onChange={(event) => set('service', event.target.value)}
              />
            )}
          </Field>
          <Field label="Code (optional)" hint="A CPT code of your own; suggestions fill it in.">
            {(id, describedBy) => (
              <input
                id={id}
                className={styles.codeInput}
                maxLength={16}
                value={draft.serviceCode}
                placeholder={SERVICE_SUGGESTIONS.find((entry) => entry.text === draft.service.trim())?.code}
                aria-describedby={describedBy}
                onChange={(event) => set('serviceCode', event.target.value)}
              />
            )}
          </Field>
        </div>
        <Suggestions id={ids.services} items={SERVICE_SUGGESTIONS} showCodes />
        <div className="row">
          <Field label="Date of service" error={problemOf('date')}>
            {(id, describedBy) => (
              <input
                id={id}
                type="date"
                max={localToday()}
                value={draft.date}
                aria-describedby={describedBy}
                aria-invalid={problemOf('date') ? true : undefined}
                onChange={(event) => set('date', event.target.value)}
              />
            )}
          </Field>
          <Field label="Amount" error={problemOf('amount')}>
            {(id, describedBy) => (
              <span className={styles.amount}>
                <input
                  id={id}
                  inputMode="decimal"
                  placeholder="0.00"
                  value={draft.amount}
                  aria-describedby={describedBy}
                  aria-invalid={problemOf('amount') ? true : undefined}
                  onChange={(event) => set('amount', event.target.value)}
                />
                <select
                  aria-label="Currency"
                  value={draft.currency}
                  onChange={(event) => set('currency', event.target.value as ClaimDraft['currency'])}
                >
                  {CURRENCIES.map((currency) => (
                    <option key={currency}>{currency}</option>
                  ))}
                </select>
              </span>
            )}
          </Field>
        </div>
        <Field label="Diagnosis (optional)" hint="Pick a suggestion to code it (ICD-10-CM), or describe it.">
          {(id, describedBy) => (
            <input
              id={id}
              className={styles.wideInput}
              list={ids.diagnoses}
              maxLength={200}
              value={draft.diagnosis}
              aria-describedby={describedBy}
              onChange={(event) => set('diagnosis', event.target.value)}
            />
          )}
        </Field>
        <Suggestions id={ids.diagnoses} items={DIAGNOSIS_SUGGESTIONS} showCodes />
      </fieldset>
      <p className="small muted">
        The claim is encrypted in this browser and added to the patient’s record under Billing &amp; insurance, which
        the patient and the insurer can open; the chain learns only that a claim exists, between whom, and its status.
      </p>
      {orphan?.key === attemptKey ? (
        <p className="notice notice-info">
          The claim record {orphan.recordId.toString()} is already in the patient’s record; submitting again presents it
          instead of writing another.
        </p>
      ) : null}
      {problem ? (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Submitting…' : 'Submit claim'}
      </button>
      <TxStatus state={state} showSteps />
    </form>
  );
}
