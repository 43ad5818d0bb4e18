/**
 * Rules of a FHIR R4 Bundle beyond its elements, as the HL7 validator applies them: the invariants
 * bdl-1 … bdl-12, absolute and unique `fullUrl`s that agree with their resource, no resource twice,
 * search results with ids, and references that resolve inside the Bundle (`urn:uuid:`/`urn:oid:` in
 * every Bundle; every reference in documents and messages).
 * https://hl7.org/fhir/R4/bundle.html#rules
 */
import type { FhirIssue, IssueType } from './outcome';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const issue = (path: string, code: IssueType, message: string): FhirIssue => ({
  path,
  severity: 'error',
  code,
  message,
});

const UUID_URN = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const OID_URN = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;
const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/]+(\/\S*)?$/;
/** A RESTful URL ending in `Type/id` (optionally `/_history/v`). */
const RESTFUL = /^(.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

const WITH_REQUEST = new Set(['batch', 'transaction', 'history']);
const WITH_RESPONSE = new Set(['batch-response', 'transaction-response', 'history']);
const SELF_CONTAINED = new Set(['document', 'message']);

interface Reference {
  readonly path: string;
  readonly reference: string;
}

/** Every `reference` string below a resource, contained resources included (they resolve the same way). */
function referencesIn(value: unknown, path: string, out: Reference[]): void {
  if (Array.isArray(value)) value.forEach((item, index) => referencesIn(item, `${path}[${index}]`, out));
  else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') out.push({ path: `${path}.reference`, reference: child });
      else referencesIn(child, `${path}.${key}`, out);
    }
  }
}

/**
 * Bundle-level issues of a Bundle whose elements were already checked.
 * @param bundle - the Bundle
 * @param path - its path (e.g. `Bundle`)
 */
export function bundleIssues(bundle: JsonObject, path: string): FhirIssue[] {
  const issues: FhirIssue[] = [];
  const type = typeof bundle.type === 'string' ? bundle.type : '';
  const entries = array(bundle.entry);

  if (bundle.total !== undefined && type !== 'searchset' && type !== 'history')
    issues.push(issue(`${path}.total`, 'invariant', 'only a searchset or history Bundle has a total (bdl-1)'));
  if (type === 'document') {
    const identifier = isObject(bundle.identifier) ? bundle.identifier : {};
    if (identifier.system === undefined || identifier.value === undefined)
      issues.push(
        issue(`${path}.identifier`, 'invariant', 'a document needs an identifier with a system and a value (bdl-9)'),
      );
    if (bundle.timestamp === undefined)
      issues.push(issue(`${path}.timestamp`, 'invariant', 'a document needs a timestamp (bdl-10)'));
  }
  const first = entries[0];
  const firstType = isObject(first) && isObject(first.resource) ? first.resource.resourceType : undefined;
  if (type === 'document' && firstType !== 'Composition')
    issues.push(issue(`${path}.entry[0].resource`, 'invariant', 'a document must start with a Composition (bdl-11)'));
  if (type === 'message' && firstType !== 'MessageHeader')
    issues.push(issue(`${path}.entry[0].resource`, 'invariant', 'a message must start with a MessageHeader (bdl-12)'));

  const byFullUrl = new Map<string, number>();
  const byTypeAndId = new Map<string, number>();
  const references: { entry: number; base: string | undefined; reference: Reference }[] = [];
  entries.forEach((entry, index) => {
    if (!isObject(entry)) return;
    const at = `${path}.entry[${index}]`;
    const resource = isObject(entry.resource) ? entry.resource : undefined;
    const fullUrl = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;

    if (entry.search !== undefined && type !== 'searchset')
      issues.push(issue(`${at}.search`, 'invariant', 'only entries of a searchset have search (bdl-2)'));
    if (WITH_REQUEST.has(type) !== (entry.request !== undefined))
      issues.push(
        issue(
          `${at}.request`,
          'invariant',
          WITH_REQUEST.has(type)
            ? `is required in a ${type} Bundle (bdl-3)`
            : `is only allowed in batch, transaction and history Bundles, not ${type} (bdl-3)`,
        ),
      );
    if (WITH_RESPONSE.has(type) !== (entry.response !== undefined))
      issues.push(
        issue(
          `${at}.response`,
          'invariant',
          WITH_RESPONSE.has(type)
            ? `is required in a ${type} Bundle (bdl-4)`
            : `is only allowed in batch-response, transaction-response and history Bundles (bdl-4)`,
        ),
      );
    if (!resource && entry.request === undefined && entry.response === undefined)
      issues.push(issue(at, 'invariant', 'an entry needs a resource, a request or a response (bdl-5)'));

    if (fullUrl !== undefined) {
      if (fullUrl.includes('/_history/'))
        issues.push(issue(`${at}.fullUrl`, 'invariant', 'must not be version specific (bdl-8)'));
      if (
        fullUrl.startsWith('urn:uuid:')
          ? !UUID_URN.test(fullUrl)
          : fullUrl.startsWith('urn:oid:')
            ? !OID_URN.test(fullUrl)
            : !ABSOLUTE_URL.test(fullUrl)
      )
        issues.push(
          issue(`${at}.fullUrl`, 'value', `must be absolute (urn:uuid:, urn:oid: or an absolute URL), got ${fullUrl}`),
        );
      const restful = ABSOLUTE_URL.test(fullUrl) ? RESTFUL.exec(fullUrl) : null;
      if (
        restful &&
        resource &&
        typeof resource.id === 'string' &&
        (restful[2] !== resource.resourceType || restful[3] !== resource.id)
      )
        issues.push(
          issue(
            `${at}.fullUrl`,
            'invariant',
            `${fullUrl} does not end with ${String(resource.resourceType)}/${resource.id}`,
          ),
        );
      const earlier = byFullUrl.get(fullUrl);
      const versionOf = (i: number) => {
        const other = entries[i];
        const meta =
          isObject(other) && isObject(other.resource) && isObject(other.resource.meta) ? other.resource.meta : {};
        return meta.versionId;
      };
      if (
        earlier !== undefined &&
        type !== 'history' &&
        (versionOf(earlier) === undefined || versionOf(earlier) === versionOf(index))
      )
        issues.push(issue(`${at}.fullUrl`, 'duplicate', `${fullUrl} is also the fullUrl of entry[${earlier}] (bdl-7)`));
      else if (earlier === undefined) byFullUrl.set(fullUrl, index);
    } else if (resource && type === 'searchset') {
      issues.push(issue(`${at}.fullUrl`, 'required', 'is required for every resource of a searchset'));
    }

    if (!resource) return;
    if (type === 'searchset' && resource.id === undefined)
      issues.push(issue(`${at}.resource.id`, 'required', 'is required for every resource of a searchset'));
    if (typeof resource.id === 'string' && typeof resource.resourceType === 'string' && type !== 'history') {
      const key = `${resource.resourceType}/${resource.id}`;
      const earlier = byTypeAndId.get(key);
      if (earlier !== undefined)
        issues.push(issue(`${at}.resource.id`, 'duplicate', `${key} is also the resource of entry[${earlier}]`));
      else byTypeAndId.set(key, index);
    }
    const found: Reference[] = [];
    referencesIn(resource, `${at}.resource`, found);
    const base = fullUrl !== undefined ? RESTFUL.exec(fullUrl)?.[1] : undefined;
    for (const reference of found) references.push({ entry: index, base, reference });
  });

  for (const { base, reference } of references) {
    const target = reference.reference;
    if (target.startsWith('#')) continue;
    const isUrn = target.startsWith('urn:uuid:') || target.startsWith('urn:oid:');
    if (!isUrn && !SELF_CONTAINED.has(type)) continue;
    const restful = RESTFUL.exec(target);
    const resolved =
      byFullUrl.has(target) ||
      (base !== undefined && !ABSOLUTE_URL.test(target) && byFullUrl.has(base + target)) ||
      (restful !== null && restful[1] === undefined && byTypeAndId.has(`${restful[2]}/${restful[3]}`));
    if (!resolved)
      issues.push(
        issue(
          reference.path,
          'not-found',
          isUrn
            ? `${target} does not resolve to any entry of the Bundle`
            : `${target} does not resolve inside the Bundle, as every reference in a ${type} must`,
        ),
      );
  }
  return issues;
}
