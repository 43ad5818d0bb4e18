import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Claim, Coverage, Resource } from '@medplum/fhirtypes';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Address } from 'viem';

import { validateResource } from '../../lib/fhir';
import { ResourceBody } from '../records/resource-view';
import { buildClaim, buildCoverage, draftProblems, emptyClaimDraft, parseAmount } from './claim-draft';

const patient: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const parties = {
  chainId: 31337,
  patient,
  provider: { address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' as Address, name: 'Northside Clinical Lab' },
  insurer: { address: '0x976EA74026E726554dB657fA54763abd0C3a0aa9' as Address, name: 'Harbor Health Insurance' },
};

function text(resource: Resource): string {
  return renderToStaticMarkup(createElement(ResourceBody, { resource }))
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('buildClaim', () => {
  const draft = {
    ...emptyClaimDraft('2026-03-02'),
    service: 'Lipid panel',
    amount: '48.50',
    diagnosis: 'Hyperlipidemia, unspecified',
  };

  it('writes a valid FHIR R4 Claim coded from the suggestions, priced on its line and in total', () => {
    const claim = validateResource<Claim>(buildClaim(draft, parties, '2026-03-02T10:00:00Z', 'c-1'));
    assert.equal(claim.resourceType, 'Claim');
    assert.deepEqual(claim.item?.[0]?.productOrService.coding?.[0], {
      system: 'http://www.ama-assn.org/go/cpt',
      code: '80061',
      display: 'Lipid panel',
    });
    assert.equal(claim.item?.[0]?.net?.value, 48.5);
    assert.equal(claim.total?.value, 48.5);
    assert.equal(claim.diagnosis?.[0]?.diagnosisCodeableConcept?.coding?.[0]?.code, 'E78.5');
    assert.deepEqual(claim.item?.[0]?.diagnosisSequence, [1]);
    assert.equal(claim.patient.reference, `Patient/${patient}`);
    assert.equal(claim.provider.display, 'Northside Clinical Lab');
    assert.equal(claim.insurer?.identifier?.value, `did:pkh:eip155:31337:${parties.insurer.address}`);
  });

  it('keeps a typed code over a suggestion and leaves free text uncoded', () => {
    const typed = buildClaim(
      { ...draft, service: 'Home visit', serviceCode: '99349', diagnosis: 'Back pain' },
      parties,
    );
    assert.deepEqual(typed.item?.[0]?.productOrService, {
      coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99349', display: 'Home visit' }],
      text: 'Home visit',
    });
    assert.deepEqual(typed.diagnosis?.[0]?.diagnosisCodeableConcept, { text: 'Back pain' });
  });

  it('reads as a bill: service, code, date and amount on one line', () => {
    const shown = text(buildClaim(draft, parties, '2026-03-02T10:00:00Z'));
    assert.match(shown, /Lipid panel CPT 80061 .*\$48\.50/);
    assert.match(shown, /Diagnoses Hyperlipidemia, unspecified \(ICD-10-CM E78\.5\)/);
    assert.match(shown, /Insurer Harbor Health Insurance/);
  });
});

describe('draftProblems', () => {
  it('names every missing or wrong field at once', () => {
    const problems = draftProblems(
      { ...emptyClaimDraft('2026-03-02'), date: '2026-04-01', amount: '12.345' },
      '2026-03-02',
    );
    assert.deepEqual(
      problems.map((problem) => problem.field),
      ['service', 'date', 'amount'],
    );
  });

  it('accepts a complete draft', () => {
    assert.deepEqual(
      draftProblems({ ...emptyClaimDraft('2026-03-02'), service: 'Venipuncture', amount: '1,200' }, '2026-03-02'),
      [],
    );
    assert.equal(parseAmount('1,200'), 1200);
    assert.equal(parseAmount('0'), 0);
    assert.equal(parseAmount('-3'), undefined);
  });
});

describe('buildCoverage', () => {
  it('writes a valid Coverage naming the insurer, the member id and the plan', () => {
    const coverage = validateResource<Coverage>(
      buildCoverage(
        { insurer: parties.insurer, memberId: ' HH-4471 ', plan: 'Gold PPO' },
        31337,
        patient,
        '2026-01-01',
      ),
    );
    assert.equal(coverage.payor[0]?.display, 'Harbor Health Insurance');
    assert.match(text(coverage), /Insurer Harbor Health Insurance Plan Gold PPO Member id HH-4471/);
  });
});
