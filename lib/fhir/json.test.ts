import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { ValidationError } from '../errors';
import { numberJson, parseJson, stringifyJson } from './json';

/** Every form of FHIR decimal whose text JavaScript would not print back. */
const DECIMALS = ['0.0', '29.0', '-0.50', '1.00e3', '1.50E+2', '12345678901234567890.123', '-0', '1e-7', '2.0E-3'];

describe('parseJson / stringifyJson: numbers keep their text', () => {
  it('keeps every decimal form, in objects and arrays, compact and indented', () => {
    const text = `{"valueQuantity":{"value":29.0},"all":[${DECIMALS.join(',')}],"payment":{"amount":{"value":0.0}}}`;
    const parsed = parseJson(text);
    assert.equal(stringifyJson(parsed as object), text);
    const indented = '{\n  "value": 29.0,\n  "list": [\n    -0.50,\n    1.00e3\n  ]\n}';
    assert.equal(stringifyJson(parseJson(indented) as object, 2), indented);
  });

  it('hands every reader plain numbers', () => {
    const parsed = parseJson(`{"value":29.0,"all":[${DECIMALS.join(',')}]}`) as { value: number; all: number[] };
    assert.equal(parsed.value, 29);
    assert.deepEqual(parsed.all, DECIMALS.map(Number));
    assert.deepEqual(parsed, JSON.parse(`{"value":29.0,"all":[${DECIMALS.join(',')}]}`));
    assert.ok(parsed.all.every((value) => typeof value === 'number'));
  });

  it('integers too large for a double keep their digits', () => {
    const text = '{"count":12345678901234567890,"negative":-98765432109876543210}';
    const parsed = parseJson(text) as { count: number };
    assert.equal(parsed.count, 12345678901234567000);
    assert.equal(stringifyJson(parsed), text);
  });

  it('writes a number that was changed since as JavaScript prints it', () => {
    const parsed = parseJson('{"a":{"value":29.0},"b":[1.0,2.0]}') as { a: { value: number }; b: number[] };
    parsed.a.value = 30;
    parsed.b.reverse();
    assert.equal(stringifyJson(parsed), '{"a":{"value":30},"b":[2,1]}');
  });

  it('keeps the text of a value moved into another object, not of a copied one', () => {
    const parsed = parseJson('{"resource":{"valueQuantity":{"value":1.50}},"top":2.0}') as {
      resource: { valueQuantity: { value: number } };
      top: number;
    };
    assert.equal(
      stringifyJson({ payload: { resource: parsed.resource } }),
      '{"payload":{"resource":{"valueQuantity":{"value":1.50}}}}',
    );
    assert.equal(stringifyJson({ ...parsed }), '{"resource":{"valueQuantity":{"value":1.50}},"top":2}');
  });

  it('serializes values it did not parse exactly as JSON.stringify does', () => {
    const value = { a: [1, 1.5, -0, 1e21, 'x', null, true, undefined], b: undefined, c: { d: 'é\n"' } };
    assert.equal(stringifyJson(value), JSON.stringify(value));
    assert.equal(stringifyJson(value, 2), JSON.stringify(value, null, 2));
  });

  it('reads what JSON.parse reads: a repeated key keeps its last value (and text), a bare number is a number', () => {
    const parsed = parseJson('{"a":1,"b":true,"a":2.0}') as object;
    assert.deepEqual(parsed, { a: 2, b: true });
    assert.equal(stringifyJson(parsed), '{"a":2.0,"b":true}');
    assert.equal(parseJson('29.0'), 29);
  });

  it('still turns invalid JSON into a ValidationError with its line and column', () => {
    assert.throws(
      () => parseJson('{\n  "value": 1.0,\n  "x": }', 'upload.json'),
      (error: unknown) => error instanceof ValidationError && /line 3, column 8/.test(error.message),
    );
    assert.throws(() => parseJson('{"value": 01}'), ValidationError);
  });

  it('numberJson gives the text a number was parsed with, or JSON.stringify of it', () => {
    const parsed = parseJson('{"a":1.10,"b":1.1}') as { a: number; b: number };
    assert.equal(numberJson(parsed, 'a', parsed.a), '1.10');
    assert.equal(numberJson(parsed, 'b', parsed.b), '1.1');
    assert.equal(numberJson(parsed, 'a', 2), '2');
    assert.equal(numberJson({}, 'a', 1e21), '1e+21');
  });

  it('round-trips any JSON number token, wherever it sits', () => {
    const digits = (min: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: 25 });
    const token = fc
      .tuple(
        fc.boolean(),
        fc.oneof(
          fc.constant('0'),
          fc.tuple(fc.constantFrom(...'123456789'), digits(0)).map(([a, b]) => a + b),
        ),
        fc.option(digits(1)),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1))),
      )
      .map(
        ([negative, integer, fraction, exponent]) =>
          `${negative ? '-' : ''}${integer}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : exponent.join('')}`,
      );
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 5 }), (tokens) => {
        const text = `{"a":[${tokens.join(',')}],"o":{"v":${tokens[0]}}}`;
        const parsed = parseJson(text) as { a: number[] };
        assert.equal(stringifyJson(parsed), text);
        assert.deepEqual(parsed.a, tokens.map(Number));
      }),
    );
  });
});
