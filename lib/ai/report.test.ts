import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Observation, Resource } from '@medplum/fhirtypes';

import type { ApprovalLookup, ModelApproval } from './approval';
import { FRAMINGHAM_LIPID, MODELS } from './catalog';
import { createNodeBackend, fileModelLoader, shippedCardHashes } from './node';
import { type ReportRecord, assessPatientBundle, recordsBundle } from './report';

const LOINC = 'http://loinc.org';
const observation = (code: string, value: number, unit: string, date: string): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: LOINC, code }] },
  effectiveDateTime: date,
  valueQuantity: { value, unit, code: unit },
});

/** The Framingham worked example (male 55, TC 213, HDL 50, SBP 140 untreated, non-smoker), as records without ids. */
function records(): ReportRecord[] {
  const resources: Resource[] = [
    { resourceType: 'Patient', gender: 'male', birthDate: '1966-01-01' },
    observation('2093-3', 230, 'mg/dL', '2020-03-01'),
    observation('2093-3', 213, 'mg/dL', '2021-03-01'),
    observation('2085-9', 50, 'mg/dL', '2021-03-01'),
    observation('8480-6', 140, 'mm[Hg]', '2021-03-01'),
    observation('8867-4', 250, '/min', '2021-03-01'),
    {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '72166-2' }] },
      effectiveDateTime: '2021-03-01',
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '266919005' }] },
    },
  ];
  return resources.map((resource, index) => ({
    header: { recordId: BigInt(index + 1), createdAt: 1_700_000_000 + index, category: 1 },
    payload: { resource },
  }));
}

const approval = (approved: boolean): ModelApproval => ({
  approved,
  approvedAt: approved ? 1_700_000_000 : 0,
  deprecated: false,
  registeredName: approved ? 'approved' : '',
  registeredVersion: approved ? 1 : 0,
});

describe('assessPatientBundle', () => {
  it('runs the models the lookup approves, refuses the others up front, and locates warnings in records', async () => {
    const cards = await shippedCardHashes(MODELS);
    const frameworkHash = cards.get(FRAMINGHAM_LIPID.name)!;
    const approvalOf: ApprovalLookup = async (sha256) => approval(sha256 === frameworkHash);
    const { bundle, sources, byEntry } = recordsBundle(records());
    assert.equal(sources.get('Observation/medledger-record-3')?.recordId, 3n, 'resources without an id get one');

    const assessment = await assessPatientBundle(bundle, {
      at: '2021-06-01',
      backend: createNodeBackend(),
      loadModel: fileModelLoader,
      approvalOf,
      byEntry,
    });
    const lipid = assessment.models.find((model) => model.spec.name === FRAMINGHAM_LIPID.name)!;
    assert.equal(lipid.approval.approved, true);
    assert.equal(lipid.result?.status, 'ok');
    // 2020-03-01 had a cholesterol but nothing else, so the model could not score that day.
    assert.deepEqual(
      lipid.trend.map((point) => point.date),
      ['2021-03-01'],
    );
    const refused = assessment.models.filter((model) => model.spec.name !== FRAMINGHAM_LIPID.name);
    assert.ok(
      refused.every(
        (model) => !model.result && /not approved in the on-chain model registry/.test(model.refusal ?? ''),
      ),
    );

    assert.deepEqual(
      assessment.plausibility.map(({ warning, source }) => [warning.code, source?.recordId]),
      [['implausible-value', 6n]],
    );
  });
});
