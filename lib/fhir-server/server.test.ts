import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';

import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { Address } from 'viem';

import { type RunningFhirServer, startFhirServer } from './server';
import type { RecordSource, Snapshot } from './source';

const ACTOR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;

const snapshot: Snapshot = {
  readAt: new Date('2026-01-01T00:00:00Z'),
  actor: ACTOR,
  role: 'provider',
  patients: [{ address: PATIENT, categories: [1], profileGranted: false }],
  resources: Array.from({ length: 5 }, (_, index) => ({
    patient: PATIENT,
    resourceType: 'Observation',
    id: `o${index}`,
    category: 1,
    resource: { resourceType: 'Observation', id: `o${index}`, status: 'final', code: { text: 'x' } },
  })),
  unreadable: [],
  ended: new Map(),
};
const source: RecordSource = { snapshot: async () => snapshot, isPatient: async () => false };

/** A GET with a chosen Host header (fetch does not let one set it). */
function get(server: RunningFhirServer, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; type: string | undefined; body: unknown }>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          type: res.headers['content-type'],
          body: text ? JSON.parse(text) : undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startFhirServer', () => {
  let server: RunningFhirServer;
  before(async () => {
    server = await startFhirServer({ source, port: 0 });
  });
  after(() => server.stop());

  it('refuses a Host it is not bound under (DNS rebinding) and pages of other origins', async () => {
    const rebound = await get(server, '/Observation', { Host: `attacker.example:${server.port}` });
    assert.equal(rebound.status, 403);
    assert.equal((rebound.body as OperationOutcome).issue[0]!.code, 'forbidden');
    const crossSite = await get(server, '/Observation', { Origin: 'https://attacker.example' });
    assert.equal(crossSite.status, 403);
    assert.equal((await get(server, '/Observation', { Host: `localhost:${server.port}` })).status, 200);
  });

  it('answers application/fhir+json searchsets with paging links', async () => {
    const { status, type, body } = await get(server, '/Observation?_count=2&_getpagesoffset=2');
    assert.equal(status, 200);
    assert.match(type!, /^application\/fhir\+json/);
    const bundle = body as Bundle;
    assert.equal(bundle.total, 5);
    assert.deepEqual(
      bundle.entry!.map((entry) => entry.resource!.id),
      ['o2', 'o3'],
    );
    const links = Object.fromEntries(bundle.link!.map((link) => [link.relation, new URL(link.url!).search]));
    assert.deepEqual(links, {
      self: '?_count=2&_getpagesoffset=2',
      first: '?_count=2',
      previous: '?_count=2',
      next: '?_count=2&_getpagesoffset=4',
      last: '?_count=2&_getpagesoffset=4',
    });
  });

  it('refuses unknown search parameters unless Prefer: handling=lenient', async () => {
    assert.equal((await get(server, '/Observation?_sort=date')).status, 400);
    const lenient = await get(server, '/Observation?_sort=date', { Prefer: 'handling=lenient' });
    assert.equal(lenient.status, 200);
  });

  it('says 403 for a type no patient granted, 404 for types it does not serve, 405 for writes', async () => {
    const denied = await get(server, '/Condition');
    assert.equal(denied.status, 403);
    assert.match((denied.body as OperationOutcome).issue[0]!.diagnostics!, /Conditions/);
    assert.equal((await get(server, '/Patient/' + PATIENT)).status, 403, 'profile not granted');
    assert.equal((await get(server, '/Questionnaire')).status, 404);
    assert.equal((await get(server, '/Observation/o1', {}, 'DELETE')).status, 405);
    assert.equal((await get(server, '/$export-status/nothing')).status, 404);
  });
});
