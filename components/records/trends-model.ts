/**
 * Trends: the numeric measurements a patient has more than once (blood pressure, weight, BMI, HbA1c,
 * glucose, cholesterol …) as series over time, each point traced to its record, each series with the
 * reference range of its latest result or, when results carry none, a typical adult range. Pure
 * functions; the charts are drawn by ./trends.
 */
import type { Observation, ObservationComponent, ObservationReferenceRange, Quantity } from '@medplum/fhirtypes';

import { LOINC, LOINC_DISPLAY, clinicalTime, codeIn, conceptText, unitText } from '../../lib/fhir/display';
import { ANALYTES } from './observation-presets';
import type { CurrentRecord } from './timeline-model';

/** One measured value, with the record it comes from. */
export interface TrendPoint {
  /** Milliseconds since the epoch of the measurement. */
  readonly time: number;
  readonly value: number;
  readonly recordId: bigint;
}

/** A reference range; either end may be open. */
export interface TrendRange {
  readonly low?: number;
  readonly high?: number;
  /** From the latest result itself, or the typical adult range MedLedger knows for the code. */
  readonly source: 'result' | 'typical';
}

/** One line of a chart: one analyte in one unit, oldest point first. */
export interface TrendLine {
  readonly code: string;
  readonly label: string;
  readonly points: readonly TrendPoint[];
  readonly range?: TrendRange;
}

/** One chart: blood pressure has two lines (systolic, diastolic), everything else one. */
export interface TrendSeries {
  readonly key: string;
  readonly label: string;
  /** The printed unit, e.g. `mmHg`. */
  readonly unit: string;
  readonly lines: readonly TrendLine[];
  /** Results of this analyte left out because they were in another unit. */
  readonly otherUnits: number;
}

const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';

/** Typical adult ranges for codes Synthea and EHRs send that the form presets do not cover. */
const TYPICAL_RANGES: Readonly<Record<string, { unit: string; low?: number; high?: number }>> = {
  '2339-0': { unit: 'mg/dL', low: 70, high: 99 },
  '2345-7': { unit: 'mg/dL', low: 70, high: 99 },
  '18262-6': { unit: 'mg/dL', high: 99 },
  '2571-8': { unit: 'mg/dL', high: 149 },
  '9279-1': { unit: '/min', low: 12, high: 20 },
  '8310-5': { unit: 'Cel', low: 36.1, high: 37.2 },
  '2947-0': { unit: 'mmol/L', low: 135, high: 145 },
  '6298-4': { unit: 'mmol/L', low: 3.5, high: 5.1 },
  '38483-4': { unit: 'mg/dL', low: 0.6, high: 1.3 },
  '33914-3': { unit: 'mL/min/{1.73_m2}', low: 60 },
};

/** The charts a patient portal shows first, in this order; other repeated values follow. */
const PREFERRED = [
  'bp',
  '29463-7',
  '39156-5',
  '4548-4',
  '2339-0',
  '2345-7',
  '1558-6',
  '2093-3',
  '18262-6',
  '2085-9',
  '2571-8',
  '8867-4',
];

interface Sample {
  readonly code: string;
  readonly label: string;
  readonly quantity: Quantity;
  readonly ranges?: ObservationReferenceRange[];
  readonly time: number;
  readonly recordId: bigint;
}

function codeOf(holder: Observation | ObservationComponent): string | undefined {
  const loinc = codeIn(holder.code, LOINC);
  if (loinc) return loinc;
  const coding = holder.code.coding?.[0];
  return coding?.code ? `${coding.system ?? ''}|${coding.code}` : undefined;
}

function labelOf(holder: Observation | ObservationComponent, code: string): string {
  return LOINC_DISPLAY[code] ?? conceptText(holder.code, code);
}

function unitOf(quantity: Quantity): string {
  return quantity.code ?? quantity.unit ?? '';
}

/** Every numeric value of the current, readable Observations: own values and components. */
function samplesOf(records: readonly CurrentRecord[]): Sample[] {
  const samples: Sample[] = [];
  for (const { result } of records) {
    if (!result.ok || result.payload.resource.resourceType !== 'Observation') continue;
    const observation = result.payload.resource;
    if (observation.status === 'entered-in-error' || observation.status === 'cancelled') continue;
    const time = clinicalTime(observation);
    if (time === undefined) continue;
    const holders: (Observation | ObservationComponent)[] = [observation, ...(observation.component ?? [])];
    for (const holder of holders) {
      const quantity = holder.valueQuantity;
      const code = codeOf(holder);
      if (quantity?.value === undefined || !Number.isFinite(quantity.value) || !code) continue;
      const ranges =
        holder === observation ? observation.referenceRange : (holder as ObservationComponent).referenceRange;
      samples.push({ code, label: labelOf(holder, code), quantity, ranges, time, recordId: result.header.recordId });
    }
  }
  return samples;
}

function rangeOf(latest: Sample, unit: string): TrendRange | undefined {
  const own = latest.ranges?.find((range) => range.low?.value !== undefined || range.high?.value !== undefined);
  if (own) {
    const ownUnit = own.low?.code ?? own.low?.unit ?? own.high?.code ?? own.high?.unit;
    if (!ownUnit || ownUnit === unit) return { low: own.low?.value, high: own.high?.value, source: 'result' };
  }
  const analyte = ANALYTES.get(latest.code);
  if (analyte && analyte.unit === unit && (analyte.low !== undefined || analyte.high !== undefined))
    return { low: analyte.low, high: analyte.high, source: 'typical' };
  const typical = TYPICAL_RANGES[latest.code];
  if (typical && typical.unit === unit) return { low: typical.low, high: typical.high, source: 'typical' };
  return undefined;
}

/** The unit most of the samples are in; the rest are counted, not converted. */
function mainUnit(samples: readonly Sample[]): string {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(unitOf(sample.quantity), (counts.get(unitOf(sample.quantity)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

function lineOf(code: string, samples: readonly Sample[], unit: string): TrendLine {
  const inUnit = samples
    .filter((sample) => unitOf(sample.quantity) === unit)
    .sort((a, b) => a.time - b.time || Number(a.recordId - b.recordId));
  const latest = inUnit.at(-1)!;
  return {
    code,
    label: latest.label,
    points: inUnit.map((sample) => ({ time: sample.time, value: sample.quantity.value!, recordId: sample.recordId })),
    range: rangeOf(latest, unit),
  };
}

/**
 * The measurements that repeat, as chart series: blood pressure (systolic and diastolic, from panel
 * components or separate results) first, then weight, BMI, HbA1c, glucose, lipids, heart rate, then
 * any other numeric result measured at least twice, most measured first.
 * @param records - current records (corrected versions are not charted)
 */
export function trendSeries(records: readonly CurrentRecord[]): TrendSeries[] {
  const byCode = new Map<string, Sample[]>();
  for (const sample of samplesOf(records)) {
    const list = byCode.get(sample.code);
    if (list) list.push(sample);
    else byCode.set(sample.code, [sample]);
  }
  const series: TrendSeries[] = [];
  const systolic = byCode.get(SYSTOLIC) ?? [];
  const diastolic = byCode.get(DIASTOLIC) ?? [];
  byCode.delete(SYSTOLIC);
  byCode.delete(DIASTOLIC);
  if (systolic.length >= 2) {
    const unit = mainUnit(systolic);
    const lines = [lineOf(SYSTOLIC, systolic, unit)];
    if (diastolic.some((sample) => unitOf(sample.quantity) === unit)) lines.push(lineOf(DIASTOLIC, diastolic, unit));
    series.push({
      key: 'bp',
      label: 'Blood pressure',
      unit: unitText(unit),
      lines,
      otherUnits: systolic.length - lines[0]!.points.length,
    });
  }
  for (const [code, samples] of byCode) {
    const unit = mainUnit(samples);
    const line = lineOf(code, samples, unit);
    if (line.points.length < 2) continue;
    series.push({
      key: code,
      label: line.label,
      unit: unitText(unit),
      lines: [line],
      otherUnits: samples.length - line.points.length,
    });
  }
  const rank = (item: TrendSeries) => {
    const index = PREFERRED.indexOf(item.key);
    return index === -1 ? PREFERRED.length : index;
  };
  const size = (item: TrendSeries) => item.lines[0]!.points.length;
  return series.sort((a, b) => rank(a) - rank(b) || size(b) - size(a) || a.label.localeCompare(b.label));
}

/**
 * Where a value lies against a range: above, below or within (undefined without a range).
 * @param value - the measured value
 * @param range - the reference range
 */
export function rangeFlag(value: number, range: TrendRange | undefined): 'high' | 'low' | 'normal' | undefined {
  if (!range) return undefined;
  if (range.high !== undefined && value > range.high) return 'high';
  if (range.low !== undefined && value < range.low) return 'low';
  return 'normal';
}

/**
 * A range in words: `90–129`, `≤ 99`, `≥ 40`.
 * @param range - the reference range
 */
export function rangeText(range: TrendRange): string {
  if (range.low !== undefined && range.high !== undefined) return `${range.low}–${range.high}`;
  if (range.high !== undefined) return `≤ ${range.high}`;
  return `≥ ${range.low}`;
}
