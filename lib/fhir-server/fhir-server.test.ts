import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';

import type { Bundle, CapabilityStatement, Observation, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import smart from 'fhirclient';
import type { Address } from 'viem';

import { RECORD_CATEGORIES, patientActivity, scopesFor } from '../chain';
import { type Vault, grantAccess, importBundleRecords, readRecords } from '../records';
import { sampleBundle } from '../testing/fixtures';
import { historyBundle } from '../testing/history-fixture';
import { type TestSystem, inDays, startTestSystem } from '../testing/system';
import { type RunningFhirServer, createRecordSource, startFhirServer } from '.';

const { profile, observation, condition, immunization, encounter, diagnosticReport, procedure } = RECORD_CATEGORIES;
const GRANTED: number[] = [profile, observation, condition, immunization, encounter, diagnosticReport, procedure];
const WEIGHT = 'http://loinc.org|29463-7';

/** What a client library throws for an HTTP error: the status and the OperationOutcome it carried. */
function failure(error: unknown): { status: number; outcome: OperationOutcome } {
  const withResponse = error as { response?: { status: number; data: unknown }; status?: number; body?: unknown };
  if (withResponse.response) {
    const data = withResponse.response.data;
    return {
      status: withResponse.response.status,
      outcome: (typeof data === 'string' ? JSON.parse(data) : data) as OperationOutcome,
    };
  }
  return { status: withResponse.status!, outcome: withResponse.body as OperationOutcome };
}

/** `resource` as the server is expected to serve it: references to the readable records resolved. */
function expectedServed(
  resource: Resource,
  patient: Address,
  patientUuid: string,
  types: Map<string, string>,
): Resource {
  return JSON.parse(JSON.stringify(resource), (key, value: unknown) => {
    if (key !== 'reference' || typeof value !== 'string' || !value.startsWith('urn:uuid:')) return value;
    const uuid = value.slice('urn:uuid:'.length);
    if (uuid === patientUuid) return `Patient/${patient}`;
    const type = types.get(uuid);
    return type ? `${type}/${uuid}` : value;
  }) as Resource;
}

describe('fhir-server end to end (devnet + IPFS node, fhir-kit-client and fhirclient)', () => {
  let system: TestSystem;
  let vaults: Record<string, Vault>;
  let doctorServer: RunningFhirServer;
  let patient: Address;
  let otherPatient: Address;
  let stranger: Address;

  before(async () => {
    ({ system, vaults } = await startTestSystem({
      providers: [['doctor', 'doctor']],
      patients: ['patient', 'otherPatient', 'stranger'],
    }));
    patient = system.address('patient');
    otherPatient = system.address('otherPatient');
    stranger = system.address('stranger');
    await importBundleRecords(vaults.patient!, patient, historyBundle(), { acceptMismatch: true });
    await importBundleRecords(vaults.otherPatient!, otherPatient, sampleBundle('other'), { acceptMismatch: true });
    const doctor = system.address('doctor');
    await grantAccess(vaults.patient!, {
      provider: doctor,
      scopes: scopesFor(GRANTED, { read: true }),
      expiry: inDays(30),
    });
    await grantAccess(vaults.otherPatient!, {
      provider: doctor,
      scopes: scopesFor([observation], { read: true }),
      expiry: inDays(30),
    });
    // Every request reads the records again, so logging each record once per session is proven below.
    const source = createRecordSource(vaults.doctor!, { role: 'provider', maxAgeMs: 0 });
    doctorServer = await startFhirServer({ source, port: 0 });
  });

  after(async () => {
    await doctorServer?.stop();
    await system?.stop();
  });

  describe('fhir-kit-client', () => {
    const client = () => new Client({ baseUrl: doctorServer.url });

    it('reads the CapabilityStatement: FHIR 4.0.1, search parameters, $everything and $export', async () => {
      const statement = (await client().capabilityStatement()) as unknown as CapabilityStatement;
      assert.equal(statement.fhirVersion, '4.0.1');
      const rest = statement.rest![0]!;
      const observations = rest.resource!.find((resource) => resource.type === 'Observation')!;
      assert.deepEqual(
        observations.searchParam!.map((param) => param.name),
        ['_id', 'patient', 'subject', 'code', 'date'],
      );
      assert.ok(
        rest
          .resource!.find((resource) => resource.type === 'Patient')!
          .operation!.some((op) => op.name === 'everything'),
      );
      assert.ok(rest.operation!.some((op) => op.name === 'export'));
    });

    it('lists the patients whose profile the doctor may read, with their address as id', async () => {
      const bundle = (await client().search({ resourceType: 'Patient' })) as unknown as Bundle;
      const patients = bundle
        .entry!.filter((entry) => entry.search?.mode === 'match')
        .map((entry) => entry.resource as Patient);
      assert.deepEqual(
        patients.map((item) => item.id),
        [patient],
      );
      const note = bundle.entry!.find((entry) => entry.search?.mode === 'outcome')!.resource as OperationOutcome;
      assert.match(note.issue[0]!.diagnostics!, new RegExp(otherPatient));
      const read = (await client().read({ resourceType: 'Patient', id: patient })) as Patient;
      assert.equal(read.id, patient);
    });

    it('searches Observations by code, pages through them with next/previous links', async () => {
      const first = (await client().search({
        resourceType: 'Observation',
        searchParams: { patient, code: WEIGHT, _count: 2 },
      })) as unknown as Bundle;
      assert.equal(first.total, 3);
      assert.equal(first.entry!.length, 2);
      const second = (await client().nextPage({ bundle: first as never })) as unknown as Bundle;
      assert.equal(second.entry!.length, 1);
      assert.equal(client().nextPage({ bundle: second as never }), undefined);
      const back = (await client().prevPage({ bundle: second as never })) as unknown as Bundle;
      assert.deepEqual(
        back.entry!.map((entry) => entry.resource!.id),
        first.entry!.map((entry) => entry.resource!.id),
      );
      const weights = [...first.entry!, ...second.entry!].map((entry) => entry.resource as Observation);
      assert.ok(weights.every((weight) => weight.code!.coding![0]!.code === '29463-7'));
      assert.ok(weights.every((weight) => weight.subject!.reference === `Patient/${patient}`));
    });

    it('searches by date with prefixes on the clinical date', async () => {
      const since2019 = (await client().search({
        resourceType: 'Observation',
        searchParams: { code: WEIGHT, date: 'ge2019-01-01' },
      })) as unknown as Bundle;
      assert.deepEqual(
        since2019.entry!.map((entry) => (entry.resource as Observation).effectiveDateTime!.slice(0, 4)).sort(),
        ['2019', '2022'],
      );
      const in2016 = (await client().search({
        resourceType: 'Observation',
        searchParams: { code: WEIGHT, date: ['ge2016-01-01', 'lt2017'] },
      })) as unknown as Bundle;
      assert.equal(in2016.total, 1);
    });

    it('answers a category the patient did not grant with a 403 OperationOutcome, never data', async () => {
      for (const request of [
        () => client().search({ resourceType: 'MedicationRequest', searchParams: { patient } }),
        () => client().search({ resourceType: 'Condition', searchParams: { patient: otherPatient } }),
        () => client().read({ resourceType: 'Patient', id: otherPatient }),
      ]) {
        const { status, outcome } = failure(
          await request().then(
            () => assert.fail('served'),
            (error: unknown) => error,
          ),
        );
        assert.equal(status, 403);
        assert.equal(outcome.resourceType, 'OperationOutcome');
        assert.equal(outcome.issue[0]!.code, 'forbidden');
      }
    });

    it('answers a patient who granted nothing with 403, and an unknown one with 404', async () => {
      const refused = failure(
        await client()
          .read({ resourceType: 'Patient', id: stranger })
          .catch((error: unknown) => error),
      );
      assert.equal(refused.status, 403);
      assert.equal(refused.outcome.issue[0]!.code, 'forbidden');
      const missing = failure(
        await client()
          .read({ resourceType: 'Patient', id: system.address('doctor') })
          .catch((error: unknown) => error),
      );
      assert.equal(missing.status, 404);
      assert.equal(missing.outcome.issue[0]!.code, 'not-found');
      const noSuch = failure(
        await client()
          .read({ resourceType: 'Observation', id: 'no-such-id' })
          .catch((error: unknown) => error),
      );
      assert.equal(noSuch.status, 404);
    });

    it('serves Patient/$everything as a searchset', async () => {
      const bundle = (await client().operation({
        name: '$everything',
        resourceType: 'Patient',
        id: patient,
        method: 'GET',
      })) as unknown as Bundle;
      assert.equal(bundle.type, 'searchset');
      assert.equal(bundle.entry![0]!.resource!.resourceType, 'Patient');
      const types = new Set(bundle.entry!.map((entry) => entry.resource!.resourceType));
      assert.ok(types.has('Encounter') && types.has('Immunization') && !types.has('MedicationRequest'));
    });
  });

  describe('fhirclient (SMART on FHIR client-js, Node API, open server)', () => {
    const client = () =>
      smart({} as IncomingMessage, {} as ServerResponse).client({
        serverUrl: doctorServer.url,
        tokenResponse: { patient },
      });

    it('reads the patient in context and every page of their Observations, resolving subjects', async () => {
      const read = (await client().patient.read()) as Patient;
      assert.equal(read.id, patient);
      const observations = (await client().patient.request('Observation?_count=3', {
        pageLimit: 0,
        flat: true,
        resolveReferences: ['subject'],
      })) as unknown as (Observation & { subject: Patient })[];
      assert.equal(observations.length, 17);
      assert.ok(observations.every((item) => item.subject.resourceType === 'Patient' && item.subject.id === patient));
    });

    it('reads an Immunization by id and $everything page by page', async () => {
      const immunizations = (await client().request(`Immunization?patient=${patient}`, { flat: true })) as Resource[];
      const one = (await client().request(`Immunization/${immunizations[0]!.id}`)) as Resource;
      assert.deepEqual(one, immunizations[0]);
      const everything = (await client().request(`Patient/${patient}/$everything?_count=5`, {
        pageLimit: 0,
        flat: true,
      })) as Resource[];
      const all = (await client().request(`Patient/${patient}/$everything?_count=1000`, { flat: true })) as Resource[];
      assert.deepEqual(everything, all);
    });

    it('gets a 403 for a category not granted', async () => {
      await assert.rejects(
        client().patient.request('MedicationRequest'),
        (error: { status?: number }) => error.status === 403,
      );
    });
  });

  describe('bulk export', () => {
    it('kicks off, polls, and serves ndjson that matches what readRecords returns', async () => {
      const kickOff = await fetch(`${doctorServer.url}/Patient/$export`, {
        headers: { Accept: 'application/fhir+json', Prefer: 'respond-async' },
      });
      assert.equal(kickOff.status, 202);
      const statusUrl = kickOff.headers.get('content-location')!;
      let status: Response;
      for (;;) {
        status = await fetch(statusUrl);
        if (status.status !== 202) break;
        assert.ok(status.headers.get('x-progress'));
        await new Promise((resolve) => setTimeout(resolve, Number(status.headers.get('retry-after') ?? 1) * 100));
      }
      assert.equal(status.status, 200);
      const manifest = (await status.json()) as {
        transactionTime: string;
        request: string;
        requiresAccessToken: boolean;
        output: { type: string; url: string; count: number }[];
        error: unknown[];
      };
      assert.equal(manifest.requiresAccessToken, false);
      assert.equal(manifest.request, `${doctorServer.url}/Patient/$export`);
      assert.deepEqual(manifest.error, []);
      const exported = new Map<string, Resource>();
      for (const file of manifest.output) {
        const text = await (await fetch(file.url)).text();
        const lines = text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Resource);
        assert.equal(lines.length, file.count);
        assert.ok(lines.every((resource) => resource.resourceType === file.type));
        for (const resource of lines) exported.set(`${resource.resourceType}/${resource.id}`, resource);
      }

      // What the record pipeline gives the patient, cut to what the doctor was granted.
      const theirs = (await readRecords(vaults.patient!, patient)).filter(
        (result) => result.ok && !result.superseded && GRANTED.includes(result.header.category),
      );
      const resources = theirs.map((result) => (result.ok ? result.payload.resource : undefined)!);
      const patientUuid = resources.find((resource) => resource.resourceType === 'Patient')!.id!;
      const types = new Map(resources.map((resource) => [resource.id!, resource.resourceType]));
      const clinical = resources.filter((resource) => resource.resourceType !== 'Patient');
      for (const resource of clinical) {
        assert.deepEqual(
          exported.get(`${resource.resourceType}/${resource.id}`),
          expectedServed(resource, patient, patientUuid, types),
          `${resource.resourceType}/${resource.id}`,
        );
      }
      const others = (await readRecords(vaults.otherPatient!, otherPatient)).filter(
        (result) => result.ok && result.header.category === observation,
      );
      // One Patient per patient whose profile is shared, and the other patient's Observations (no own ids).
      assert.equal(exported.size, clinical.length + 1 + others.length);
      assert.equal((exported.get(`Patient/${patient}`) as Patient).id, patient);
      const derived = [...exported.keys()].filter((key) => key.startsWith('Observation/ml-'));
      assert.equal(derived.length, others.length);

      const removed = await fetch(statusUrl, { method: 'DELETE' });
      assert.equal(removed.status, 202);
      assert.equal((await fetch(statusUrl)).status, 404);
    });

    it('limits the export with _type and refuses a kick-off without Prefer: respond-async', async () => {
      const sync = await fetch(`${doctorServer.url}/$export`);
      assert.equal(sync.status, 400);
      assert.equal(((await sync.json()) as OperationOutcome).resourceType, 'OperationOutcome');
      const kickOff = await fetch(`${doctorServer.url}/$export?_type=Condition,MedicationRequest`, {
        headers: { Prefer: 'respond-async' },
      });
      const statusUrl = kickOff.headers.get('content-location')!;
      let manifest: { output: { type: string }[]; error: { type: string; url: string }[] } | undefined;
      while (!manifest) {
        const status = await fetch(statusUrl);
        if (status.status === 200) manifest = (await status.json()) as typeof manifest;
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(
        manifest!.output.map((file) => file.type),
        ['Condition'],
      );
      const problems = await (await fetch(manifest!.error[0]!.url)).text();
      assert.match(problems, /"code":"forbidden".*MedicationRequest/);
    });
  });

  it('logs each record the doctor read once, for treatment, however many requests read it', async () => {
    const logged = (await patientActivity(system.admin, patient)).flatMap((event) =>
      event.kind === 'accessLogged' ? event.recordIds.map((id) => ({ id, purpose: event.purpose })) : [],
    );
    const ids = logged.map(({ id }) => id);
    assert.ok(ids.length > 0);
    assert.equal(new Set(ids).size, ids.length, 'a record was logged twice');
    assert.ok(logged.every(({ purpose }) => purpose === 1));
  });

  it("serves a patient's own record, every category, without logging reads", async () => {
    const source = createRecordSource(vaults.patient!, { role: 'patient' });
    const own = await startFhirServer({ source, port: 0 });
    try {
      const client = new Client({ baseUrl: own.url });
      const medications = (await client.search({
        resourceType: 'MedicationRequest',
        searchParams: { patient },
      })) as unknown as Bundle;
      assert.equal(medications.total, 1);
      const refused = failure(
        await client.read({ resourceType: 'Patient', id: otherPatient }).catch((error: unknown) => error),
      );
      assert.equal(refused.status, 403);
      const before = (await patientActivity(system.admin, patient)).length;
      await client.operation({ name: '$everything', resourceType: 'Patient', id: patient, method: 'GET' });
      assert.equal((await patientActivity(system.admin, patient)).length, before);
    } finally {
      await own.stop();
    }
  });
});
