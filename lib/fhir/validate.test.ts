import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { ValidationError } from '../errors';
import { parseJson } from './json';
import { BACKBONE_ELEMENTS, DATA_TYPES, RESOURCES, RESOURCE_TYPES } from './schema';
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

  it('checks R4 resource types it does not model as FHIR JSON, and rejects types R4 does not have', () => {
    assert.deepEqual(resourceIssues({ resourceType: 'Substance', code: { text: 'x' } }), []);
    assert.deepEqual(Object.keys(messagesByPath({ resourceType: 'Substance', id: '', meta: null, a: [] })).sort(), [
      'Substance.a',
      'Substance.id',
      'Substance.meta',
    ]);
    assert.match(messagesByPath({ resourceType: 'Patinet' })['Resource.resourceType'] ?? '', /not an R4 resource type/);
  });

  it('reports keys named like Object.prototype members as unknown elements', () => {
    const issues = messagesByPath({ resourceType: 'Patient', valueOf: { '': false }, constructor: 1 });
    assert.deepEqual(Object.keys(issues).sort(), ['Patient.constructor', 'Patient.valueOf']);
  });

  it('never throws anything but ValidationError, whatever the input', () => {
    const types = [...Object.keys(RESOURCES), 'Substance'];
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
      BACKBONE_ELEMENTS[type] !== undefined ||
      type === 'Resource' ||
      RESOURCE_TYPES.has(type);
    for (const spec of [...Object.values(RESOURCES), ...Object.values(DATA_TYPES), ...Object.values(BACKBONE_ELEMENTS)])
      for (const [name, element] of Object.entries(spec))
        for (const type of element.type) assert.ok(known(type), `${name}: ${type}`);
    for (const type of Object.keys(RESOURCES)) assert.ok(RESOURCE_TYPES.has(type), type);
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

const issueCodes = (resource: unknown) =>
  Object.fromEntries(resourceIssues(resource).map((i) => [i.path, `${i.code}: ${i.message}`]));
const uuid = (n: number) => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const patient = { resourceType: 'Patient', id: 'p1' };
const encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };

describe('validateResource: what the HL7 validator reports', () => {
  it('rejects null for an element, but keeps nulls aligned with `_name` items in primitive arrays', () => {
    assert.match(issueCodes({ resourceType: 'Patient', meta: null })['Patient.meta'] ?? '', /^structure: .*null/);
    assert.match(issueCodes({ resourceType: 'Claim', meta: null })['Claim.meta'] ?? '', /null/);
    const aligned = {
      resourceType: 'Patient',
      name: [{ given: ['Ann', null], _given: [null, { extension: [{ url: 'http://x.org/e', valueString: 'B' }] }] }],
    };
    assert.deepEqual(resourceIssues(aligned), []);
    const both = { resourceType: 'Patient', name: [{ given: ['Ann', null], _given: [null, null] }] };
    assert.ok(issueCodes(both)['Patient.name[0].given[1]']);
  });

  it('requires content: no empty object, array or string, and not only an id', () => {
    const issues = issueCodes({
      resourceType: 'Patient',
      name: [{}],
      telecom: [],
      gender: '',
      maritalStatus: { id: 'x' },
    });
    assert.match(issues['Patient.name[0]'] ?? '', /content/);
    assert.match(issues['Patient.telecom'] ?? '', /content/);
    assert.match(issues['Patient.gender'] ?? '', /content/);
    assert.match(issues['Patient.maritalStatus'] ?? '', /ele-1/);
  });

  it('checks per-1 at the precision both ends have', () => {
    const period = (start: string, end: string) =>
      issueCodes({ ...encounter, period: { start, end } })['Encounter.period'];
    assert.match(period('2021-03-02', '2021-03-01T10:00:00Z') ?? '', /per-1/);
    assert.match(period('2021-03-01T10:00:00+00:00', '2021-03-01T09:00:00Z') ?? '', /per-1/);
    assert.equal(period('2021-03-01', '2021-03-01T10:00:00Z'), undefined);
    assert.equal(period('2021-03', '2021-03-01'), undefined);
    assert.equal(period('2021-03-01T10:00:00+02:00', '2021-03-01T09:00:00Z'), undefined);
  });

  it('checks extensions: a URL without |version, a value or extensions but not both (ext-1)', () => {
    const issues = issueCodes({
      resourceType: 'Patient',
      extension: [
        { url: 'http://x.org/e|1.0', valueString: 'a' },
        { url: 'http://x.org/f', valueString: 'a', extension: [{ url: 'g', valueBoolean: true }] },
        { url: 'http://x.org/h' },
        { url: 'http://x.org/i', valueFoo: 1 },
      ],
    });
    assert.match(issues['Patient.extension[0].url'] ?? '', /version/);
    assert.match(issues['Patient.extension[1]'] ?? '', /ext-1/);
    assert.match(issues['Patient.extension[2]'] ?? '', /ext-1/);
    assert.match(issues['Patient.extension[3].valueFoo'] ?? '', /not an element/);
  });

  it('checks required bindings on codes and CodeableConcepts', () => {
    const issues = issueCodes({
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'gone' }],
      },
      verificationStatus: { text: 'confirmed' },
    });
    assert.match(
      issues['Condition.clinicalStatus.coding[0].code'] ?? issues['Condition.clinicalStatus'] ?? '',
      /^code-invalid/,
    );
    assert.match(issues['Condition.verificationStatus'] ?? '', /^code-invalid/);
  });

  it('checks contained resources: referenced (dom-3), no nesting (dom-2), #id resolves (ref-1)', () => {
    const issues = issueCodes({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      contained: [{ ...patient, contained: [patient] }],
      subject: { reference: '#p2' },
    });
    assert.match(issues['Observation.contained[0]'] ?? '', /dom-2|dom-3/);
    assert.match(issues['Observation.subject.reference'] ?? '', /^not-found.*ref-1/);
  });
});

describe('validateResource: Bundles', () => {
  const bundle = (type: string, entry: unknown[], extra: object = {}) => ({
    resourceType: 'Bundle',
    type,
    entry,
    ...extra,
  });

  it('requires absolute fullUrls, unique fullUrls and unique resources', () => {
    const issues = issueCodes(
      bundle('collection', [
        { fullUrl: 'Patient/p1', resource: patient },
        { fullUrl: uuid(1), resource: { ...patient, id: 'p2' } },
        { fullUrl: uuid(1), resource: { ...patient, id: 'p1' } },
        { fullUrl: 'https://ehr.example/fhir/Patient/p9', resource: { ...patient, id: 'p3' } },
      ]),
    );
    assert.match(issues['Bundle.entry[0].fullUrl'] ?? '', /absolute/);
    assert.match(issues['Bundle.entry[2].fullUrl'] ?? '', /^duplicate.*bdl-7/);
    assert.match(issues['Bundle.entry[2].resource.id'] ?? '', /^duplicate/);
    assert.match(issues['Bundle.entry[3].fullUrl'] ?? '', /Patient\/p3/);
  });

  it('requires ids and fullUrls in searchsets, requests in transactions (bdl-3), none elsewhere', () => {
    const search = issueCodes(bundle('searchset', [{ resource: { resourceType: 'Patient' } }]));
    assert.ok(search['Bundle.entry[0].fullUrl']);
    assert.ok(search['Bundle.entry[0].resource.id']);
    assert.match(
      issueCodes(bundle('transaction', [{ fullUrl: uuid(1), resource: patient }]))['Bundle.entry[0].request'] ?? '',
      /bdl-3/,
    );
    const collection = bundle('collection', [
      { fullUrl: uuid(1), resource: patient, request: { method: 'POST', url: 'Patient' } },
    ]);
    assert.match(issueCodes(collection)['Bundle.entry[0].request'] ?? '', /bdl-3/);
  });

  it('requires urn:uuid references to resolve in every Bundle', () => {
    const issues = issueCodes(
      bundle('transaction', [
        {
          fullUrl: uuid(2),
          resource: {
            ...encounter,
            subject: { reference: uuid(9) },
            serviceProvider: { reference: 'Organization?identifier=x|1' },
          },
          request: { method: 'POST', url: 'Encounter' },
        },
      ]),
    );
    assert.deepEqual(Object.keys(issues), ['Bundle.entry[0].resource.subject.reference']);
  });

  it('checks documents: identifier (bdl-9), date (bdl-10), Composition first (bdl-11), references inside', () => {
    const composition = {
      resourceType: 'Composition',
      status: 'final',
      type: { text: 'summary' },
      date: '2021-01-01',
      author: [{ reference: 'Practitioner/dr' }],
      title: 'Summary',
      subject: { reference: uuid(1) },
    };
    const good = bundle(
      'document',
      [
        { fullUrl: uuid(3), resource: composition },
        { fullUrl: uuid(1), resource: patient },
        { fullUrl: 'https://ehr.example/fhir/Practitioner/dr', resource: { resourceType: 'Practitioner', id: 'dr' } },
      ],
      { identifier: { system: 'urn:ietf:rfc:3986', value: uuid(7) }, timestamp: '2021-01-01T00:00:00Z' },
    );
    assert.deepEqual(resourceIssues(good), []);
    const bad = issueCodes(
      bundle('document', [
        { fullUrl: uuid(1), resource: patient },
        { fullUrl: uuid(3), resource: { ...composition, author: [{ reference: 'Practitioner/elsewhere' }] } },
      ]),
    );
    assert.match(bad['Bundle.identifier'] ?? '', /bdl-9/);
    assert.match(bad['Bundle.timestamp'] ?? '', /bdl-10/);
    assert.match(bad['Bundle.entry[0].resource'] ?? '', /bdl-11/);
    assert.match(bad['Bundle.entry[1].resource.author[0].reference'] ?? '', /^not-found/);
  });
});

describe('validateResource: R4 vital-signs profiles claimed in meta.profile', () => {
  const vital = (profile: string, body: object) => ({
    resourceType: 'Observation',
    meta: { profile: [`http://hl7.org/fhir/StructureDefinition/${profile}`] },
    status: 'final',
    category: bloodPressure.category,
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2021-03-02T10:15:00Z',
    ...body,
  });

  it('accepts a conformant bp and body temperature', () => {
    const bp = vital('bp', {
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      component: bloodPressure.component,
    });
    assert.deepEqual(resourceIssues(bp), []);
    const temperature = vital('bodytemp', {
      code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] },
      valueQuantity: { value: 37.1, unit: 'C', system: 'http://unitsofmeasure.org', code: 'Cel' },
    });
    assert.deepEqual(resourceIssues(temperature), []);
  });

  it('reports the missing category, LOINC code, UCUM unit and BP components', () => {
    const bp = issueCodes({
      ...vital('bp', { code: bloodPressure.code, component: [bloodPressure.component[0]] }),
      category: undefined,
    });
    assert.match(bp['Observation.category'] ?? '', /vital-signs/);
    assert.match(bp['Observation.code.coding'] ?? '', /85354-9/);
    assert.match(bp['Observation.component'] ?? '', /DiastolicBP/);
    const weight = issueCodes(
      vital('bodyweight', {
        code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
        valueQuantity: { value: 70, unit: 'kilo', system: 'http://unitsofmeasure.org', code: 'kilo' },
      }),
    );
    assert.match(weight['Observation.valueQuantity.code'] ?? '', /^code-invalid/);
  });
});
