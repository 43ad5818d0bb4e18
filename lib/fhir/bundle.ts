/**
 * Bundles in and out: a Bundle (transaction, batch, collection or searchset, as Synthea and EHR exports
 * write them, with `urn:uuid` fullUrls and references) becomes one record draft per resource; records
 * become a Bundle again. Entries keep everything but their resource (fullUrl, request, search …) so
 * import → export is lossless.
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

import { categoryOf, type RecordCategory } from '../chain/categories';
import { ValidationError, type ValidationIssue } from '../errors';
import { parseJson } from './json';
import { resourceIssues } from './validate';

/** Bundle types a patient's records can be imported from. */
export const IMPORTABLE_BUNDLE_TYPES = ['transaction', 'batch', 'collection', 'searchset'] as const;
export type ImportableBundleType = (typeof IMPORTABLE_BUNDLE_TYPES)[number];

/**
 * One resource to become a record, with its category and the rest of its bundle entry. Encrypt the
 * whole draft (not only the resource) so `entry.fullUrl`, which other resources reference, survives.
 */
export interface RecordDraft {
  readonly resource: Resource;
  readonly category: RecordCategory;
  /** The bundle entry without its resource (fullUrl, request, search, response, extensions). */
  readonly entry: Omit<BundleEntry, 'resource'>;
}

/** An imported bundle: the drafts in entry order and the bundle's own fields. */
export interface ImportedBundle {
  readonly type: ImportableBundleType;
  readonly records: RecordDraft[];
  /** The bundle without its entries (id, meta, timestamp, link …), for a faithful export. */
  readonly envelope: Omit<Bundle, 'entry'>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every `reference` string inside a resource, with its path. */
function referencesIn(value: unknown, path: string, out: { path: string; reference: string }[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => referencesIn(item, `${path}[${index}]`, out));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') out.push({ path: `${path}.reference`, reference: child });
      else referencesIn(child, `${path}.${key}`, out);
    }
  }
}

/**
 * Imports a Bundle (parsed JSON or JSON text). Every resource is validated (modelled types element by
 * element), every `urn:uuid:` reference must resolve to an entry, and all issues are reported in one
 * ValidationError with paths such as `Bundle.entry[3].resource.status`.
 * @param input - the Bundle as JSON text or parsed value
 */
export function importBundle(input: string | unknown): ImportedBundle {
  const bundle = typeof input === 'string' ? parseJson(input, 'Bundle') : input;
  const fail = (issues: ValidationIssue[]) => new ValidationError(issues, 'Invalid FHIR Bundle');
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    throw fail([{ path: 'Bundle.resourceType', message: 'must be "Bundle"' }]);
  }
  const issues: ValidationIssue[] = [];
  const type = bundle.type;
  if (!IMPORTABLE_BUNDLE_TYPES.includes(type as ImportableBundleType)) {
    issues.push({
      path: 'Bundle.type',
      message: `must be one of ${IMPORTABLE_BUNDLE_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
    });
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw fail([...issues, { path: 'Bundle.entry', message: 'must be an array' }]);

  const fullUrls = new Set<string>();
  const references: { path: string; reference: string }[] = [];
  const records: RecordDraft[] = [];
  entries.forEach((entry: unknown, index) => {
    const path = `Bundle.entry[${index}]`;
    if (!isObject(entry)) {
      issues.push({ path, message: 'must be an object' });
      return;
    }
    const { resource, ...rest } = entry;
    if (resource === undefined) {
      issues.push({
        path: `${path}.resource`,
        message: 'is required: an entry without a resource cannot become a record',
      });
      return;
    }
    issues.push(...resourceIssues(resource, `${path}.resource`));
    if (typeof rest.fullUrl === 'string') {
      if (fullUrls.has(rest.fullUrl))
        issues.push({ path: `${path}.fullUrl`, message: `duplicates another entry's ${rest.fullUrl}` });
      fullUrls.add(rest.fullUrl);
    } else if (rest.fullUrl !== undefined) {
      issues.push({ path: `${path}.fullUrl`, message: 'must be a URI string' });
    }
    referencesIn(resource, `${path}.resource`, references);
    if (isObject(resource) && typeof resource.resourceType === 'string') {
      records.push({
        resource: resource as unknown as Resource,
        category: categoryOf(resource.resourceType),
        entry: rest as Omit<BundleEntry, 'resource'>,
      });
    }
  });
  for (const { path, reference } of references) {
    if (reference.startsWith('urn:uuid:') && !fullUrls.has(reference)) {
      issues.push({ path, message: `${reference} does not resolve to any entry of the bundle` });
    }
  }
  if (issues.length > 0) throw fail(issues);
  const { entry: _entries, ...envelope } = bundle;
  return { type: type as ImportableBundleType, records, envelope: envelope as unknown as Omit<Bundle, 'entry'> };
}

/**
 * Builds a Bundle from records. Entries are restored as imported (fullUrl, request …), so exporting
 * what {@link importBundle} returned yields the same Bundle. For a transaction or batch, an entry
 * without a request gets `POST <resourceType>`; for a collection or searchset, requests and responses
 * are dropped, as FHIR allows them only in transactions and batches (bdl-3).
 * @param records - drafts or decrypted records, in the order wanted
 * @param options - bundle type (default `collection`) and bundle-level fields to keep
 */
export function exportBundle(
  records: readonly RecordDraft[],
  options: { type?: ImportableBundleType; envelope?: Omit<Bundle, 'entry'> } = {},
): Bundle {
  const type = options.type ?? options.envelope?.type ?? 'collection';
  const withRequests = type === 'transaction' || type === 'batch';
  const entry = records.map(({ resource, entry: meta }): BundleEntry => {
    if (withRequests)
      return { ...meta, request: meta.request ?? { method: 'POST', url: resource.resourceType }, resource };
    const { request: _request, response: _response, ...kept } = meta;
    return { ...kept, resource };
  });
  return { ...options.envelope, resourceType: 'Bundle', type, entry };
}
