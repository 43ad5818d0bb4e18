'use client';

import { useId } from 'react';

import type { RiskResult } from '../../lib/ai';
import type { ModelReport, SourceRecord } from './assessment';
import { BAND_BADGE, bandsText, dayText, featureLabel, inputValueText, percent, secondsText } from './format';
import styles from './risk.module.css';

type Sources = ReadonlyMap<string, SourceRecord>;

/** One model: its score or why there is none, the inputs, what drove it, and where the model came from. */
export function ModelResult({ report, sources }: { report: ModelReport; sources: Sources }) {
  const headingId = useId();
  const { spec, result, refusal } = report;
  return (
    <article className={`card ${styles.model}`} aria-labelledby={headingId}>
      <div className={styles.modelHead}>
        <h3 id={headingId}>{spec.title}</h3>
        <StatusBadge report={report} />
      </div>
      <p className="muted small">Estimates: {spec.outcome}.</p>
      {refusal ? (
        <p className="notice notice-error">
          <strong>Not run:</strong> {refusal} An administrator must approve this exact model file before its scores are
          shown.
        </p>
      ) : result ? (
        <Outcome report={report} result={result} />
      ) : null}
      {result && result.inputs.length > 0 ? <Inputs report={report} result={result} sources={sources} /> : null}
      {result?.status === 'ok' ? <Contributions report={report} result={result} /> : null}
      {report.trend.length > 1 ? <Trend report={report} /> : null}
      <Provenance report={report} />
      <Card report={report} />
    </article>
  );
}

function StatusBadge({ report }: { report: ModelReport }) {
  const result = report.result;
  if (report.refusal) return <span className="badge badge-bad">Not approved</span>;
  if (result?.status === 'ok' && result.band)
    return <span className={BAND_BADGE[result.band]}>{result.band} risk</span>;
  if (result?.status === 'out-of-range') return <span className="badge">Outside validated range</span>;
  return <span className="badge">Not enough data</span>;
}

function Outcome({ report, result }: { report: ModelReport; result: RiskResult }) {
  if (result.status === 'ok' && result.risk !== null) {
    return (
      <div>
        <p className={styles.score}>
          <span className={styles.scoreValue}>{percent(result.risk)}</span> <span>{result.band} risk</span>
        </p>
        <p className="small muted">Bands: {bandsText(report.spec.bands)}.</p>
        {result.imputed.length > 0 ? (
          <p className="small">
            Not in the record, so filled in exactly as the model was trained to (the training data lacked them often):{' '}
            {result.imputed.join(', ')}.
          </p>
        ) : null}
      </div>
    );
  }
  if (result.status === 'out-of-range') {
    return (
      <p className="notice notice-info">
        <strong>No score:</strong> the record is outside what this model was validated for —{' '}
        {result.outOfRange.join('; ')}. A score here would be an extrapolation, so none is shown.
      </p>
    );
  }
  return (
    <p className="notice notice-info">
      <strong>Not enough data:</strong> needs {result.missing.join(', ')}. Add these results to the record and assess
      again; the model never guesses a missing value.
    </p>
  );
}

function sourceText(input: { source: string | null }, sources: Sources): string {
  if (!input.source) return 'Inferred: no record says otherwise';
  const record = sources.get(input.source);
  return record ? `Record #${record.recordId} · ${record.label}` : input.source;
}

function Inputs({ report, result, sources }: { report: ModelReport; result: RiskResult; sources: Sources }) {
  // Two columns with the source and date under each entry, so the table fits a phone without scrolling.
  return (
    <div className="table-wrap">
      <table>
        <caption className={styles.caption}>Inputs read from the record</caption>
        <thead>
          <tr>
            <th scope="col">Input · source record</th>
            <th scope="col">Value · date</th>
          </tr>
        </thead>
        <tbody>
          {result.inputs.map((input) => (
            <tr key={input.name}>
              <th scope="row">
                {featureLabel(report.spec, input.name)}
                <span className={`small muted ${styles.sub}`}>{sourceText(input, sources)}</span>
              </th>
              <td>
                {inputValueText(report.spec, input)}
                <span className={`small muted ${styles.sub}`}>
                  {input.date ? `${input.name === 'age' ? 'born ' : ''}${dayText(input.date)}` : 'no date'}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Contributions({ report, result }: { report: ModelReport; result: RiskResult }) {
  const sorted = [...result.contributions].sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const largest = Math.max(...sorted.map((entry) => Math.abs(entry.value)), 1e-9);
  return (
    <div className="table-wrap">
      <table>
        <caption className={styles.caption}>What drove the score</caption>
        <thead>
          <tr>
            <th scope="col">Input</th>
            <th scope="col">Contribution</th>
            <th scope="col">
              <span className={styles.srOnly}>Relative size</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((entry) => (
            <tr key={entry.name}>
              <th scope="row">{featureLabel(report.spec, entry.name)}</th>
              <td className="mono">
                {entry.value >= 0 ? '+' : '−'}
                {Math.abs(entry.value).toFixed(2)}
              </td>
              <td className={styles.barCell} aria-hidden="true">
                <span
                  className={entry.value >= 0 ? styles.barUp : styles.barDown}
                  style={{ width: `${Math.round((Math.abs(entry.value) / largest) * 100)}%` }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">
        Positive values raise the risk, negative values lower it; measured as {report.spec.contributionScale}.
      </p>
    </div>
  );
}

function Trend({ report }: { report: ModelReport }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className={styles.caption}>How the score changed as results were recorded</caption>
        <thead>
          <tr>
            <th scope="col">As of</th>
            <th scope="col">Risk</th>
          </tr>
        </thead>
        <tbody>
          {report.trend.map((point) => (
            <tr key={point.date}>
              <th scope="row" className={styles.date}>
                {dayText(point.date)}
              </th>
              <td>{percent(point.risk)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Provenance({ report }: { report: ModelReport }) {
  const { approval } = report;
  const registry = approval.approved
    ? `Approved on-chain on ${secondsText(approval.approvedAt)} (ModelRegistry: ${approval.registeredName}, version ${approval.registeredVersion})`
    : approval.deprecated
      ? `Approval withdrawn on-chain (deprecated in the ModelRegistry)`
      : 'Not approved in the on-chain ModelRegistry';
  return (
    <dl className={styles.provenance}>
      <dt>Model</dt>
      <dd>
        {report.spec.name} <span className="muted">version {report.spec.version}</span>
      </dd>
      <dt>SHA-256</dt>
      <dd className={`mono small ${styles.hash}`}>{report.sha256}</dd>
      <dt>Registry</dt>
      <dd>
        <span className={approval.approved ? 'badge badge-ok' : 'badge badge-bad'}>
          {approval.approved ? 'Approved on-chain' : 'Not approved'}
        </span>{' '}
        <span className="small">{registry}</span>
      </dd>
      <dt>Runs in</dt>
      <dd className="small">this browser (onnxruntime-web, WebAssembly); no data leaves the device</dd>
    </dl>
  );
}

function Card({ report }: { report: ModelReport }) {
  const card = report.card;
  const auc = card?.evaluation?.auc;
  return (
    <details className={styles.details}>
      <summary>Model card: intended use, evaluation and limits</summary>
      {card?.intendedUse ? <p>{card.intendedUse}</p> : null}
      {auc ? (
        <p>
          Discrimination (AUC, repeated 5-fold cross-validation): {auc.mean.toFixed(3)} ± {auc.sd.toFixed(3)}.
        </p>
      ) : card?.evaluation?.reported ? (
        <p>Published performance: {card.evaluation.reported}.</p>
      ) : null}
      {card?.limits?.length ? (
        <ul>
          {card.limits.map((limit) => (
            <li key={limit}>{limit}</li>
          ))}
        </ul>
      ) : null}
      {!card ? <p className="muted">The model card could not be loaded.</p> : null}
      <p className="small">
        <a href={`/models/${report.spec.name}.md`}>Full model card (Markdown)</a> ·{' '}
        <a href={`/models/${report.spec.name}.json`}>model card data (JSON)</a>
      </p>
    </details>
  );
}
