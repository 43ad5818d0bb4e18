import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { ValidationError } from '../errors';
import { parseJson } from './json';
import { DATA_TYPES, OPAQUE_TYPES, RESOURCES, type Spec } from './schema';
import { PRIMITIVES } from './primitives';
import { resourceIssues, validateResource } from './validate';

const bloodPressure = {
  resourceType: 'Observation',
  id: 'bp-1',
  status: 'final',
  category: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
  ],
  code: { coding: [{ system: 'http://loinc.org', code: '55284-4', display: 'Blood Pressure' }] },
  subject: { reference: 'urn:uuid:7f3c2d1e-0000-4000-8000-000000000001' },
  effectiveDateTime: '2021-03-02T10:15:00+00:00',
  component: [
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
      valueQuantity: { value: 128, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
      valueQuantity: { value: 82, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
  ],
};

const messagesByPath = (resource: unknown) =>
  Object.fromEntries(resourceIssues(resource).map((i) => [i.path, i.message]));

describe('validateResource', () => {
  it('accepts a well-formed Observation with components', () => {
    assert.equal(validateResource(bloodPressure), bloodPressure);
  });

  it('collects every issue with its FHIR path, then throws once', () => {
    const broken = {
      ...bloodPressure,
      status: 'done',
      effectiveDateTime: '2021-13-02',
      valueString: 'x',
      valueBoolean: true,
      subject: [{ reference: 'Patient/1' }],
      component: [{ valueQuantity: { value: '128', code: 'mm[Hg]' } }],
      colour: 'red',
    };
    const issues = messagesByPath(broken);
    assert.match(issues['Observation.status'] ?? '', /not one of/);
    assert.match(issues['Observation.effectiveDateTime'] ?? '', /not a valid dateTime/);
    assert.match(issues['Observation.valueBoolean'] ?? '', /only one of value\[x\]/);
    assert.match(issues['Observation.subject'] ?? '', /single value/);
    assert.match(issues['Observation.component[0].code'] ?? '', /required/);
    assert.match(issues['Observation.component[0].valueQuantity.value'] ?? '', /number/);
    assert.match(issues['Observation.component[0].valueQuantity.system'] ?? '', /qty-3/);
    assert.match(issues['Observation.colour'] ?? '', /not an element/);
    assert.throws(
      () => validateResource(broken),
      (error: unknown) => error instanceof ValidationError && error.issues.length === Object.keys(issues).length,
    );
  });

  it('checks required elements and codes of every modelled resource', () => {
    const cases: Record<string, string[]> = {
      Condition: ['Condition.subject'],
      MedicationRequest: [
        'MedicationRequest.status',
        'MedicationRequest.intent',
        'MedicationRequest.medication[x]',
        'MedicationRequest.subject',
      ],
      MedicationStatement: [
        'MedicationStatement.status',
        'MedicationStatement.medication[x]',
        'MedicationStatement.subject',
      ],
      AllergyIntolerance: ['AllergyIntolerance.patient'],
      Immunization: [
        'Immunization.status',
        'Immunization.vaccineCode',
        'Immunization.patient',
        'Immunization.occurrence[x]',
      ],
      Procedure: ['Procedure.status', 'Procedure.subject'],
      DiagnosticReport: ['DiagnosticReport.status', 'DiagnosticReport.code'],
      DocumentReference: ['DocumentReference.status', 'DocumentReference.content'],
      Encounter: ['Encounter.status', 'Encounter.class'],
      CarePlan: ['CarePlan.status', 'CarePlan.intent', 'CarePlan.subject'],
      Patient: [],
    };
    for (const [resourceType, required] of Object.entries(cases)) {
      assert.deepEqual(Object.keys(messagesByPath({ resourceType })).sort(), required.sort(), resourceType);
    }
  });

  it('checks primitives: dates, instants, ids, booleans, integers', () => {
    const issues = messagesByPath({
      resourceType: 'Patient',
      id: 'has spaces',
      birthDate: '1970-02-30T00:00',
      active: 'yes',
      multipleBirthInteger: 1.5,
      meta: { lastUpdated: '2021-01-01' },
      name: [{ given: [] }],
      telecom: [null],
      _birthDate: { extension: [{ url: 'http://example.org/time', valueTime: '10:00:00' }] },
    });
    for (const path of [
      'Patient.id',
      'Patient.birthDate',
      'Patient.active',
      'Patient.multipleBirthInteger',
      'Patient.meta.lastUpdated',
      'Patient.name[0].given',
      'Patient.telecom[0]',
    ]) {
      assert.ok(issues[path], `${path} should be reported`);
    }
    assert.equal(issues['Patient._birthDate'], undefined);
  });

  it('keeps resource types it does not model, checking only resourceType and id', () => {
    assert.deepEqual(resourceIssues({ resourceType: 'Claim', anything: { goes: [1] } }), []);
    assert.deepEqual(Object.keys(messagesByPath({ resourceType: 'Claim', id: '' })), ['Claim.id']);
  });

  it('reports keys named like Object.prototype members as unknown elements', () => {
    const issues = messagesByPath({ resourceType: 'Patient', valueOf: { '': false }, constructor: 1 });
    assert.deepEqual(Object.keys(issues).sort(), ['Patient.constructor', 'Patient.valueOf']);
  });

  it('never throws anything but ValidationError, whatever the input', () => {
    const types = [...Object.keys(RESOURCES), 'Claim'];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.dictionary(fc.string(), fc.jsonValue()), (resourceType, body) => {
        try {
          validateResource({ ...body, resourceType });
        } catch (error) {
          assert.ok(error instanceof ValidationError);
        }
      }),
    );
    fc.assert(fc.property(fc.jsonValue(), (value) => Array.isArray(resourceIssues(value))));
  });

  it('names only types the validator knows', () => {
    const known = (type: string) =>
      PRIMITIVES[type] !== undefined ||
      DATA_TYPES[type] !== undefined ||
      OPAQUE_TYPES.has(type) ||
      ['Resource', 'Extension', 'BackboneElement'].includes(type);
    const walk = (spec: Spec) => {
      for (const [name, element] of Object.entries(spec)) {
        for (const type of typeof element.type === 'string' ? [element.type] : element.type)
          assert.ok(known(type), `${name}: ${type}`);
        if (element.fields) walk(element.fields);
      }
    };
    for (const spec of [...Object.values(RESOURCES), ...Object.values(DATA_TYPES)]) walk(spec);
  });
});

describe('parseJson', () => {
  it('names the line and column of invalid JSON', () => {
    assert.throws(
      () => parseJson('{\n  "resourceType": "Patient",\n  "id": }', 'upload.json'),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.issues[0]?.path === 'upload.json' &&
        /line 3, column 9/.test(error.message),
    );
  });

  it('turns any text into a value or a ValidationError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseJson(text);
        } catch (error) {
          assert.ok(error instanceof ValidationError);
        }
      }),
    );
  });
});
