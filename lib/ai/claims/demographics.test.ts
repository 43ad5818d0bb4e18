import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CPT, CVX, LOINC } from './codes';
import { reviewClaims } from './review';
import { claimFixture } from './testing';
import type { PatientContext } from './types';

const man: PatientContext = { reference: 'Patient/p1', gender: 'male', birthDate: '1979-05-01' };
const woman: PatientContext = { reference: 'urn:uuid:p1', gender: 'female', birthDate: '1979-05-01' };
const child: PatientContext = { reference: 'Patient/p1', gender: 'female', birthDate: '2016-01-10' };
const toddler: PatientContext = { reference: 'Patient/p1', gender: 'male', birthDate: '2022-06-30' };

function flagsFor(patient: PatientContext | undefined, line: { code: string; system?: string; display?: string }) {
  const claim = claimFixture({ id: 'c', day: '2024-03-01', lines: [{ ...line, net: 100 }] });
  return reviewClaims([claim], { patients: patient ? [patient] : [] })[0]!;
}

describe('services contradicting the recorded sex', () => {
  it('flags a prenatal visit billed for a man', () => {
    const review = flagsFor(man, { code: '424619006', display: 'Prenatal visit' });
    assert.deepEqual(
      review.flags.map((f) => [f.kind, f.severity]),
      [['sex-mismatch', 'high']],
    );
    assert.match(
      review.flags[0]!.message,
      /Prenatal visit \(SNOMED CT 424619006\) is a service for female patients, but the patient's recorded gender is male/,
    );
    assert.equal(review.features.sex_mismatch, 1);
  });

  it('flags a PSA test billed for a woman, matching the patient by id whatever the reference form', () => {
    const review = flagsFor(woman, { code: '2857-1', system: LOINC, display: 'PSA' });
    assert.deepEqual(
      review.flags.map((f) => f.kind),
      ['sex-mismatch'],
    );
  });

  it('accepts the same services for the matching sex, and says nothing without a recorded gender', () => {
    assert.deepEqual(flagsFor(woman, { code: '424619006' }).flags, []);
    assert.deepEqual(flagsFor(man, { code: '2857-1', system: LOINC }).flags, []);
    assert.deepEqual(flagsFor({ reference: 'Patient/p1', gender: 'other' }, { code: '424619006' }).flags, []);
    assert.deepEqual(flagsFor(undefined, { code: '424619006' }).flags, []);
  });
});

describe('services contradicting the age at service', () => {
  it('flags a well-child visit for a 44-year-old', () => {
    const review = flagsFor(man, { code: '410620009', display: 'Well child visit' });
    assert.deepEqual(
      review.flags.map((f) => [f.kind, f.severity]),
      [['age-mismatch', 'medium']],
    );
    assert.match(review.flags[0]!.message, /for patients younger than 21 years, but the patient was 44 on 2024-03-01/);
    assert.equal(review.features.age_mismatch, 1);
  });

  it('flags a live zoster vaccine for an 8-year-old and an over-65 preventive visit for a 44-year-old', () => {
    assert.deepEqual(
      flagsFor(child, { code: '121', system: CVX }).flags.map((f) => f.kind),
      ['age-mismatch'],
    );
    const review = flagsFor(man, { code: '99397', system: CPT });
    assert.match(review.flags[0]!.message, /is for patients aged 65 years or more/);
  });

  it('accepts age-appropriate services and says nothing without a date of birth', () => {
    assert.deepEqual(flagsFor(child, { code: '410620009' }).flags, []);
    assert.deepEqual(flagsFor(toddler, { code: '20', system: CVX }).flags, []);
    assert.deepEqual(flagsFor(man, { code: '99396', system: CPT }).flags, []);
    assert.deepEqual(flagsFor({ reference: 'Patient/p1', gender: 'male' }, { code: '410620009' }).flags, []);
  });
});
