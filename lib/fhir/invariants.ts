/**
 * FHIR R4 invariants (constraints with a key such as per-1) that the HL7 validator reports as errors and
 * that records get wrong in practice, for data types and for every resource (dom-*, ref-1, obs-6/7), and
 * required bindings on Coding and CodeableConcept.
 */
import type { FhirIssue, IssueType } from './outcome';
import { compareDateTimes } from './primitives';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const QUANTITIES = new Set(['Quantity', 'SimpleQuantity', 'MoneyQuantity', 'Age', 'Duration', 'Count', 'Distance']);

const issue = (path: string, code: IssueType, message: string): FhirIssue => ({
  path,
  severity: 'error',
  code,
  message,
});

/**
 * Invariants of one data-type value, already checked element by element.
 * @param value - the value (a JSON object)
 * @param type - its data type, e.g. `Period`
 * @param path - its path
 * @param values - `system|code` pairs of a required binding on this Coding or CodeableConcept, if any
 */
export function dataTypeIssues(
  value: JsonObject,
  type: string,
  path: string,
  values: readonly string[] | undefined,
): FhirIssue[] {
  const issues: FhirIssue[] = [];
  if (QUANTITIES.has(type) && value.code !== undefined && value.system === undefined)
    issues.push(issue(`${path}.system`, 'invariant', 'is required when a code is given (qty-3)'));
  if (type === 'Period' && typeof value.start === 'string' && typeof value.end === 'string') {
    const order = compareDateTimes(value.start, value.end);
    if (order !== undefined && order > 0)
      issues.push(issue(path, 'invariant', `start ${value.start} is after end ${value.end} (per-1)`));
  }
  if (type === 'Range' && isObject(value.low) && isObject(value.high)) {
    const { low, high } = value;
    if (
      typeof low.value === 'number' &&
      typeof high.value === 'number' &&
      low.code === high.code &&
      low.value > high.value
    )
      issues.push(issue(path, 'invariant', `low ${low.value} is above high ${high.value} (rng-2)`));
  }
  if (type === 'Ratio' && (value.numerator === undefined) !== (value.denominator === undefined))
    issues.push(issue(path, 'invariant', 'numerator and denominator must both be present or both absent (rat-1)'));
  if (type === 'Attachment' && value.data !== undefined && value.contentType === undefined)
    issues.push(issue(`${path}.contentType`, 'invariant', 'is required when data is given (att-1)'));
  if (type === 'ContactPoint' && value.value !== undefined && value.system === undefined)
    issues.push(issue(`${path}.system`, 'invariant', 'is required when a value is given (cpt-2)'));
  if (type === 'Reference' && typeof value.reference === 'string' && /\s/.test(value.reference))
    issues.push(issue(`${path}.reference`, 'value', 'must not contain whitespace'));
  if (type === 'Extension') issues.push(...extensionIssues(value, path));
  if (values && (type === 'Coding' || type === 'CodeableConcept'))
    issues.push(...bindingIssues(value, type, path, values));
  return issues;
}

function extensionIssues(extension: JsonObject, path: string): FhirIssue[] {
  const issues: FhirIssue[] = [];
  if (typeof extension.url === 'string' && extension.url.includes('|'))
    issues.push(issue(`${path}.url`, 'value', `an extension URL must not carry a version: ${extension.url}`));
  const hasValue = Object.keys(extension).some((key) => key.startsWith('value') || key.startsWith('_value'));
  if (hasValue === (extension.extension !== undefined))
    issues.push(issue(path, 'invariant', 'must have either extensions or a value[x], not both (ext-1)'));
  return issues;
}

/** A required binding: a Coding from the value set's systems must be one of its codes, and a
 * CodeableConcept must carry at least one of them. */
function bindingIssues(value: JsonObject, type: string, path: string, values: readonly string[]): FhirIssue[] {
  const systems = new Set(values.map((pair) => pair.slice(0, pair.lastIndexOf('|'))));
  const inSet = (coding: unknown) =>
    isObject(coding) && values.includes(`${String(coding.system)}|${String(coding.code)}`);
  if (type === 'Coding') {
    return typeof value.system === 'string' && systems.has(value.system) && !inSet(value)
      ? [issue(`${path}.code`, 'code-invalid', `${String(value.code)} is not in the required value set`)]
      : [];
  }
  return array(value.coding).some(inSet)
    ? []
    : [
        issue(
          path,
          'code-invalid',
          `needs a coding from the required value set (${[...systems].join(', ')}), e.g. ${values[0] ?? ''}`,
        ),
      ];
}

/** Every `reference` string of a resource, with its path; resources inside it (contained, Bundle
 * entries, Parameters) are not searched: they are checked on their own. */
function localReferences(value: unknown, path: string, out: { path: string; reference: string }[]): void {
  if (Array.isArray(value)) value.forEach((item, index) => localReferences(item, `${path}[${index}]`, out));
  else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'contained' || (isObject(child) && typeof child.resourceType === 'string')) continue;
      if (key === 'reference' && typeof child === 'string') out.push({ path: `${path}.reference`, reference: child });
      else localReferences(child, `${path}.${key}`, out);
    }
  }
}

/**
 * Invariants every resource has (dom-2 … dom-5, ref-1 for `#id` references) and those of Observation
 * (obs-6, obs-7).
 * @param resource - a resource, already checked element by element
 * @param path - its path
 */
export function resourceInvariantIssues(resource: JsonObject, path: string): FhirIssue[] {
  const issues: FhirIssue[] = [];
  const contained = array(resource.contained).filter(isObject);
  const references: { path: string; reference: string }[] = [];
  localReferences(resource, path, references);
  const containedIds = new Set(contained.map((item) => item.id));
  for (const { path: at, reference } of references) {
    if (reference.startsWith('#') && reference !== '#' && !containedIds.has(reference.slice(1)))
      issues.push(issue(at, 'not-found', `${reference} names no contained resource (ref-1)`));
  }
  const text = contained.length > 0 ? JSON.stringify(resource) : '';
  contained.forEach((item, index) => {
    const at = `${path}.contained[${index}]`;
    if (item.contained !== undefined)
      issues.push(issue(at, 'invariant', 'a contained resource must not contain resources (dom-2)'));
    const meta = isObject(item.meta) ? item.meta : {};
    if (meta.versionId !== undefined || meta.lastUpdated !== undefined)
      issues.push(
        issue(`${at}.meta`, 'invariant', 'a contained resource must not have versionId or lastUpdated (dom-4)'),
      );
    if (meta.security !== undefined)
      issues.push(
        issue(`${at}.meta.security`, 'invariant', 'a contained resource must not have security labels (dom-5)'),
      );
    // dom-3 counts any `#id` text (references, canonicals, uris) and a contained resource pointing back at `#`.
    const referenced = typeof item.id === 'string' && (text.includes(`"#${item.id}"`) || text.includes('"#"'));
    if (!referenced)
      issues.push(
        issue(at, 'invariant', 'a contained resource must be referenced from the resource that contains it (dom-3)'),
      );
  });
  if (resource.resourceType === 'Observation') {
    const hasValue = Object.keys(resource).some((key) => key.startsWith('value'));
    if (hasValue && resource.dataAbsentReason !== undefined)
      issues.push(issue(`${path}.dataAbsentReason`, 'invariant', 'must be absent when a value is present (obs-6)'));
    const codes = new Set(
      array(isObject(resource.code) ? resource.code.coding : undefined)
        .filter(isObject)
        .map((coding) => `${String(coding.system)}|${String(coding.code)}`),
    );
    array(resource.component).forEach((component, index) => {
      if (!isObject(component)) return;
      const at = `${path}.component[${index}]`;
      if (Object.keys(component).some((key) => key.startsWith('value')) && component.dataAbsentReason !== undefined)
        issues.push(issue(`${at}.dataAbsentReason`, 'invariant', 'must be absent when a value is present (obs-6)'));
      const sameCode = array(isObject(component.code) ? component.code.coding : undefined)
        .filter(isObject)
        .some((coding) => codes.has(`${String(coding.system)}|${String(coding.code)}`));
      if (sameCode && hasValue)
        issues.push(
          issue(`${path}.value[x]`, 'invariant', `must be absent when a component has the Observation's code (obs-7)`),
        );
    });
  }
  return issues;
}
