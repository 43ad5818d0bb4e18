/**
 * FHIR JSON text in and out.
 *
 * Invalid JSON becomes a ValidationError naming the line and column, never a bare SyntaxError: on
 * failure a small scanner finds where the text stops being JSON, because parsers do not all report a
 * position.
 *
 * A FHIR decimal's precision is significant (`29.0` is not `29`, `1.00e3` is not `1000`), and FHIR
 * integers may exceed what a double holds exactly. Every reader of a resource (validation, display,
 * risk features, import comparison) wants plain numbers, so parsing yields plain numbers and remembers,
 * beside them, the source text of each number JavaScript would print differently, keyed by the object
 * or array holding it. {@link stringifyJson} writes that text back while the number is unchanged. The
 * memory follows the objects, not the paths: a resource moved from a Bundle entry into a record
 * payload keeps its decimals; a copied object (spread, structuredClone) does not, and prints its
 * numbers as JavaScript does.
 */
import { LosslessNumber, parse, stringify } from 'lossless-json';

import { ValidationError } from '../errors';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const LITERAL = /^(true|false|null)/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters inside strings.
const STRING = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/;

/** Offset of the first character that makes `text` invalid JSON (iterative: no recursion limit). */
function errorOffset(text: string): number {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text[i] as string)) i++;
  };
  const scalar = (): boolean => {
    const rest = text.slice(i, i + 4096);
    const match = (rest.startsWith('"') ? STRING.exec(text.slice(i)) : null) ?? LITERAL.exec(rest) ?? NUMBER.exec(rest);
    if (!match) return false;
    i += match[0].length;
    return true;
  };
  // expect: 'value' after ':' / '[' / ',' in arrays; 'key' after '{' / ',' in objects; 'after' a value.
  let expect: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skip();
    if (i >= text.length) return i;
    const char = text[i];
    if (expect === 'value') {
      if (char === '{' || char === '[') {
        stack.push(char);
        i++;
        skip();
        if (text[i] === (char === '{' ? '}' : ']')) {
          stack.pop();
          i++;
          expect = 'after';
        } else {
          expect = char === '{' ? 'key' : 'value';
        }
      } else if (scalar()) {
        expect = 'after';
      } else {
        return i;
      }
    } else if (expect === 'key') {
      if (char !== '"' || !scalar()) return i;
      skip();
      if (text[i] !== ':') return i;
      i++;
      expect = 'value';
    } else {
      const open = stack.at(-1);
      if (open === undefined) return i;
      if (char === ',') {
        i++;
        expect = open === '{' ? 'key' : 'value';
      } else if (char === (open === '{' ? '}' : ']')) {
        stack.pop();
        i++;
      } else {
        return i;
      }
    }
  }
}

/** A number token whose text `String(Number(text))` would not give back, until the tree is settled. */
class NumberToken {
  constructor(readonly text: string) {}
}

/** Holder (object or array) → key (array index as a string) → the number's source text. */
const numberSources = new WeakMap<object, Map<string, string>>();

/** Replaces every {@link NumberToken} below `value` with its number, remembering its text. */
function settleNumbers(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value);
  let sources: Map<string, string> | undefined;
  for (const [key, child] of entries) {
    if (child instanceof NumberToken) {
      (value as Record<string, unknown>)[key] = Number(child.text);
      sources ??= new Map();
      sources.set(key, child.text);
    } else {
      settleNumbers(child);
    }
  }
  if (sources) numberSources.set(value, sources);
}

/** The source text of the number `holder[key]` if it was parsed and still has the value it was parsed with. */
function sourceText(holder: object, key: string, value: number): string | undefined {
  const text = numberSources.get(holder)?.get(key);
  return text !== undefined && Object.is(Number(text), value) ? text : undefined;
}

/**
 * The JSON text of the number `holder[key]`: its source text when {@link parseJson} read it and it
 * still has the value it was read with, otherwise JavaScript's own.
 * @param holder - the object or array holding the number
 * @param key - its key (an array index as a string)
 * @param value - the number now held there
 */
export function numberJson(holder: object, key: string, value: number): string {
  return sourceText(holder, key, value) ?? JSON.stringify(value);
}

/**
 * Parses JSON text into plain values, remembering the text of numbers JavaScript would print
 * differently (`0.0`, `29.0`, `-0.50`, `1.00e3`, `12345678901234567890.123`) for
 * {@link stringifyJson}. A repeated key keeps its last value, as `JSON.parse` does.
 * @param text - JSON text (e.g. a file the user picked)
 * @param source - what the text is, used as the issue path (default `$`)
 */
export function parseJson(text: string, source = '$'): unknown {
  let tokens = 0;
  const parseNumber = (token: string): number | NumberToken => {
    const value = Number(token);
    if (String(value) === token) return value;
    tokens++;
    return new NumberToken(token);
  };
  try {
    const value = parse(text, null, { parseNumber, onDuplicateKey: ({ newValue }) => newValue });
    if (value instanceof NumberToken) return Number(value.text);
    if (tokens > 0) settleNumbers(value);
    return value;
  } catch (error) {
    const offset = errorOffset(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    const found = offset >= text.length ? 'end of input' : JSON.stringify(text.slice(offset, offset + 12));
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(
      [
        {
          path: source,
          message: `invalid JSON at line ${line}, column ${column} (offset ${offset}), near ${found}: ${reason}`,
        },
      ],
      'Invalid JSON',
    );
  }
}

/**
 * Serializes a value as `JSON.stringify` does, writing each number {@link parseJson} read with its
 * source text unless the number was changed since.
 * @param value - what to serialize (e.g. a Bundle to export, a record payload to encrypt)
 * @param space - indentation, as for `JSON.stringify`
 */
export function stringifyJson(value: object, space?: number | string): string {
  return stringify(
    value,
    function (this: object, key: string, child: unknown) {
      const text = typeof child === 'number' ? sourceText(this, key, child) : undefined;
      return text === undefined ? child : new LosslessNumber(text);
    },
    space,
  ) as string;
}
