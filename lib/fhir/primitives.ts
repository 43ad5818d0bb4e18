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
