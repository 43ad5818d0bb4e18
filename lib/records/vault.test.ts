import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Observation } from '@medplum/fhirtypes';

import { IntegrityError } from '../errors';
import { draftsOf } from './import-plan';
import { decodePayload, encodePayload } from './vault';

const OBSERVATION = `{"resourceType":"Observation","status":"final","code":{"text":"weight"},"valueQuantity":{"value":29.0,"unit":"kg"},"component":[{"code":{"text":"x"},"valueQuantity":{"value":-0.50}},{"code":{"text":"y"},"valueQuantity":{"value":1.00e3}}]}`;
const decode = (text: string) => new TextDecoder().decode(encodePayload(decodePayload(new TextEncoder().encode(text))));

describe('record payloads', () => {
  it('carry each decimal with the text it was imported with, through encode and decode', () => {
    const [draft] = draftsOf(OBSERVATION);
    const encoded = new TextDecoder().decode(encodePayload({ resource: draft!.resource, entry: { fullUrl: 'urn:x' } }));
    assert.equal(encoded, `{"resource":${OBSERVATION},"entry":{"fullUrl":"urn:x"}}`);
    assert.equal(decode(encoded), encoded);
    assert.equal((decodePayload(new TextEncoder().encode(encoded)).resource as Observation).valueQuantity?.value, 29);
  });

  it('stay plain JSON: payloads written before decimals kept their text open the same, and JSON.parse reads new ones', () => {
    const before = JSON.stringify({ resource: JSON.parse(OBSERVATION) as unknown });
    assert.equal(decode(before), before);
    const [draft] = draftsOf(OBSERVATION);
    const now = new TextDecoder().decode(encodePayload({ resource: draft!.resource }));
    assert.deepEqual(JSON.parse(now), JSON.parse(before));
  });

  it('refuse what is not a payload as an integrity failure', () => {
    for (const text of ['{"resource": 1.0', '{"resource":{"id":"x"}}', '[]']) {
      assert.throws(() => decodePayload(new TextEncoder().encode(text)), IntegrityError);
    }
  });
});
