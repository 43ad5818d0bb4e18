import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Resource } from '@medplum/fhirtypes';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import { historyBundle } from '../../lib/testing/history-fixture';
import { FhirJsonDetails, ResourceBody } from './resource-view';

/** The markup of a resource's readable view. */
function render(resource: Resource): string {
  return renderToStaticMarkup(createElement(ResourceBody, { resource }));
}

/** The text a person reads (tags dropped, entities decoded). */
function text(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
}

function assertReadable(markup: string) {
  assert.doesNotMatch(markup, /"resourceType"|<pre/, 'no raw JSON by default');
  assert.doesNotMatch(text(markup), /\burn:uuid:|\{"/, 'no references or JSON as text');
}

const fixture = historyBundle().entry!.map((entry) => entry.resource!);
const first = (type: string, nth = 0) => fixture.filter((resource) => resource.resourceType === type)[nth]!;

const fromFixture: [string, Resource, RegExp[]][] = [
  ['Patient', first('Patient'), [/Name Mrs\. Rosa Alvarez/, /Sex female/]],
  ['Organization', first('Organization'), [/Address 12 Harbor Road, Springfield, MA 01101/, /Phone 555-0100/]],
  ['Practitioner', first('Practitioner'), [/NPI 9999912345/]],
  ['Coverage', first('Coverage'), [/Insurer Anthem/, /Plan Private insurance/, /since/]],
  ['AllergyIntolerance', first('AllergyIntolerance'), [/Criticality low/, /Category environment/]],
  [
    'Encounter',
    first('Encounter'),
    [/Kind Outpatient visit/, /With Dr\. Adaeze Okafor/, /Where Riverside Community Health/],
  ],
  ['Observation (blood pressure)', first('Observation'), [/128\/82 mmHg/, /Systolic 128 mmHg/]],
  ['Observation (weight)', first('Observation', 1), [/78\.2 kg/, /Kind vital-signs/]],
  ['Observation (HDL with its own range)', first('Observation', 5), [/52 mg\/dL/, /reference ≥ 40 mg\/dL/]],
  ['DiagnosticReport', first('DiagnosticReport'), [/Results 2 results/, /By Dr\. Adaeze Okafor/]],
  ['Procedure', first('Procedure'), [/Performed/]],
  ['Claim', first('Claim'), [/For General examination of patient/, /Billed \$129\.16/, /Insurance Anthem/]],
  [
    'ExplanationOfBenefit',
    first('ExplanationOfBenefit'),
    [/Billed \$129\.16/, /Insurer paid \$103\.33/, /Insurer Anthem/, /Claim type Hospital or clinic/],
  ],
  ['Condition', first('Condition'), [/Clinical status active/, /Verification confirmed/]],
  ['Immunization', first('Immunization'), [/Given/]],
  [
    'ImagingStudy',
    first('ImagingStudy'),
    [/Images 2 in 1 series/, /Digital Radiography of chest \(Chest PA, Chest lateral\)/],
  ],
  ['MedicationRequest', first('MedicationRequest'), [/Dose once a day/, /Prescriber Dr\. Adaeze Okafor/]],
  ['CarePlan', first('CarePlan'), [/Prescribed activity\/exercise education \(in progress\)/, /Status active/]],
  ['Goal', first('Goal'), [/Progress in progress/, /Status active/]],
  ['DocumentReference', first('DocumentReference'), [/Read the note/, /Starting lisinopril/, /By Dr\. Adaeze Okafor/]],
];

const others: [string, Record<string, unknown>, RegExp[]][] = [
  [
    'MedicationAdministration',
    {
      resourceType: 'MedicationAdministration',
      status: 'completed',
      medicationCodeableConcept: { text: 'Alteplase 100 MG' },
      subject: { reference: 'Patient/p' },
      effectiveDateTime: '2020-01-02T10:00:00Z',
      dosage: { dose: { value: 100, unit: 'mg' }, route: { text: 'Intravenous' } },
    },
    [/Dose 100 mg/, /Route Intravenous/, /Given/],
  ],
  [
    'Medication',
    {
      resourceType: 'Medication',
      code: { text: 'Amoxicillin 250 MG' },
      form: { text: 'Oral capsule' },
      ingredient: [{ itemCodeableConcept: { text: 'Amoxicillin' } }],
    },
    [/Form Oral capsule/, /Ingredients Amoxicillin/],
  ],
  [
    'Device',
    {
      resourceType: 'Device',
      type: { text: 'Blood glucose meter' },
      manufacturer: 'Acme Devices',
      status: 'active',
      manufactureDate: '2019-01-01',
    },
    [/Kind Blood glucose meter/, /Maker Acme Devices/],
  ],
  [
    'SupplyDelivery',
    {
      resourceType: 'SupplyDelivery',
      status: 'completed',
      suppliedItem: { quantity: { value: 100 }, itemCodeableConcept: { text: 'Test strips' } },
      occurrenceDateTime: '2020-02-02',
    },
    [/Quantity 100/, /Delivered/],
  ],
  [
    'Location',
    {
      resourceType: 'Location',
      name: 'Riverside Clinic',
      address: { line: ['1 Main St'], city: 'Springfield' },
      managingOrganization: { display: 'Riverside Community Health' },
    },
    [/Address 1 Main St, Springfield/, /Part of Riverside Community Health/],
  ],
  [
    'PractitionerRole',
    {
      resourceType: 'PractitionerRole',
      practitioner: { display: 'Dr. Adaeze Okafor' },
      organization: { display: 'Riverside Community Health' },
      specialty: [{ text: 'General practice' }],
    },
    [/Specialty General practice/, /At Riverside Community Health/],
  ],
  [
    'CareTeam',
    {
      resourceType: 'CareTeam',
      status: 'active',
      period: { start: '2020-01-01' },
      participant: [{ member: { display: 'Dr. Adaeze Okafor' }, role: [{ text: 'Primary care physician' }] }],
      reasonCode: [{ text: 'Hypertension' }],
    },
    [/Dr\. Adaeze Okafor \(Primary care physician\)/, /For Hypertension/],
  ],
  [
    'Provenance',
    {
      resourceType: 'Provenance',
      target: [{ reference: 'urn:uuid:a' }, { reference: 'urn:uuid:b' }],
      recorded: '2021-01-01T00:00:00Z',
      agent: [{ who: { display: 'Riverside Community Health' } }],
    },
    [/About 2 records/, /By Riverside Community Health/],
  ],
  [
    'a type without a dedicated view',
    {
      resourceType: 'Flag',
      status: 'active',
      code: { text: 'Fall risk' },
      subject: { reference: 'Patient/p' },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Fall risk</p></div>' },
    },
    [/Status active/, /no dedicated view for a Flag/, /Fall risk/],
  ],
];

describe('ResourceBody', () => {
  for (const [name, resource, expected] of fromFixture) {
    it(`shows a Synthea-shaped ${name} in words, without raw JSON`, () => {
      const markup = render(resource);
      assertReadable(markup);
      for (const pattern of expected) assert.match(text(markup), pattern);
    });
  }
  for (const [name, json, expected] of others) {
    it(`shows ${name} in words, without raw JSON`, () => {
      const markup = render(json as unknown as Resource);
      assertReadable(markup);
      for (const pattern of expected) assert.match(text(markup), pattern);
    });
  }

  it('shows a narrative as text, never as markup', () => {
    const markup = render({
      resourceType: 'Flag',
      status: 'active',
      code: { text: 'x' },
      subject: {},
      text: { status: 'generated', div: '<div><script>alert(1)</script><img src=x onerror=alert(1)>Hi</div>' },
    } as unknown as Resource);
    assert.doesNotMatch(markup, /<script|<img/);
  });
});

describe('FhirJsonDetails', () => {
  it('offers the raw JSON closed, and renders none of it until opened', () => {
    const markup = renderToStaticMarkup(createElement(FhirJsonDetails, { resource: first('Encounter') }));
    assert.match(markup, /^<details class="fhir-details"><summary>FHIR JSON<\/summary><\/details>$/);
  });
});
