import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseProviderKind } from '../../lib/chain/provider-kinds';
import type { ProviderProfile } from '../../lib/records/directory';
import { EMPTY_DRAFT, OTHER_SYSTEM, draftOf, profileOf } from './profile-draft';

const DOCTOR = parseProviderKind('doctor');
const LAB = parseProviderKind('lab');
const NPI = 'http://hl7.org/fhir/sid/us-npi';

describe("the admin's profile form", () => {
  it("makes a doctor's Practitioner profile, trimmed, with an NPI", () => {
    const made = profileOf(
      {
        ...EMPTY_DRAFT,
        name: ' Dr. Ada Okafor ',
        specialty: 'Cardiology',
        organization: "St. Mary's Hospital",
        identifierValue: '1234567893',
      },
      DOCTOR,
    );
    assert.deepEqual(made, {
      profile: {
        name: 'Dr. Ada Okafor',
        type: 'Practitioner',
        specialty: 'Cardiology',
        organization: "St. Mary's Hospital",
        identifier: { system: NPI, value: '1234567893' },
      },
    });
  });

  it("makes a lab's Organization profile, which has no organisation of its own, and no identifier when none is typed", () => {
    const made = profileOf({ ...EMPTY_DRAFT, name: 'Northside Clinical Lab', organization: 'left over' }, LAB);
    assert.deepEqual(made, { profile: { name: 'Northside Clinical Lab', type: 'Organization' } });
  });

  it('says every problem at once', () => {
    const made = profileOf(
      { ...EMPTY_DRAFT, identifierSystem: OTHER_SYSTEM, otherSystem: 'not a uri', identifierValue: '42' },
      DOCTOR,
    );
    assert.ok('problems' in made);
    assert.equal(made.problems.length, 2);
    assert.match(made.problems[0]!, /doctor’s name/);
    assert.match(made.problems[1]!, /must be a URI/);
    const noSystem = profileOf(
      { ...EMPTY_DRAFT, name: 'X', identifierSystem: OTHER_SYSTEM, identifierValue: '42' },
      LAB,
    );
    assert.deepEqual(noSystem, {
      problems: ['Enter the identifier system’s URI, or choose a known system or none.'],
    });
  });

  it('edits a published profile field by field, and gets the same profile back', () => {
    const published: ProviderProfile[] = [
      {
        name: 'Dr. Ada Okafor',
        type: 'Practitioner',
        specialty: 'Cardiology',
        organization: "St. Mary's Hospital",
        identifier: { system: NPI, value: '1234567893' },
      },
      { name: 'Dr. Who', type: 'Practitioner', identifier: { system: 'urn:oid:1.2.3', value: '7' } },
      { name: 'Dr. Nobody', type: 'Practitioner', identifier: { value: '7' } },
    ];
    for (const profile of published) assert.deepEqual(profileOf(draftOf(profile), DOCTOR), { profile });
    assert.deepEqual(draftOf(undefined), EMPTY_DRAFT);
  });
});
