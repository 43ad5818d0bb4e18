import type {
  CodeableConcept,
  Observation,
  ObservationComponent,
  ObservationReferenceRange,
  Quantity,
} from '@medplum/fhirtypes';

import { bloodPressureOf, bloodPressureText, observationValueText } from '../../lib/fhir/display';
import { codeIn, conceptText, unitText } from './format';
import { ANALYTES, LOINC_SYSTEM } from './observation-presets';

type Flag = 'high' | 'low' | 'critical-high' | 'critical-low' | 'abnormal';

/** One value of an Observation (or a component) as a clinician reads it. */
export interface AssessedValue {
  readonly label: string;
  readonly value: string;
  readonly range?: string;
  /** Whether the range came with the result or is the typical adult range we know for the code. */
  readonly rangeSource?: 'result' | 'typical';
  readonly flag?: Flag;
}

const INTERPRETATION_FLAGS: Readonly<Record<string, Flag>> = {
  H: 'high',
  HH: 'critical-high',
  HU: 'critical-high',
  L: 'low',
  LL: 'critical-low',
  LU: 'critical-low',
  A: 'abnormal',
  AA: 'abnormal',
};

const FLAG_TEXT: Readonly<Record<Flag, string>> = {
  high: 'High',
  low: 'Low',
  'critical-high': 'Critically high',
  'critical-low': 'Critically low',
  abnormal: 'Abnormal',
};

type Holder = Pick<
  Observation | ObservationComponent,
  'code' | 'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'valueBoolean' | 'valueInteger' | 'interpretation'
> & {
  referenceRange?: ObservationReferenceRange[];
};

function interpretationFlag(interpretation: CodeableConcept[] | undefined): Flag | undefined {
  for (const concept of interpretation ?? []) {
    for (const coding of concept.coding ?? []) {
      const flag = coding.code ? INTERPRETATION_FLAGS[coding.code] : undefined;
      if (flag) return flag;
    }
  }
  return undefined;
}

function rangeText(low: number | undefined, high: number | undefined, unit: string | undefined): string | undefined {
  const printed = unitText(unit);
  const suffix = printed ? (printed === '%' ? '%' : ` ${printed}`) : '';
  if (low !== undefined && high !== undefined) return `${low}–${high}${suffix}`;
  if (high !== undefined) return `≤ ${high}${suffix}`;
  if (low !== undefined) return `≥ ${low}${suffix}`;
  return undefined;
}

function flagFromRange(value: number | undefined, low: number | undefined, high: number | undefined): Flag | undefined {
  if (value === undefined) return undefined;
  if (high !== undefined && value > high) return 'high';
  if (low !== undefined && value < low) return 'low';
  return undefined;
}

/**
 * The value, reference range and high/low flag of an Observation or component. An explicit
 * interpretation wins; otherwise the flag is computed from the result's own range, or from the typical
 * adult range of its LOINC code when the units match.
 */
export function assessValue(holder: Holder): AssessedValue {
  const label = conceptText(holder.code);
  const value = observationValueText(holder) ?? '—';
  const quantity: Quantity | undefined = holder.valueQuantity;
  const own = holder.referenceRange?.[0];
  const unit = quantity?.code ?? quantity?.unit;
  let range: string | undefined;
  let rangeSource: AssessedValue['rangeSource'];
  let computed: Flag | undefined;
  if (own) {
    range =
      own.text ??
      rangeText(own.low?.value, own.high?.value, own.low?.code ?? own.low?.unit ?? own.high?.code ?? own.high?.unit);
    rangeSource = range ? 'result' : undefined;
    computed = flagFromRange(quantity?.value, own.low?.value, own.high?.value);
  } else {
    const loinc = codeIn(holder.code, LOINC_SYSTEM);
    const analyte = loinc ? ANALYTES.get(loinc) : undefined;
    if (analyte && quantity && unit === analyte.unit) {
      range = rangeText(analyte.low, analyte.high, analyte.unit);
      rangeSource = range ? 'typical' : undefined;
      computed = flagFromRange(quantity.value, analyte.low, analyte.high);
    }
  }
  return { label, value, range, rangeSource, flag: interpretationFlag(holder.interpretation) ?? computed };
}

/** A high/low flag as a visible word (colour is never the only signal). */
export function FlagBadge({ flag }: { flag?: Flag }) {
  if (!flag) return null;
  const low = flag === 'low' || flag === 'critical-low';
  return (
    <span className={low ? 'flag-low' : 'flag-high'}>
      {' '}
      {low ? '↓' : flag === 'abnormal' ? '!' : '↑'} {FLAG_TEXT[flag]}
    </span>
  );
}

function RangeLine({ assessed }: { assessed: AssessedValue }) {
  if (!assessed.range) return null;
  return (
    <span className="muted small">
      {' '}
      (reference {assessed.range}
      {assessed.rangeSource === 'typical' ? ', typical adult range' : ''})
    </span>
  );
}

/**
 * An Observation's value(s): a single value, blood pressure as 120/80 mmHg, or a table of components.
 * `compact` (a line in a list) leaves out blood pressure's per-component ranges.
 */
export function ObservationValue({ observation, compact = false }: { observation: Observation; compact?: boolean }) {
  const pressure = bloodPressureOf(observation);
  if (pressure) {
    const systolic = assessValue(pressure.systolic);
    const diastolic = assessValue(pressure.diastolic);
    return (
      <div className="record-value">
        <strong>{bloodPressureText(observation)}</strong>
        <FlagBadge flag={systolic.flag ?? diastolic.flag} />
        {compact ? null : (
          <div className="muted small">
            Systolic {systolic.value}
            <FlagBadge flag={systolic.flag} />
            <RangeLine assessed={systolic} />; diastolic {diastolic.value}
            <FlagBadge flag={diastolic.flag} />
            <RangeLine assessed={diastolic} />
          </div>
        )}
      </div>
    );
  }
  const hasOwnValue =
    observation.valueQuantity ??
    observation.valueCodeableConcept ??
    observation.valueString ??
    observation.valueBoolean ??
    observation.valueInteger;
  const main = hasOwnValue !== undefined ? assessValue(observation) : undefined;
  return (
    <div className="record-value">
      {main ? (
        <>
          <strong>{main.value}</strong>
          <FlagBadge flag={main.flag} />
          <RangeLine assessed={main} />
        </>
      ) : null}
      {observation.component?.length ? (
        <div className="table-wrap">
          <table className="component-table">
            <caption className="visually-hidden">Components of {conceptText(observation.code)}</caption>
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">Value</th>
                <th scope="col">Reference</th>
              </tr>
            </thead>
            <tbody>
              {observation.component.map((component, index) => {
                const assessed = assessValue(component);
                return (
                  <tr key={index}>
                    <th scope="row">{assessed.label}</th>
                    <td>
                      {assessed.value}
                      <FlagBadge flag={assessed.flag} />
                    </td>
                    <td>{assessed.range ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {!main && !observation.component?.length ? (
        <span className="muted">
          {observation.dataAbsentReason
            ? `No value: ${conceptText(observation.dataAbsentReason)}`
            : 'No value recorded'}
        </span>
      ) : null}
    </div>
  );
}
