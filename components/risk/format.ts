/**
 * How the insights screens print model values: risks as percentages, UCUM units as people write them,
 * indicators as words, dates in a fixed English format (the same on every machine).
 */
import type { FeatureSpec, ModelSpec, RiskBand, RiskInput } from '../../lib/ai';

const UNIT_TEXT: Readonly<Record<string, string>> = {
  a: 'years',
  '1': '',
  'mm[Hg]': 'mmHg',
  'kg/m2': 'kg/m²',
  'u[IU]/mL': 'µIU/mL',
};

/**
 * A UCUM unit as printed, e.g. `mm[Hg]` → `mmHg`.
 *
 * @param unit - UCUM code
 */
export function unitText(unit: string): string {
  return UNIT_TEXT[unit] ?? unit;
}

/**
 * A probability as a percentage with one decimal, e.g. 0.1353 → "13.5 %".
 *
 * @param risk - probability 0–1
 */
export function percent(risk: number): string {
  return `${(risk * 100).toFixed(1)} %`;
}

/**
 * A `YYYY-MM-DD` day or a Date as "14 May 1968" (UTC, so a day never shifts with the time zone).
 *
 * @param value - FHIR date, ISO string or Date
 */
export function dayText(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/**
 * Unix seconds as a date, e.g. an on-chain approval time.
 *
 * @param seconds - Unix seconds
 */
export function secondsText(seconds: number): string {
  return dayText(new Date(seconds * 1000));
}

/**
 * The label of a model column, e.g. `hdl` → "HDL cholesterol".
 *
 * @param spec - the model
 * @param name - column name
 */
export function featureLabel(spec: ModelSpec, name: string): string {
  return spec.features.find((feature) => feature.name === name)?.label ?? name.replace(/_/g, ' ');
}

function isIndicator(feature: FeatureSpec | undefined): boolean {
  return feature?.unit === '1' && feature.min === 0 && feature.max === 1 && !feature.categories;
}

/**
 * An input's value as a person reads it: "male", "yes", "213 mg/dL", "57 years".
 *
 * @param spec - the model the input feeds
 * @param input - the input
 */
export function inputValueText(spec: ModelSpec, input: RiskInput): string {
  const feature = spec.features.find((candidate) => candidate.name === input.name);
  if (input.name === 'sex_male') return input.value === 1 ? 'male' : 'female';
  if (isIndicator(feature)) return input.value === 1 ? 'yes' : 'no';
  if (feature?.categories) return `category ${input.value}`;
  const unit = unitText(input.unit);
  return unit ? `${input.value} ${unit}` : String(input.value);
}

/**
 * The model's bands as words, e.g. "low below 10 %, intermediate 10–20 %, high from 20 %".
 *
 * @param bands - the model's bands, ascending
 */
export function bandsText(bands: readonly RiskBand[]): string {
  const cut = (risk: number) => `${Number((risk * 100).toFixed(1))} %`;
  return bands
    .map((band, index) => {
      const lower = index === 0 ? undefined : bands[index - 1]!.below;
      if (lower === undefined) return `${band.label} below ${cut(band.below)}`;
      if (band.below === Infinity) return `${band.label} from ${cut(lower)}`;
      return `${band.label} ${cut(lower)}–${cut(band.below)}`;
    })
    .join(', ');
}

/** The global badge class for a band (green, amber, red). */
export const BAND_BADGE: Readonly<Record<RiskBand['label'], string>> = {
  low: 'badge badge-ok',
  intermediate: 'badge badge-warn',
  high: 'badge badge-bad',
};
