/**
 * Formatting for the UI: category labels, addresses shortened, relative times, and (re-exported from
 * lib/fhir/display, where the CLI shares them) FHIR values the way a clinician reads them. Pure
 * functions, no React.
 */

export { codeIn, codingText, conceptText, dateValue, formatDate, quantityText, unitText } from '../../lib/fhir/display';

export { CATEGORY_LABELS, CATEGORY_ORDER, categoryLabel } from '../../lib/chain/categories';

/** `0x70997970…79C8` → `0x7099…79C8`. */
export function shortAddress(address: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(address) ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Same address, whatever the checksum casing. */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  return Boolean(a && b && a.toLowerCase() === b.toLowerCase());
}

/** "in 3 days", "2 months ago" for a Unix time, relative to now. */
export function relativeTime(unixSeconds: number, now = Date.now()): string {
  const seconds = unixSeconds - now / 1000;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 365 * 86_400],
    ['month', 30 * 86_400],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds), 'second');
}
