/**
 * Parsing FHIR JSON text: invalid JSON becomes a ValidationError naming the line and column, never a
 * bare SyntaxError. JSON.parse does the parsing; on failure a small scanner finds where the text stops
 * being JSON, because engines do not all report a position (V8 often does not).
 */
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

/**
 * Parses JSON text.
 * @param text - JSON text (e.g. a file the user picked)
 * @param source - what the text is, used as the issue path (default `$`)
 */
export function parseJson(text: string, source = '$'): unknown {
  try {
    return JSON.parse(text) as unknown;
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
