/**
 * Parsing of the CLI's human-friendly arguments: scopes like `read:observation,write:condition` or
 * `read:all`, and expiries like `30d`, `12h` or `2027-01-31`.
 */
import { ValidationError } from '../../lib/errors';

/** `read:observation,write:observation`, `read:all`, `rw:billing` → scope mask (defined in lib/chain). */
export { parseScopes } from '../../lib/chain/categories';

/**
 * `30d`, `12h`, `90m` from now, or an ISO date/time → Unix seconds.
 *
 * @param option - the option the text came from, named in the error (`--expires`, `--valid`)
 */
export function parseExpiry(text: string, now = Date.now(), option = '--expires'): number {
  const relative = /^(\d+)([dhm])$/.exec(text.trim());
  if (relative) {
    const unit = { d: 86_400, h: 3_600, m: 60 }[relative[2] as 'd' | 'h' | 'm'];
    return Math.floor(now / 1000) + Number(relative[1]) * unit;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date) || date <= now) {
    throw new ValidationError([{ path: option, message: `"${text}" is not a future date or a duration like 30d` }]);
  }
  return Math.floor(date / 1000);
}
