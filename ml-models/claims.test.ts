import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import type { Claim } from '@medplum/fhirtypes';
import { CLAIMS_FRAUD } from '../lib/ai/catalog';
import { featureRow, reviewClaims, scoreClaims, type PatientContext } from '../lib/ai/claims';
import { CPT, LOINC } from '../lib/ai/claims/codes';
import { claimFixture } from '../lib/ai/claims/testing';
import { createNodeBackend, fileModelLoader, ORT_WEB_DIST, shippedCardApproval } from '../lib/ai/node';
import { IntegrityError } from '../lib/errors';
import { injectFraud } from './claims/inject';
import type { SyntheaPatient } from './claims/synthea';
import { expectedHitsAtK, precisionAtK } from './metrics';

ortWeb.env.wasm.wasmPaths = ORT_WEB_DIST;
ortWeb.env.wasm.numThreads = 1;

const bytes = new Uint8Array(readFileSync(path.join(import.meta.dirname, 'models', 'claims-fraud.onnx')));
const card = JSON.parse(readFileSync(path.join(import.meta.dirname, 'cards', 'claims-fraud.json'), 'utf8')) as {
  sha256: string;
  model: { parameters: { bias: number; columns: { column: string; weight: number; mean: number; sd: number }[] } };
};

/** The card's logistic regression in plain TypeScript: σ(b + Σ w·(x − mean)/sd), with each term as the contribution. */
function cardScore(row: readonly number[]): { risk: number; contributions: number[] } {
  const { bias, columns } = card.model.parameters;
  const contributions = columns.map((c, j) => (c.weight * (row[j]! - c.mean)) / c.sd);
  return { risk: 1 / (1 + Math.exp(-(bias + contributions.reduce((sum, v) => sum + v, 0)))), contributions };
}

const visit = { code: '185349003', display: 'Encounter for check up', net: 125 };
const patient: PatientContext = { reference: 'Patient/p1', gender: 'male', birthDate: '1970-01-01' };

/** A few claims that exercise every feature: clean visits, a duplicate, an outlier, a panel, a contradiction. */
function fixtureClaims(): Claim[] {
  const history = Array.from({ length: 8 }, (_, i) =>
    claimFixture({
      id: `h${i}`,
      day: `2024-0${1 + Math.floor(i / 4)}-${String(3 + 7 * (i % 4)).padStart(2, '0')}`,
      lines: [visit, { code: '73761001', display: 'Colonoscopy', net: 11_000 + 200 * i }],
      encounter: `Encounter/h${i}`,
    }),
  );
  return [
    ...history,
    claimFixture({
      id: 'dup',
      day: '2024-01-03',
      lines: [visit, { code: '73761001', display: 'Colonoscopy', net: 11_000 }],
      encounter: 'Encounter/h0',
      created: '2024-01-12T00:00:00Z',
    }),
    claimFixture({
      id: 'upcoded',
      day: '2024-03-01',
      lines: [visit, { code: '73761001', display: 'Colonoscopy', net: 40_000 }],
      encounter: 'Encounter/u',
    }),
    claimFixture({
      id: 'panel',
      day: '2024-03-01',
      lines: ['82465', '83718', '84478'].map((code) => ({ code, system: CPT, net: 25 })),
      encounter: 'Encounter/u',
      created: '2024-02-02T00:00:00Z',
    }),
    claimFixture({
      id: 'prenatal',
      day: '2024-03-05',
      lines: [{ code: '424619006', display: 'Prenatal visit', net: 125 }],
    }),
    claimFixture({ id: 'lab', day: '2024-03-06', lines: [{ code: '2093-3', system: LOINC, net: 20 }] }),
  ];
}

async function runModel(
  ort: typeof ortNode | typeof ortWeb,
  rows: number[][],
): Promise<{ risk: Float32Array; contributions: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({
    features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]),
  });
  await session.release();
  return { risk: out.risk!.data as Float32Array, contributions: out.contributions!.data as Float32Array };
}

describe('claims-fraud model', () => {
  const reviews = reviewClaims(fixtureClaims(), { patients: [patient] });
  const rows = reviews.map(featureRow);

  it('is the file its card names', () => {
    assert.equal(createHash('sha256').update(bytes).digest('hex'), card.sha256);
    assert.deepEqual(
      card.model.parameters.columns.map((c) => c.column),
      CLAIMS_FRAUD.features.map((f) => f.name),
    );
  });

  it('gives the same scores and contributions in onnxruntime-node as the card’s TypeScript scorer', async () => {
    const onnx = await runModel(ortNode, rows);
    rows.forEach((row, i) => {
      const expected = cardScore(row);
      assert.ok(
        Math.abs(onnx.risk[i]! - expected.risk) < 1e-5,
        `${reviews[i]!.claimId}: ${onnx.risk[i]} vs ${expected.risk}`,
      );
      expected.contributions.forEach((value, j) =>
        assert.ok(Math.abs(onnx.contributions[i * rows[0]!.length + j]! - value) < 1e-4),
      );
    });
  });

  it('agrees between onnxruntime-node and onnxruntime-web', async () => {
    const [node, web] = await Promise.all([runModel(ortNode, rows), runModel(ortWeb, rows)]);
    node.risk.forEach((value, i) => assert.ok(Math.abs(value - web.risk[i]!) < 1e-5));
  });

  it('ranks the planted anomalies above the clean visits, the model alone and with the rules', () => {
    const model = Object.fromEntries(reviews.map((review, i) => [review.claimId, cardScore(rows[i]!).risk]));
    const combined = Object.fromEntries(
      reviews.map((review, i) => [review.claimId, 1 - (1 - review.ruleScore) * (1 - cardScore(rows[i]!).risk)]),
    );
    const clean = reviews.filter((r) => r.claimId.startsWith('h') || r.claimId === 'lab').map((r) => r.claimId);
    const highest = (scores: Record<string, number>) => Math.max(...clean.map((id) => scores[id]!));
    for (const id of ['dup', 'upcoded', 'panel'])
      assert.ok(model[id]! > highest(model), `${id}: ${model[id]} ≤ ${highest(model)}`);
    for (const id of ['dup', 'upcoded', 'panel', 'prenatal'])
      assert.ok(combined[id]! > highest(combined), `${id}: ${combined[id]}`);
  });

  it('runs through the approval-gated scorer, and refuses a hash that is not approved', async () => {
    const options = {
      backend: createNodeBackend(),
      loadModel: fileModelLoader,
      isApproved: await shippedCardApproval([CLAIMS_FRAUD]),
    };
    const scored = await scoreClaims(reviews, options);
    scored.forEach((s, i) => {
      assert.ok(Math.abs(s.modelScore - cardScore(rows[i]!).risk) < 1e-5);
      assert.ok(Math.abs(s.combinedScore - (1 - (1 - s.ruleScore) * (1 - s.modelScore))) < 1e-12);
      assert.equal(s.model.sha256, card.sha256);
    });
    await assert.rejects(scoreClaims(reviews, { ...options, isApproved: async () => false }), IntegrityError);
  });
});

describe('fraud injection', () => {
  const patients: SyntheaPatient[] = ['a', 'b'].map((name, p) => ({
    file: name,
    eob: { claims: 0, matching: 0 },
    context: {
      reference: `Patient/${name}`,
      gender: p === 0 ? 'male' : 'female',
      birthDate: '1960-01-01',
      encounters: Array.from({ length: 20 }, (_, i) => ({
        resourceType: 'Encounter' as const,
        id: `${name}-e${i}`,
        status: 'finished' as const,
        class: { code: 'AMB' },
        period: { start: `20${10 + i}-03-01T09:00:00Z` },
      })),
    },
    claims: Array.from({ length: 20 }, (_, i) =>
      claimFixture({
        id: `${name}-${i}`,
        patient: `Patient/${name}`,
        day: `20${10 + i}-03-01`,
        lines: [visit, { code: '140', system: 'http://hl7.org/fhir/sid/cvx', net: 140.52 }],
        encounter: `Encounter/${name}-e${i}`,
      }),
    ),
  }));

  it('injects every pattern at the rate, the same way for the same seed', () => {
    const first = injectFraud(patients, { rate: 0.1, seed: 7 });
    const labels = first.flatMap((p) => p.claims.flatMap((c) => c.pattern ?? []));
    for (const pattern of ['duplicate', 'upcoding', 'unbundling', 'phantom']) {
      assert.equal(labels.filter((l) => l === pattern).length, 4, pattern);
    }
    assert.deepEqual(injectFraud(patients, { rate: 0.1, seed: 7 }), first);
    assert.notDeepEqual(injectFraud(patients, { rate: 0.1, seed: 8 }), first);
  });

  it('leaves every clean claim unflagged and every injected duplicate, panel and phantom flagged', () => {
    const injected = injectFraud(patients, { rate: 0.1, seed: 7 });
    const claims = injected.flatMap((p) => p.claims);
    const reviews = reviewClaims(
      claims.map((c) => c.claim),
      { patients: patients.map((p) => p.context) },
    );
    claims.forEach((c, i) => {
      const flagged = reviews[i]!.flags.length > 0;
      if (!c.pattern)
        assert.equal(flagged, false, `${reviews[i]!.claimId}: ${reviews[i]!.flags.map((f) => f.message).join(' ')}`);
      else if (c.pattern !== 'upcoding' && !c.variant?.includes('encounter dropped'))
        assert.ok(flagged, `${c.pattern} ${c.variant}`);
    });
  });
});

describe('ranking metrics', () => {
  it('breaks ties at random in expectation', () => {
    assert.equal(expectedHitsAtK([0.9, 0.5, 0.5, 0.5, 0.1], [true, true, false, false, true], 2), 1 + 1 / 3);
    assert.equal(precisionAtK([3, 2, 1], [1, 0, 1], 2), 0.5);
    assert.equal(precisionAtK([1, 1, 1, 1], [1, 0, 0, 0], 2), 0.25);
  });
});
