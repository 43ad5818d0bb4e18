/**
 * Plausibility checks on Observation values before they are written, and on what an import brings
 * in: values against the limits of the shared table (lib/ai/bounds: impossible outside the hard
 * limits, implausible outside the plausible range), units that cannot be the analyte's (or that look
 * swapped with the other common unit), and dates in the future. Findings are warnings for the person
 * entering the data; the forms refuse impossible values and ask to double-check implausible ones.
 */
import type { Bundle, Observation, ObservationComponent, Quantity, Resource } from '@medplum/fhirtypes';
import { boundsOf, classifyValue, type MeasurementBounds } from './bounds';
import { LOINC } from './codes';
import { parseFhirDate } from './fhir';
import { convert, normaliseUnit } from './units';

export type PlausibilityCode =
  'impossible-value' | 'implausible-value' | 'unit-mismatch' | 'unknown-unit' | 'future-date';

export interface PlausibilityWarning {
  /** FHIRPath-style location, e.g. `Observation.component[0].valueQuantity`. */
  readonly path: string;
  readonly code: PlausibilityCode;
  readonly message: string;
  /**
   * The value cannot be right (outside the hard limits, or dated in the future): forms refuse it.
   * Otherwise it may be right, and forms save it after the person has confirmed it.
   */
  readonly impossible: boolean;
}

/** Clock skew tolerated before a date counts as in the future. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

function loincCodes(holder: Observation | ObservationComponent): string[] {
  return (holder.code.coding ?? []).flatMap((coding) => (coding.system === LOINC && coding.code ? [coding.code] : []));
}

function checkQuantity(bounds: MeasurementBounds, quantity: Quantity, path: string): PlausibilityWarning[] {
  if (quantity.value === undefined) return [];
  const { label, unit, alternative, analyte, hard, plausible } = bounds;
  const written = quantity.code ?? quantity.unit;
  const converted = convert(quantity.value, written, unit, analyte);
  if (converted === undefined) {
    const known = normaliseUnit(written) !== undefined;
    return [
      {
        path,
        code: known ? 'unit-mismatch' : 'unknown-unit',
        message: known
          ? `${label} cannot be in "${written}"; expected ${unit}${alternative ? ` or ${alternative}` : ''}`
          : `unit "${written ?? '(none)'}" of ${label} is not recognised; expected ${unit}`,
        impossible: known,
      },
    ];
  }
  const standing = classifyValue(bounds, converted);
  if (standing === 'plausible') return [];
  // A value that is plausible once read in the analyte's other common unit was most likely entered with the wrong unit.
  const other = normaliseUnit(written) === alternative ? unit : alternative;
  const reread = other === undefined ? undefined : convert(quantity.value, other, unit, analyte);
  if (reread !== undefined && classifyValue(bounds, reread) === 'plausible') {
    return [
      {
        path,
        code: 'unit-mismatch',
        message: `${label} ${quantity.value} ${written} is implausible; was it ${quantity.value} ${other}?`,
        impossible: standing === 'impossible',
      },
    ];
  }
  return [
    standing === 'impossible'
      ? {
          path,
          code: 'impossible-value',
          message: `${label} ${quantity.value} ${written} is not a possible value (limits ${hard.min}–${hard.max} ${unit})`,
          impossible: true,
        }
      : {
          path,
          code: 'implausible-value',
          message: `${label} ${quantity.value} ${written} is unusual: outside ${plausible.min}–${plausible.max} ${unit}`,
          impossible: false,
        },
  ];
}

/**
 * Checks one Observation.
 *
 * @param observation - the Observation about to be written
 * @param options - `now`: the current time (default `new Date()`); `path`: prefix for warning paths
 */
export function checkObservation(
  observation: Observation,
  options: { now?: Date; path?: string } = {},
): PlausibilityWarning[] {
  const now = options.now ?? new Date();
  const prefix = options.path ?? 'Observation';
  const warnings: PlausibilityWarning[] = [];
  const holders: [Observation | ObservationComponent, string][] = [
    [observation, prefix],
    ...(observation.component ?? []).map((component, i): [ObservationComponent, string] => [
      component,
      `${prefix}.component[${i}]`,
    ]),
  ];
  for (const [holder, path] of holders) {
    const bounds = loincCodes(holder)
      .map(boundsOf)
      .find((found) => found !== undefined);
    if (bounds && holder.valueQuantity)
      warnings.push(...checkQuantity(bounds, holder.valueQuantity, `${path}.valueQuantity`));
  }
  const dates: [string | undefined, string][] = [
    [observation.effectiveDateTime, 'effectiveDateTime'],
    [observation.effectiveInstant, 'effectiveInstant'],
    [observation.effectivePeriod?.start, 'effectivePeriod.start'],
    [observation.issued, 'issued'],
  ];
  for (const [value, field] of dates) {
    const date = parseFhirDate(value);
    if (date && date.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      warnings.push({
        path: `${prefix}.${field}`,
        code: 'future-date',
        message: `${field} ${value} is in the future`,
        impossible: true,
      });
    }
  }
  return warnings;
}

/**
 * Checks every Observation in a bundle.
 *
 * @param bundle - the bundle about to be written
 * @param options - `now`: the current time
 */
export function checkBundle(bundle: Bundle, options: { now?: Date } = {}): PlausibilityWarning[] {
  return (bundle.entry ?? []).flatMap((entry, i) =>
    entry.resource?.resourceType === 'Observation'
      ? checkObservation(entry.resource, { now: options.now, path: `Bundle.entry[${i}].resource` })
      : [],
  );
}

/**
 * The plausibility warnings of anything an import may bring in: an Observation, a Bundle (every
 * Observation in it), or another resource (none, since only Observations carry checked values).
 *
 * @param resource - the resource or bundle about to be written
 * @param options - `now`: the current time (default `new Date()`)
 */
export function plausibilityWarnings(resource: Resource, options: { now?: Date } = {}): PlausibilityWarning[] {
  if (resource.resourceType === 'Observation') return checkObservation(resource, options);
  if (resource.resourceType === 'Bundle') return checkBundle(resource, options);
  return [];
}

/** What a form does with the warnings of an entry: refuse it, or save it once the person confirms. */
export interface EntryReview {
  /** Impossible values: the entry cannot be saved until they are corrected. */
  readonly refused: readonly PlausibilityWarning[];
  /** Possible but unusual values: saved only after a second, deliberate confirmation. */
  readonly toConfirm: readonly PlausibilityWarning[];
}

/**
 * Sorts an Observation's warnings into those a form refuses and those it asks to double-check.
 *
 * @param observation - the Observation a form is about to save
 * @param options - `now`: the current time (default `new Date()`)
 */
export function reviewEntry(observation: Observation, options: { now?: Date } = {}): EntryReview {
  const warnings = checkObservation(observation, options);
  return {
    refused: warnings.filter((warning) => warning.impossible),
    toConfirm: warnings.filter((warning) => !warning.impossible),
  };
}
