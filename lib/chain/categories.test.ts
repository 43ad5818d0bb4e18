import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ValidationError } from '../errors';
import {
  CATEGORY_COUNT,
  CATEGORY_LABELS,
  CATEGORY_ORDER,
  PROFILE_CATEGORIES,
  RECORD_CATEGORIES,
  categoryLabel,
  categoryName,
  categoryOf,
  formatScopes,
  parseScopes,
  readScope,
  scopesFor,
  writeScope,
} from './categories';

describe('RECORD_CATEGORIES', () => {
  it('keeps the codes records on chain already carry', () => {
    assert.deepEqual(
      {
        other: RECORD_CATEGORIES.other,
        observation: RECORD_CATEGORIES.observation,
        condition: RECORD_CATEGORIES.condition,
        medication: RECORD_CATEGORIES.medication,
        allergy: RECORD_CATEGORIES.allergy,
        immunization: RECORD_CATEGORIES.immunization,
        procedure: RECORD_CATEGORIES.procedure,
        diagnosticReport: RECORD_CATEGORIES.diagnosticReport,
        document: RECORD_CATEGORIES.document,
        encounter: RECORD_CATEGORIES.encounter,
        carePlan: RECORD_CATEGORIES.carePlan,
      },
      {
        other: 0,
        observation: 1,
        condition: 2,
        medication: 3,
        allergy: 4,
        immunization: 5,
        procedure: 6,
        diagnosticReport: 7,
        document: 8,
        encounter: 9,
        carePlan: 10,
      },
    );
  });

  it('gives every category a distinct code a scope mask can address', () => {
    const codes = Object.values(RECORD_CATEGORIES);
    assert.equal(new Set(codes).size, codes.length);
    assert.ok(codes.every((code) => Number.isInteger(code) && code >= 0 && code < CATEGORY_COUNT));
  });

  it('labels every category once, profile first and other last', () => {
    assert.deepEqual(Object.keys(CATEGORY_LABELS).sort(), Object.keys(RECORD_CATEGORIES).sort());
    assert.equal(CATEGORY_ORDER[0]?.name, 'profile');
    assert.equal(CATEGORY_ORDER.at(-1)?.name, 'other');
    assert.equal(categoryLabel(RECORD_CATEGORIES.billing), 'Billing & insurance');
    assert.equal(categoryLabel(RECORD_CATEGORIES.profile), 'Profile');
    assert.equal(categoryLabel(31), 'Category 31');
  });
});

describe('categoryOf', () => {
  it('files the patient profile under its own category, not under other', () => {
    assert.equal(categoryOf('Patient'), RECORD_CATEGORIES.profile);
    assert.equal(categoryName(categoryOf('Patient')), 'profile');
  });

  it('files claims, explanations of benefit and coverage under billing', () => {
    for (const type of ['Claim', 'ClaimResponse', 'ExplanationOfBenefit', 'Coverage']) {
      assert.equal(categoryOf(type), RECORD_CATEGORIES.billing, type);
    }
  });

  it('files clinical types under their class and anything unmodelled under other', () => {
    assert.equal(categoryOf('Observation'), RECORD_CATEGORIES.observation);
    assert.equal(categoryOf('MedicationStatement'), RECORD_CATEGORIES.medication);
    assert.equal(categoryOf('Provenance'), RECORD_CATEGORIES.other);
  });

  it('lets readers find a profile in the old place as well as the new one', () => {
    assert.deepEqual(PROFILE_CATEGORIES, [RECORD_CATEGORIES.profile, RECORD_CATEGORIES.other]);
  });
});

describe('parseScopes / formatScopes', () => {
  const { profile, billing, observation, condition } = RECORD_CATEGORIES;

  it('reads the new scope names', () => {
    assert.equal(parseScopes('read:billing'), readScope(billing));
    assert.equal(
      parseScopes('read:profile,rw:observation'),
      readScope(profile) | scopesFor([observation], { read: true, write: true }),
    );
    assert.equal(parseScopes('write:condition'), writeScope(condition));
  });

  it('reads all as every category, profile and billing included', () => {
    const all = parseScopes('read:all');
    for (const code of Object.values(RECORD_CATEGORIES)) assert.ok(all & readScope(code));
    assert.equal(all & ~0xffffffffn, 0n);
  });

  it('names every malformed part, then fails once', () => {
    assert.throws(
      () => parseScopes('read:claims,fly:observation'),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.issues.length === 2 &&
        /billing/.test(error.issues[0]!.message) &&
        error.issues[1]!.path === '--scopes fly:observation',
    );
    assert.throws(() => parseScopes(' , '), /name at least one scope/);
  });

  it('prints in display order, rw where both are held, and reads back what it printed', () => {
    const scopes = readScope(billing) | scopesFor([observation], { read: true, write: true }) | readScope(profile);
    assert.equal(formatScopes(scopes), 'read:profile,rw:observation,read:billing');
    assert.equal(formatScopes(writeScope(condition)), 'write:condition');
    for (const text of ['read:profile', 'read:billing', 'rw:observation,read:billing', 'read:all']) {
      assert.equal(parseScopes(formatScopes(parseScopes(text))), parseScopes(text));
    }
    assert.equal(formatScopes(readScope(30)), 'read:30');
  });
});
