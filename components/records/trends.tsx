'use client';

import { useEffect, useRef, useState } from 'react';

import { formatNumber, valueWithUnit } from '../../lib/fhir/display';
import { type TrendLine, type TrendSeries, rangeFlag, rangeText } from './trends-model';

const CHART_HEIGHT = 180;

/** Colours of the lines, mirrored by the legend swatches (classes, so no inline styles are needed). */
const SWATCH_CLASSES = ['swatch-0', 'swatch-1'] as const;

function day(time: number): string {
  return new Date(time).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** The values of all lines at one time, e.g. `142/90 mmHg`; lines without a value there are skipped. */
function valuesAt(series: TrendSeries, time: number): string {
  const values = series.lines
    .map((line) => line.points.find((point) => point.time === time)?.value)
    .filter((value) => value !== undefined);
  if (values.length === 1) return valueWithUnit(values[0]!, series.unit);
  const text = values.map((value) => formatNumber(series.key === 'bp' ? Math.round(value) : value)).join('/');
  return series.unit ? `${text} ${series.unit}` : text;
}

function latestFlag(lines: readonly TrendLine[]): 'high' | 'low' | undefined {
  for (const line of lines) {
    const flag = rangeFlag(line.points.at(-1)!.value, line.range);
    if (flag === 'high' || flag === 'low') return flag;
  }
  return undefined;
}

function describe(series: TrendSeries): string {
  const first = series.lines[0]!.points[0]!;
  const last = series.lines[0]!.points.at(-1)!;
  const flag = latestFlag(series.lines);
  return (
    `${series.label}: ${series.lines[0]!.points.length} values from ${day(first.time)} to ${day(last.time)}; ` +
    `latest ${valuesAt(series, last.time)}${flag ? `, ${flag === 'high' ? 'above' : 'below'} the reference range` : ''}.`
  );
}

/** The canvas chart; uPlot is fetched on first use, and the chart follows the card's width. */
function TrendChart({ series }: { series: TrendSeries }) {
  const target = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const element = target.current;
    if (!element) return;
    let cancelled = false;
    let destroy = () => {};
    import('./uplot-chart')
      .then(({ drawTrend }) => {
        if (cancelled) return;
        const chart = drawTrend(element, series, { width: element.clientWidth, height: CHART_HEIGHT });
        const observer = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: CHART_HEIGHT }));
        observer.observe(element);
        destroy = () => {
          observer.disconnect();
          chart.destroy();
        };
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      destroy();
    };
  }, [series]);
  if (failed) return <p className="muted small">The chart could not be drawn; the values are listed below.</p>;
  return <div ref={target} className="trend-chart" role="img" aria-label={describe(series)} />;
}

function Legend({ series }: { series: TrendSeries }) {
  return (
    <ul className="trend-legend small">
      {series.lines.map((line, index) => (
        <li key={line.code}>
          {series.lines.length > 1 ? (
            <span className={`swatch ${SWATCH_CLASSES[index % SWATCH_CLASSES.length]}`} aria-hidden="true" />
          ) : null}
          {series.lines.length > 1 ? `${line.label}. ` : null}
          {line.range ? (
            <span className="muted">
              Shaded: reference {rangeText(line.range)} {series.unit}
              {line.range.source === 'typical' ? ' (typical adult range)' : ''}
            </span>
          ) : (
            <span className="muted">No reference range known</span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Every charted value with its date and the record it comes from. */
function ValuesTable({ series }: { series: TrendSeries }) {
  const times = [...new Set(series.lines.flatMap((line) => line.points.map((point) => point.time)))].sort(
    (a, b) => b - a,
  );
  return (
    <details className="trend-values">
      <summary>Values ({times.length}) and the records they come from</summary>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">{series.label}</th>
              <th scope="col">Record</th>
            </tr>
          </thead>
          <tbody>
            {times.map((time) => {
              const records = [
                ...new Set(
                  series.lines.flatMap((line) =>
                    line.points.filter((point) => point.time === time).map((point) => `#${point.recordId}`),
                  ),
                ),
              ];
              return (
                <tr key={time}>
                  <td>{day(time)}</td>
                  <td>{valuesAt(series, time)}</td>
                  <td>{records.join(', ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function TrendCard({ series }: { series: TrendSeries }) {
  const last = series.lines[0]!.points.at(-1)!;
  const flag = latestFlag(series.lines);
  return (
    <li className="trend-card">
      <h4 className="trend-title">{series.label}</h4>
      <p className="trend-latest">
        <strong>{valuesAt(series, last.time)}</strong>
        {flag ? (
          <span className={flag === 'high' ? 'flag-high' : 'flag-low'}> {flag === 'high' ? '↑ High' : '↓ Low'}</span>
        ) : null}
        <span className="muted small"> latest, {day(last.time)}</span>
      </p>
      <TrendChart series={series} />
      <Legend series={series} />
      {series.otherUnits > 0 ? (
        <p className="muted small">
          {series.otherUnits} result{series.otherUnits === 1 ? ' is' : 's are'} in another unit and not charted.
        </p>
      ) : null}
      <ValuesTable series={series} />
    </li>
  );
}

/**
 * Charts of the measurements that repeat, each with its reference range and a table of every value
 * and the record it comes from. Used by the patient's and the provider's record views alike.
 */
export function Trends({ series }: { series: readonly TrendSeries[] }) {
  if (series.length === 0) return <p className="empty">No measurement has been taken more than once yet.</p>;
  return (
    <section className="trends" aria-label="Trends">
      <p className="muted small">
        Measurements taken more than once, oldest to newest. Every value comes from a verified record; each chart lists
        them with their record numbers.
      </p>
      <ul className="trend-grid">
        {series.map((item) => (
          <TrendCard key={item.key} series={item} />
        ))}
      </ul>
    </section>
  );
}
