/**
 * Parsing of the CLI's human-friendly arguments: scopes like `read:observation,write:condition` or
 * `read:all`, and expiries like `30d`, `12h` or `2027-01-31`.
 */
import { RECORD_CATEGORIES, type RecordCategoryName, readScope, writeScope } from '../../lib/chain/categories';
import { ValidationError } from '../../lib/errors';

const NAMES = Object.keys(RECORD_CATEGORIES) as RecordCategoryName[];

/** `read:observation,write:observation`, `read:all`, `rw:condition` → scope mask. */
export function parseScopes(text: string): bigint {
  let scopes = 0n;
  const issues = [];
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [access, name] = part.split(':') as [string, string | undefined];
    const categories = name === 'all' ? NAMES.map((n) => RECORD_CATEGORIES[n]) : NAMES.includes(name as RecordCategoryName) ? [RECORD_CATEGORIES[name as RecordCategoryName]] : undefined;
    if (!categories || !['read', 'write', 'rw'].includes(access)) {
      issues.push({ path: `--scopes ${part}`, message: `use read|write|rw:<${NAMES.join('|')}|all>` });
      continue;
    }
    for (const category of categories) {
      if (access !== 'write') scopes |= readScope(category);
      if (access !== 'read') scopes |= writeScope(category);
    }
  }
  if (scopes === 0n && issues.length === 0) issues.push({ path: '--scopes', message: 'name at least one scope' });
  if (issues.length > 0) throw new ValidationError(issues, 'Invalid scopes');
  return scopes;
}

/** `30d`, `12h`, `90m` from now, or an ISO date/time → Unix seconds. */
export function parseExpiry(text: string, now = Date.now()): number {
  const relative = /^(\d+)([dhm])$/.exec(text.trim());
  if (relative) {
    const unit = { d: 86_400, h: 3_600, m: 60 }[relative[2] as 'd' | 'h' | 'm'];
    return Math.floor(now / 1000) + Number(relative[1]) * unit;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date) || date <= now) {
    throw new ValidationError([{ path: '--expires', message: `"${text}" is not a future date or a duration like 30d` }]);
  }
  return Math.floor(date / 1000);
}
