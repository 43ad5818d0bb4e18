'use client';

import type { Claim, Resource } from '@medplum/fhirtypes';
import { type ReactNode, useEffect, useId, useRef } from 'react';

import { moneyText, periodText } from '../../lib/fhir/display';
import type { ClaimDocument, ClaimView } from '../../lib/records/claims';
import { ProviderName } from '../patient/provider-name';
import { PatientName } from '../provider/patient-name';
import { conceptText } from '../records/format';
import { FhirJsonDetails, ResourceBody } from '../records/resource-view';
import { type ClaimAudience, ClaimHistory, ClaimStatusBadge } from './claim-history';
import styles from './claims.module.css';

/** "Lipid panel", "Office visit and 2 more": what a claim bills for, in a few words. */
export function claimTitle(claim: Claim | undefined): string {
  const services = [...new Set((claim?.item ?? []).map((item) => conceptText(item.productOrService, '')))].filter(
    Boolean,
  );
  if (services.length === 0) return 'Claim';
  return services.length === 1 ? services[0]! : `${services[0]} and ${services.length - 1} more`;
}

/** "$48.50 · service on Mar 2, 2026": the amount billed and when the care was given. */
export function claimSubtitle(claim: Claim | undefined): string | undefined {
  if (!claim) return undefined;
  const amount = moneyText(claim.total);
  const period = claim.billablePeriod;
  const when = periodText(period);
  return [amount ? `${amount} billed` : undefined, when ? `service on ${when}` : undefined].filter(Boolean).join(' · ');
}

type Unreadable = Extract<ClaimDocument<Resource>, { ok: false }>;

/** The step last taken on a claim, from this screen. */
export interface ClaimStepDone {
  readonly claimId: bigint;
  readonly message: string;
}

/**
 * The confirmation of a step just taken on this claim. A step moves the claim (to another group, or
 * out of the form that took it), which would take the form's own confirmation away: this one shows in
 * the claim wherever it now is, and brings it into view.
 */
export function StepDone({ message }: { message: string }) {
  const line = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    line.current?.scrollIntoView({ block: 'nearest' });
  }, [message]);
  return (
    <p ref={line} className="notice notice-ok" role="status">
      <strong>Done:</strong> {message}
    </p>
  );
}

/** Claim events that do not match what the claims contract stores: left out of the list, each with why. */
export function RefusedClaims({ refused }: { refused: readonly { reason: string }[] }) {
  if (refused.length === 0) return null;
  const one = refused.length === 1;
  return (
    <p className="notice notice-error" role="alert">
      {refused.length} claim event{one ? '' : 's'} did not match what the claims contract stores and{' '}
      {one ? 'is' : 'are'} not shown: {refused.map((claim) => claim.reason).join(' ')}
    </p>
  );
}

/** A record of the claim that this wallet could not open, and why. */
function Unopened({ document, what }: { document: Unreadable; what: string }) {
  return (
    <p className="notice notice-info small">
      {what} (record {document.recordId.toString()}) could not be opened here: {document.error.message}
    </p>
  );
}

/** A decrypted record of the claim in words, its FHIR JSON one click away. */
function Document({ document, what, title }: { document: ClaimDocument<Resource>; what: string; title: string }) {
  return (
    <section className={styles.document} aria-label={title}>
      <h4 className={styles.documentTitle}>{title}</h4>
      {document.ok ? (
        <>
          <ResourceBody resource={document.resource} />
          <FhirJsonDetails resource={document.resource} />
        </>
      ) : (
        <Unopened document={document} what={what} />
      )}
    </section>
  );
}

/** The other parties of a claim, by name, for whoever is looking. */
function Parties({ view, audience }: { view: ClaimView; audience: ClaimAudience }) {
  const { ref } = view;
  return (
    <dl className={styles.parties}>
      {audience !== 'patient' ? (
        <>
          <dt>Patient</dt>
          <dd>
            <PatientName patient={ref.patient} />
          </dd>
        </>
      ) : null}
      {audience !== 'provider' ? (
        <>
          <dt>Billed by</dt>
          <dd>
            <ProviderName address={ref.provider} />
          </dd>
        </>
      ) : null}
      {audience !== 'insurer' ? (
        <>
          <dt>Insurer</dt>
          <dd>
            <ProviderName address={ref.insurer} />
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/**
 * One claim as its patient, provider or insurer sees it: what it bills and for how much, who is
 * involved (by name), the status history from the chain, the decrypted Claim and the insurer's
 * answer, the patient's dispute, and the actions the viewer may take (`children`) or extra findings
 * (`aside`, e.g. the insurer's fraud review).
 */
export function ClaimCard({
  view,
  audience,
  aside,
  children,
}: {
  view: ClaimView;
  audience: ClaimAudience;
  aside?: ReactNode;
  children?: ReactNode;
}) {
  const headingId = useId();
  const claim = view.claim.ok ? view.claim.resource : undefined;
  const subtitle = claimSubtitle(claim);
  return (
    <li className={styles.card} aria-labelledby={headingId}>
      <div className={styles.head}>
        <h3 id={headingId} className={styles.title}>
          <span className={styles.number}>Claim {view.claimId.toString()}</span> {claimTitle(claim)}
        </h3>
        <ClaimStatusBadge status={view.status} disputed={view.disputed} audience={audience} />
      </div>
      {subtitle ? <p className={styles.subtitle}>{subtitle}</p> : null}
      <Parties view={view} audience={audience} />
      {aside}
      <div className={styles.columns}>
        <section aria-label="Status history">
          <h4 className={styles.documentTitle}>Status</h4>
          <ClaimHistory history={view.history} status={view.status} />
          {view.paymentReference ? (
            <p className="small muted">
              The insurer recorded a payment reference on-chain as a fingerprint only (
              <span className="mono">{view.paymentReference.slice(0, 10)}…</span>); the reference itself stays with the
              insurer and the provider.
            </p>
          ) : null}
        </section>
        <div className={styles.documents}>
          <Document document={view.claim} what="The claim" title="The claim" />
          {view.answer ? (
            <Document
              document={view.answer}
              what="The insurer’s decision"
              title={
                view.answer.ok && view.answer.resource.resourceType === 'ClaimResponse'
                  ? 'The insurer’s decision (claim response)'
                  : 'The insurer’s decision (explanation of benefit)'
              }
            />
          ) : null}
          {view.dispute ? (
            <section className={styles.document} aria-label="The patient’s dispute">
              <h4 className={styles.documentTitle}>The patient’s dispute</h4>
              {view.disputeReason ? (
                <p className="note-text">{view.disputeReason}</p>
              ) : !view.dispute.ok ? (
                <Unopened document={view.dispute} what="The dispute" />
              ) : (
                <p className="muted small">The dispute gives no reasons in words.</p>
              )}
            </section>
          ) : null}
        </div>
      </div>
      {children}
    </li>
  );
}
