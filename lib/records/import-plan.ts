/**
 * What an import writes, decided before anything is encrypted: a resource already in the record
 * (same type and id, same content) is skipped, a changed one corrects the version in the record, and
 * only the rest is added. Importing the same file twice, or again after an interrupted import, so
 * writes nothing twice.
 */
import type { Resource } from '@medplum/fhirtypes';

import { categoryOf } from '../chain/categories';
import { ValidationError } from '../errors';
import { type RecordDraft, importBundle, numberJson, parseJson, resourceIssues } from '../fhir';
import type { OpenRecord } from './read';
import type { NewRecord } from './write';

/**
 * A FHIR file as record drafts: a Bundle (every entry, see `importBundle`) or a single resource. All of
 * it is validated first; one invalid resource and the whole file is refused.
 *
 * @param input - JSON text or a parsed value
 * @throws {@link ValidationError} listing every issue by path
 */
export function draftsOf(input: string | unknown): RecordDraft[] {
  const parsed = typeof input === 'string' ? parseJson(input, 'file') : input;
  const resourceType = (parsed as { resourceType?: unknown } | null)?.resourceType;
  if (resourceType === 'Bundle') return importBundle(parsed).records;
  const path = typeof resourceType === 'string' ? resourceType : 'Resource';
  const issues = resourceIssues(parsed, path);
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid FHIR resource');
  const resource = parsed as Resource;
  return [{ resource, category: categoryOf(resource.resourceType), entry: {} }];
}

/**
 * JSON with object keys in sorted order, so equal content has one text whatever the key order. Numbers
 * keep the text they were parsed with: `1.0` and `1.00` are different FHIR decimals, so a file that
 * restores a decimal's precision corrects a record that lost it.
 */
export function stableJson(value: unknown): string {
  const child = (holder: object, key: string, item: unknown) =>
    typeof item === 'number' ? numberJson(holder, key, item) : stableJson(item);
  if (Array.isArray(value)) return `[${value.map((item, index) => child(value, String(index), item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${child(value, key, item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What identifies a resource across imports: its type and id; without an id, the bundle entry's
 * `fullUrl`; without either, nothing (only identical content is recognised).
 */
function identityOf(resource: Resource, fullUrl: string | undefined): string {
  if (resource.id) return `${resource.resourceType}/${resource.id}`;
  if (fullUrl) return `${resource.resourceType} ${fullUrl}`;
  return `${resource.resourceType} ${stableJson(resource)}`;
}

/** The content compared: the resource and the fullUrl other entries reference it by. */
function contentOf(resource: Resource, fullUrl: string | undefined): string {
  return stableJson({ resource, fullUrl });
}

export interface ImportPlan {
  /** Records to write, in file order: new ones, and corrections of changed ones. */
  readonly records: NewRecord[];
  /** For each of `records`, whether it is new or corrects a record. */
  readonly kinds: ('added' | 'corrected')[];
  /** Resources already in the record, unchanged. */
  readonly skipped: number;
}

/**
 * Decides what to write for `drafts` given the record's current versions.
 *
 * @param drafts - the file's resources, in order
 * @param existing - the record's current (not superseded) versions the writer can open
 */
export function planImport(drafts: readonly RecordDraft[], existing: readonly OpenRecord[]): ImportPlan {
  const current = new Map<string, { newest: OpenRecord; contents: Set<string> }>();
  for (const record of existing) {
    const { resource, entry } = record.payload;
    const identity = identityOf(resource, entry?.fullUrl);
    const known = current.get(identity);
    const content = contentOf(resource, entry?.fullUrl);
    if (!known) current.set(identity, { newest: record, contents: new Set([content]) });
    else {
      known.contents.add(content);
      if (record.header.recordId > known.newest.header.recordId) known.newest = record;
    }
  }
  const records: NewRecord[] = [];
  const kinds: ImportPlan['kinds'] = [];
  let skipped = 0;
  const planned = new Map<string, Set<string>>();
  for (const { resource, entry, category } of drafts) {
    const identity = identityOf(resource, entry.fullUrl);
    const content = contentOf(resource, entry.fullUrl);
    const known = current.get(identity);
    const thisFile = planned.get(identity);
    if (known?.contents.has(content) || thisFile?.has(content)) {
      skipped++;
      continue;
    }
    planned.set(identity, (thisFile ?? new Set()).add(content));
    const payload = { resource, entry };
    // A record can be corrected once: a second version of it in the same file is added beside it.
    if (known && !thisFile) {
      const { header, context } = known.newest;
      records.push({
        payload,
        category,
        supersedes: { recordId: header.recordId, recordUid: context.recordUid, version: context.version },
      });
      kinds.push('corrected');
    } else {
      records.push({ payload, category });
      kinds.push('added');
    }
  }
  return { records, kinds, skipped };
}
