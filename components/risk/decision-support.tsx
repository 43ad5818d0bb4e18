'use client';

import { ONC_HIGH_PRIORITY_DDI } from '../../lib/ai';
import { ProviderName, useProviderLabel } from '../patient/provider-name';
import type { RiskReport } from './assessment';
import styles from './risk.module.css';

/** Drug–drug interaction flags for the active medications (ONC high-priority list). */
export function Interactions({ report }: { report: RiskReport }) {
  const { interactions, medications } = report;
  return (
    <section className="card" aria-labelledby="risk-interactions">
      <h2 id="risk-interactions">Drug interactions</h2>
      {interactions.length > 0 ? (
        <ul className={styles.findings}>
          {interactions.map((flag) => (
            <li
              key={`${flag.interactionId}-${flag.object.source}-${flag.precipitant.source}`}
              className="notice notice-error"
            >
              <strong>{flag.name}</strong>
              <br />
              {flag.message} Review with the prescriber.
            </li>
          ))}
        </ul>
      ) : medications.length > 0 ? (
        <p className="notice notice-ok">
          No high-priority interaction among the {medications.length} active medication
          {medications.length === 1 ? '' : 's'}: {medications.map((medication) => medication.display).join(', ')}.
        </p>
      ) : (
        <p className="empty">No active medications in the records, so there is nothing to check.</p>
      )}
      <p className="small muted">
        Checked against the list of {ONC_HIGH_PRIORITY_DDI.title} ({ONC_HIGH_PRIORITY_DDI.citation}), matched by RxNorm
        ingredient. Interactions outside that list are not checked.
      </p>
    </section>
  );
}

/** Values in the record outside physiologic ranges, with a unit that cannot be right, or dated in the future. */
export function Plausibility({ report }: { report: RiskReport }) {
  const { plausibility } = report;
  return (
    <section className="card" aria-labelledby="risk-plausibility">
      <h2 id="risk-plausibility">Values to double-check</h2>
      {plausibility.length > 0 ? (
        <ul className={styles.findings}>
          {plausibility.map(({ warning, source }) => (
            <li key={`${warning.path}-${warning.code}`} className="notice notice-error">
              {warning.message}
              {source ? (
                <span className="small">
                  {' '}
                  — record #{source.recordId} ({source.label})
                </span>
              ) : null}
              . A wrong value can distort every score above; correct the record if it was mistyped.
            </li>
          ))}
        </ul>
      ) : (
        <p className="notice notice-ok">
          Every measurement in the {report.recordsUsed} records is within physiologic limits, in a sensible unit and not
          dated in the future.
        </p>
      )}
    </section>
  );
}

/** Findings of unusual-access detection over the patient's own audit trail. */
export function AccessReview({ report }: { report: RiskReport }) {
  const labelOf = useProviderLabel();
  const access = report.access;
  if (!access) return null;
  return (
    <section className="card" aria-labelledby="risk-access">
      <h2 id="risk-access">Unusual access to your records</h2>
      {access.findings.length > 0 ? (
        <ul className={styles.findings}>
          {access.findings.map((finding) => (
            <li key={`${finding.provider}-${finding.measure}`} className="notice notice-error">
              <strong>
                <ProviderName address={finding.provider} /> opened {finding.count} {finding.measure} in the last 24
                hours
              </strong>
              , far above its usual {finding.baselineMean.toFixed(1)} per day. If you did not expect this, revoke its
              access on your dashboard.
            </li>
          ))}
        </ul>
      ) : access.reads > 0 ? (
        <p className="notice notice-ok">
          Nothing unusual: {access.reads} logged read{access.reads === 1 ? '' : 's'} by {access.providers} provider
          {access.providers === 1 ? '' : 's'} reviewed; none opened far more of your records in the last 24 hours than
          it usually does.
        </p>
      ) : (
        <p className="empty">No provider has opened your records yet, so there is nothing to review.</p>
      )}
      {access.notEnoughHistory.length > 0 ? (
        <p className="small">
          Not enough history yet to judge {access.notEnoughHistory.length} provider
          {access.notEnoughHistory.length === 1 ? '' : 's'} ({access.notEnoughHistory.map(labelOf).join(', ')}): a
          provider is judged once its first logged read is a week old.
        </p>
      ) : null}
      <p className="small muted">
        Reviewed from the read log on the blockchain, on each provider’s reads of every patient — the same review the
        administrator sees: a provider is flagged when the records it opened in the last 24 hours number more than ten
        and lie far above its own history (over three times its daily average of the previous 30 days and three standard
        deviations above it).
      </p>
    </section>
  );
}
