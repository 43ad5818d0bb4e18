import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ValidationError } from '../errors';
import {
  PROVIDER_KINDS,
  REGISTERED_PROVIDER_KINDS,
  parseProviderKind,
  providerKindLabel,
  providerKindOf,
} from './provider-kinds';

describe('provider kinds', () => {
  it('number the kinds as the contract does (IProviderRegistry.ProviderKind)', () => {
    assert.deepEqual([...PROVIDER_KINDS], ['none', 'doctor', 'lab', 'insurer']);
    assert.deepEqual(
      REGISTERED_PROVIDER_KINDS.map(({ code, kind, label }) => `${code} ${kind} ${label}`),
      ['1 doctor Doctor', '2 lab Laboratory', '3 insurer Insurer'],
    );
  });

  it('name and label codes, unknown ones included', () => {
    assert.equal(providerKindOf(2), 'lab');
    assert.equal(providerKindOf(9), 'none');
    assert.equal(providerKindLabel(3), 'Insurer');
    assert.equal(providerKindLabel(9), 'Kind 9');
  });

  it('parse the names the CLI takes, and refuse anything else', () => {
    assert.equal(parseProviderKind('insurer'), 3);
    for (const text of ['none', 'nurse', '']) {
      assert.throws(
        () => parseProviderKind(text),
        (error: unknown) => error instanceof ValidationError && /use doctor, lab or insurer/.test(error.message),
      );
    }
  });
});
