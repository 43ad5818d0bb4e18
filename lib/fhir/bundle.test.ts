import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RECORD_CATEGORIES } from '../chain/categories';
import { ValidationError } from '../errors';
import { exportBundle, importBundle } from './bundle';
import { stringifyJson } from './json';

const patientUrl = 'urn:uuid:5b3a4c8e-1f2d-4e6a-9b7c-000000000001';
const encounterUrl = 'urn:uuid:5b3a4c8e-1f2d-4e6a-9b7c-000000000002';

/** A small Synthea-shaped transaction: urn:uuid fullUrls, references between entries, POST requests. */
function syntheaLike() {
  const entry = (fullUrl: string, resource: Record<string, unknown>) => ({
    fullUrl,
    resource,
    request: { method: 'POST', url: resource.resourceType },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      entry(patientUrl, {
        resourceType: 'Patient',
        id: '5b3a4c8e-1f2d-4e6a-9b7c-000000000001',
        name: [{ use: 'official', family: 'Müller', given: ['Ana'] }],
        gender: 'female',
        birthDate: '1971-12-07',
        extension: [{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: 'F' }],
      }),
      entry(encounterUrl, {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: patientUrl },
        period: { start: '2021-03-02T10:00:00+00:00', end: '2021-03-02T10:30:00+00:00' },
      }),
      entry('urn:uuid:5b3a4c8e-1f2d-4e6a-9b7c-000000000003', {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '39156-5' }] },
        subject: { reference: patientUrl },
        encounter: { reference: encounterUrl },
        valueQuantity: { value: 27.4, unit: 'kg/m2', system: 'http://unitsofmeasure.org', code: 'kg/m2' },
      }),
      entry('urn:uuid:5b3a4c8e-1f2d-4e6a-9b7c-000000000004', {
        resourceType: 'Claim',
        status: 'active',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }] },
        use: 'claim',
        patient: { reference: patientUrl },
        created: '2021-03-02T10:15:00+00:00',
        provider: { display: 'Clinic' },
        priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
        item: [{ sequence: 1, productOrService: { text: 'Encounter' }, encounter: [{ reference: encounterUrl }] }],
        insurance: [{ sequence: 1, focal: true, coverage: { display: 'private' } }],
      }),
    ],
  };
}

describe('importBundle / exportBundle', () => {
  it('turns each entry into a record with its category, keeping unmodelled types', () => {
    const imported = importBundle(syntheaLike());
    assert.equal(imported.type, 'transaction');
    assert.deepEqual(
      imported.records.map((r) => [r.resource.resourceType, r.category]),
      [
        ['Patient', RECORD_CATEGORIES.profile],
        ['Encounter', RECORD_CATEGORIES.encounter],
        ['Observation', RECORD_CATEGORIES.observation],
        ['Claim', RECORD_CATEGORIES.billing],
      ],
    );
  });

  it('round-trips losslessly, fullUrls and references included, through serialized records', () => {
    for (const type of ['transaction', 'batch', 'collection', 'searchset'] as const) {
      const original = syntheaLike();
      original.type = type;
      if (type === 'collection' || type === 'searchset') {
        for (const entry of original.entry) delete (entry as { request?: unknown }).request;
      }
      if (type === 'searchset') {
        for (const entry of original.entry) Object.assign(entry, { search: { mode: 'match' } });
        Object.assign(original, {
          total: original.entry.length,
          link: [{ relation: 'self', url: 'https://ehr.example/Observation' }],
        });
      }
      const text = JSON.stringify(original);
      const imported = importBundle(text);
      const stored = imported.records.map((record) => JSON.parse(JSON.stringify(record)));
      assert.deepEqual(exportBundle(stored, { envelope: imported.envelope }), JSON.parse(text), type);
    }
  });

  it('keeps every decimal as written, from the file to the exported text', () => {
    const original = syntheaLike();
    original.type = 'collection';
    for (const entry of original.entry) delete (entry as { request?: unknown }).request;
    const text = JSON.stringify(original)
      .replace('"value":27.4', '"value":29.0')
      .replace('"valueCode":"F"}', '"valueCode":"F"},{"url":"urn:daly","valueDecimal":0.0}')
      .replace(
        '"sequence":1',
        '"sequence":1,"net":{"value":-0.50},"factor":1.00e3,"unitPrice":{"value":12345678901234567890.123}',
      );
    for (const token of ['29.0', '0.0', '-0.50', '1.00e3', '12345678901234567890.123']) assert.ok(text.includes(token));
    const imported = importBundle(text);
    assert.equal((imported.records[2]!.resource as { valueQuantity?: { value?: number } }).valueQuantity?.value, 29);
    assert.equal(stringifyJson(exportBundle(imported.records, { envelope: imported.envelope })), text);
  });

  it('adds requests for a transaction export and drops them for a collection', () => {
    const { records } = importBundle(syntheaLike());
    const collection = exportBundle(records);
    assert.equal(collection.type, 'collection');
    assert.ok(
      collection.entry?.every((entry) => entry.request === undefined && entry.fullUrl?.startsWith('urn:uuid:')),
    );
    const transaction = exportBundle(importBundle(exportBundle(records)).records, { type: 'transaction' });
    assert.deepEqual(transaction.entry?.[1]?.request, { method: 'POST', url: 'Encounter' });
  });

  it('reports every problem of a bundle with its path', () => {
    const bundle = syntheaLike();
    (bundle.entry[1]?.resource as Record<string, unknown>).status = 'done';
    (bundle.entry[2]?.resource as Record<string, unknown>).subject = {
      reference: 'urn:uuid:00000000-0000-4000-8000-00000000dead',
    };
    bundle.entry.push({ fullUrl: patientUrl, request: { method: 'DELETE', url: 'Patient/1' } } as never);
    assert.throws(
      () => importBundle(bundle),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
          error.issues.map((issue) => issue.path),
          ['Bundle.entry[1].resource.status', 'Bundle.entry[4].resource', 'Bundle.entry[2].resource.subject.reference'],
        );
        return true;
      },
    );
  });

  it('rejects what is not an importable bundle, and invalid JSON with its position', () => {
    assert.throws(() => importBundle({ resourceType: 'Patient' }), ValidationError);
    assert.throws(() => importBundle({ resourceType: 'Bundle', type: 'history', entry: [] }), /Bundle.type/);
    assert.throws(() => importBundle('{"resourceType": "Bundle",'), /line 1, column 27/);
  });
});
