/**
 * Search results as a FHIR `searchset` Bundle, one page at a time: `total`, the page's entries with
 * absolute `fullUrl`s, and `self`, `first`, `previous`, `next` and `last` links that carry the search
 * and the page's offset (`_getpagesoffset`), so any client pages by following links.
 */
import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from '@medplum/fhirtypes';

import type { ServedResource } from './resources';

/** One page of a search, see {@link searchsetBundle}. */
export interface SearchPage {
  /** The server's base URL, e.g. `http://127.0.0.1:8090`. */
  readonly base: string;
  /** The searched path below the base, e.g. `Observation` or `Patient/0x…/$everything`. */
  readonly path: string;
  /** The search parameters applied, in order (paging excluded but `_count`). */
  readonly used: readonly (readonly [string, string])[];
  /** Every match, in the order pages cut them. */
  readonly matches: readonly ServedResource[];
  readonly count: number;
  readonly offset: number;
  /** Notes for the reader (`search.mode` `outcome`), e.g. patients whose profile is not shared. */
  readonly outcomes?: readonly OperationOutcome[];
  /** When the data was read. */
  readonly lastUpdated: Date;
}

/** The URL of the page at `offset`. */
function pageUrl(page: SearchPage, offset: number): string {
  const query = new URLSearchParams(page.used.map(([name, value]) => [name, value]));
  if (!query.has('_count')) query.set('_count', String(page.count));
  if (offset > 0) query.set('_getpagesoffset', String(offset));
  return `${page.base}/${page.path}?${query}`;
}

/**
 * A searchset Bundle holding the page of `matches` at `offset`, `count` long.
 *
 * @param page - the search, its matches and the page asked for
 */
export function searchsetBundle(page: SearchPage): Bundle {
  const { count, offset, matches } = page;
  const total = matches.length;
  const link: BundleLink[] = [{ relation: 'self', url: pageUrl(page, offset) }];
  if (count > 0) {
    const last = total === 0 ? 0 : Math.floor((total - 1) / count) * count;
    link.push({ relation: 'first', url: pageUrl(page, 0) });
    if (offset > 0) link.push({ relation: 'previous', url: pageUrl(page, Math.max(0, offset - count)) });
    if (offset + count < total) link.push({ relation: 'next', url: pageUrl(page, offset + count) });
    link.push({ relation: 'last', url: pageUrl(page, last) });
  }
  const entry: BundleEntry[] = matches.slice(offset, offset + count).map((served) => ({
    fullUrl: `${page.base}/${served.resourceType}/${served.id}`,
    resource: served.resource as Resource,
    search: { mode: 'match' },
  }));
  for (const outcome of page.outcomes ?? []) entry.push({ resource: outcome, search: { mode: 'outcome' } });
  return {
    resourceType: 'Bundle',
    meta: { lastUpdated: page.lastUpdated.toISOString() },
    type: 'searchset',
    total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
