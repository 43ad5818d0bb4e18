/**
 * FHIR R4 primitive types: the regular expressions and ranges of the specification
 * (https://hl7.org/fhir/R4/datatypes.html), as checks that return a problem or undefined.
 */

const DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?$/;
const CODE = /^[^\s]+( [^\s]+)*$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const URI = /^\S*$/;
const BASE64 = /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

type Check = (value: unknown) => string | undefined;

const text =
  (pattern: RegExp, what: string): Check =>
  (value) => {
    if (typeof value !== 'string') return `must be a ${what} string, got ${typeof value}`;
    return pattern.test(value)
      ? undefined
      : `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}" is not a valid ${what}`;
  };

const integer =
  (min: number, what: string): Check =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= INT32_MAX
      ? undefined
      : `must be a ${what}, got ${JSON.stringify(value)}`;

/** Checks per FHIR primitive type name. */
export const PRIMITIVES: Readonly<Record<string, Check>> = {
  boolean: (value) => (typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`),
  integer: integer(INT32_MIN, '32-bit integer'),
  positiveInt: integer(1, 'positive integer'),
  unsignedInt: integer(0, 'non-negative integer'),
  decimal: (value) =>
    typeof value === 'number' && Number.isFinite(value) ? undefined : `must be a number, got ${JSON.stringify(value)}`,
  string: text(/^[\s\S]*\S[\s\S]*$/, 'non-blank'),
  markdown: text(/^[\s\S]*\S[\s\S]*$/, 'non-blank'),
  xhtml: text(/^\s*<div[\s\S]*<\/div>\s*$/, 'XHTML <div>'),
  code: text(CODE, 'code'),
  id: text(ID, 'id'),
  uri: text(URI, 'URI'),
  url: text(URI, 'URL'),
  canonical: text(URI, 'canonical URL'),
  oid: text(/^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/, 'OID'),
  uuid: text(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'UUID'),
  base64Binary: text(BASE64, 'base64'),
  date: text(DATE, 'date (YYYY, YYYY-MM or YYYY-MM-DD)'),
  dateTime: text(DATE_TIME, 'dateTime (a date, or date and time with a time zone)'),
  instant: text(INSTANT, 'instant (date and time with seconds and a time zone)'),
  time: text(TIME, 'time (hh:mm:ss)'),
};

/** JSON type each primitive is written as; a value of another JSON type is a structure error. */
export function primitiveJsonType(type: string): 'boolean' | 'number' | 'string' {
  if (type === 'boolean') return 'boolean';
  return type === 'integer' || type === 'positiveInt' || type === 'unsignedInt' || type === 'decimal'
    ? 'number'
    : 'string';
}

/** Year, month and day of a date or dateTime as written, and its instant when it has a time. */
function dateParts(value: string): { parts: number[]; instant?: number } | undefined {
  if (!DATE_TIME.test(value)) return undefined;
  const parts = value.slice(0, 10).split('-').map(Number);
  return value.length > 10 ? { parts, instant: Date.parse(value) } : { parts };
}

/**
 * Compares two FHIR dates or dateTimes as FHIRPath does: at the precision both have, and undecided
 * (undefined) when they agree there but one is more precise (`2021-03-01` vs `2021-03-01T10:00:00Z`).
 * @param a - a date or dateTime
 * @param b - a date or dateTime
 * @returns negative, zero or positive as `a` is before, equal to or after `b`; undefined if undecided or invalid
 */
export function compareDateTimes(a: string, b: string): number | undefined {
  const left = dateParts(a);
  const right = dateParts(b);
  if (!left || !right) return undefined;
  if (left.instant !== undefined && right.instant !== undefined) return Math.sign(left.instant - right.instant);
  const shared = Math.min(left.parts.length, right.parts.length);
  for (let index = 0; index < shared; index++) {
    const difference = (left.parts[index] as number) - (right.parts[index] as number);
    if (difference !== 0) return Math.sign(difference);
  }
  const leftPrecision = left.parts.length + (left.instant === undefined ? 0 : 1);
  const rightPrecision = right.parts.length + (right.instant === undefined ? 0 : 1);
  return leftPrecision === rightPrecision ? 0 : undefined;
}
