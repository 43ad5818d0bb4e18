import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { IntegrityError } from '../errors';
import { assessBundle } from './assess';
import { FRAMINGHAM_LIPID, MODELS } from './catalog';
import { createNodeBackend, fileModelLoader, ORT_WEB_DIST, shippedCardApproval } from './node';
import { createWebBackend } from './runtime-web';

const LOINC = 'http://loinc.org';
const lab = (id: string, code: string, value: number, unit: string): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code }] },
  effectiveDateTime: '2021-03-01',
  valueQuantity: { value, unit, code: unit },
});

/** The published worked example as a FHIR record: male 55, TC 213, HDL 50, SBP 140 untreated, non-smoker. */
function workedExample(extra: Resource[] = []): Bundle {
  const resources: Resource[] = [
    { resourceType: 'Patient', id: 'p', gender: 'male', birthDate: '1966-01-01' },
    lab('tc', '2093-3', 213, 'mg/dL'),
    lab('hdl', '2085-9', 50, 'mg/dL'),
    {
      resourceType: 'Observation',
      id: 'bp',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '85354-9' }] },
      effectiveDateTime: '2021-03-01',
      component: [{ code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: 140, unit: 'mmHg', code: 'mm[Hg]' } }],
    },
    {
      resourceType: 'Observation',
      id: 'smoke',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '72166-2' }] },
      effectiveDateTime: '2021-03-01',
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '266919005' }] },
    },
    ...extra,
  ];
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

describe('assessBundle', async () => {
  const isApproved = await shippedCardApproval(MODELS);
  const node = { backend: createNodeBackend(), loadModel: fileModelLoader, isApproved };

  it('scores the worked example at 13.53 % with contributions, provenance and dated inputs', async () => {
    const [lipid] = await assessBundle(workedExample(), { ...node, at: '2021-06-01', models: [FRAMINGHAM_LIPID] });
    assert.equal(lipid?.status, 'ok');
    assert.equal((lipid.risk! * 100).toFixed(2), '13.53');
    assert.equal(lipid.band, 'intermediate');
    assert.match(lipid.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(lipid.contributions.map((c) => c.name), FRAMINGHAM_LIPID.contributions);
    assert.deepEqual(lipid.inputs.find((i) => i.name === 'sbp'), { name: 'sbp', value: 140, unit: 'mm[Hg]', date: '2021-03-01', source: 'Observation/bp' });
  });

  it('gives the same scores on onnxruntime-web as on onnxruntime-node', async () => {
    const web = await assessBundle(workedExample(), { ...node, backend: createWebBackend({ wasmPaths: ORT_WEB_DIST }), at: '2021-06-01' });
    const native = await assessBundle(workedExample(), { ...node, at: '2021-06-01' });
    web.forEach((result, i) => {
      assert.equal(result.status, native[i]!.status);
      if (result.risk !== null) assert.ok(Math.abs(result.risk - native[i]!.risk!) < 1e-5);
    });
  });

  it('says which inputs are missing instead of scoring', async () => {
    const bundle = workedExample();
    bundle.entry = bundle.entry!.filter((entry) => entry.resource?.id !== 'hdl');
    const [lipid] = await assessBundle(bundle, { ...node, at: '2021-06-01', models: [FRAMINGHAM_LIPID] });
    assert.equal(lipid?.status, 'insufficient');
    assert.equal(lipid.risk, null);
    assert.deepEqual(lipid.missing, ['HDL cholesterol']);
    assert.equal(lipid.message, 'not enough data: needs HDL cholesterol');
  });

  it('treats a value measured after the assessment date as missing', async () => {
    const [lipid] = await assessBundle(workedExample(), { ...node, at: '2021-02-01', models: [FRAMINGHAM_LIPID] });
    assert.equal(lipid?.status, 'insufficient');
  });

  it('refuses to score outside the validated age range', async () => {
    const [lipid] = await assessBundle(workedExample(), { ...node, at: '1990-06-01', models: [FRAMINGHAM_LIPID] });
    assert.equal(lipid?.status, 'out-of-range');
    assert.match(lipid.message, /^outside the model's validated range: age 24 years is outside 30–74/);
  });

  it('refuses to run a model whose hash is not approved', async () => {
    await assert.rejects(
      assessBundle(workedExample(), { ...node, isApproved: async () => false, at: '2021-06-01', models: [FRAMINGHAM_LIPID] }),
      (error: unknown) => error instanceof IntegrityError && /not approved/.test(error.message),
    );
  });
});
