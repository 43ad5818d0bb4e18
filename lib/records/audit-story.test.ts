import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address, Hex } from 'viem';

import type { ActivityEvent } from '../chain/activity';
import { RECORD_CATEGORIES, readScope } from '../chain/categories';
import { purposeNamed } from '../chain/purpose';
import { auditBundle, auditCsv, auditRows } from './audit';
import { SESSION_GAP_SECONDS, type StoryEntry, auditStory, storyRows, storyText } from './audit-story';

const PATIENT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;
const DOCTOR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as Address;
const LAB = '0x90F79bf6EB2c4f870365E785982E1f101E93b906' as Address;
const T0 = 1_700_000_000;
const { observation, condition, profile } = RECORD_CATEGORIES;
const TREATMENT = purposeNamed('treatment')!.value;
const RISK = purposeNamed('risk-assessment')!.value;

/** Builds a trail: each event in its own block unless `block` says otherwise. */
function trail() {
  const events: ActivityEvent[] = [];
  let block = 0;
  const add = <E extends Record<string, unknown>>(at: number, body: E, sameBlock = false) => {
    if (!sameBlock) block++;
    events.push({
      blockNumber: BigInt(block),
      logIndex: events.filter((event) => event.blockNumber === BigInt(block)).length,
      transactionHash: `0x${block.toString(16).padStart(64, '0')}` as Hex,
      timestamp: at,
      ...body,
    } as unknown as ActivityEvent);
  };
  return { events, add };
}

const names: Record<string, string> = {
  [PATIENT.toLowerCase()]: 'You',
  [DOCTOR.toLowerCase()]: 'Dr. Ada Okafor',
  [LAB.toLowerCase()]: 'Northside Lab',
};
const text = (entry: StoryEntry) => storyText(entry, (address) => names[address.toLowerCase()]!);

/** A registration, then an import of 161 records in two transactions (100 + 61) a few seconds apart. */
function imported() {
  const { events, add } = trail();
  add(T0, { kind: 'registered' });
  for (let id = 1; id <= 161; id++) {
    const category = id === 1 ? profile : id <= 150 ? observation : condition;
    add(
      T0 + 60 + (id > 100 ? 12 : 0),
      { kind: 'recordAdded', recordId: BigInt(id), author: PATIENT, category, supersedes: 0n },
      id !== 1 && id !== 101,
    );
  }
  return { events, add };
}

describe('auditStory', () => {
  it('tells an import of 161 records in two transactions as one entry, with every record on demand', () => {
    const { events } = imported();
    const story = auditStory(PATIENT, events);
    assert.deepEqual(story.map(text), ['You added 161 records', 'You registered as a patient']);
    const [entry] = story;
    assert.equal(entry!.kind, 'added');
    assert.equal(entry!.added, 161);
    assert.equal(entry!.recordIds.length, 161);
    assert.equal(entry!.rows.length, 161, 'each on-chain event stays a row for the exports');
    assert.equal(entry!.transactions.length, 2);
    assert.equal(entry!.summary, 'Observations 149 · Conditions 11 · Profile 1');
    assert.deepEqual(
      entry!.categories.map((category) => [category.label, category.recordIds.at(0), category.recordIds.at(-1)]),
      [
        ['Observations', 2n, 150n],
        ['Conditions', 151n, 161n],
        ['Profile', 1n, 1n],
      ],
    );
    assert.deepEqual([entry!.start, entry!.end], [T0 + 60, T0 + 72]);
  });

  it('merges a provider’s reading session and keeps each purpose apart', () => {
    const { events, add } = imported();
    const grantAt = T0 + 3_600;
    add(grantAt, {
      kind: 'accessGranted',
      provider: DOCTOR,
      scopes: readScope(observation),
      expiry: grantAt + 86_400,
      keyring: '0x01',
    });
    // A visit: three reads for treatment over 20 minutes, and the risk panel reading for risk assessment.
    const visit = grantAt + 600;
    add(visit, { kind: 'accessLogged', provider: DOCTOR, recordIds: [2n, 3n, 4n], purpose: TREATMENT });
    add(visit + 300, { kind: 'accessLogged', provider: DOCTOR, recordIds: [5n, 6n], purpose: TREATMENT });
    add(visit + 400, { kind: 'accessLogged', provider: DOCTOR, recordIds: [2n, 3n], purpose: RISK });
    add(visit + 1_200, { kind: 'accessLogged', provider: DOCTOR, recordIds: [7n], purpose: TREATMENT });
    const story = auditStory(PATIENT, events);
    const reads = story.filter((entry) => entry.kind === 'read');
    assert.deepEqual(reads.map(text), [
      'Dr. Ada Okafor read 6 records for treatment',
      'Dr. Ada Okafor read 2 records for risk assessment',
    ]);
    assert.deepEqual(
      reads.map((entry) => entry.purpose?.coding.code),
      ['TREAT', 'risk-assessment'],
    );
    assert.deepEqual(reads[0]!.recordIds, [2n, 3n, 4n, 5n, 6n, 7n]);
    assert.equal(reads[0]!.transactions.length, 3);
    assert.deepEqual([reads[0]!.start, reads[0]!.end], [visit, visit + 1_200]);
    assert.equal(reads[0]!.summary, 'Observations 6');
  });

  it('merges the reads of one purpose however the provider spreads them, while no pause is longer than 30 minutes', () => {
    const { events, add } = trail();
    add(T0, { kind: 'registered' });
    for (let read = 0; read < 6; read++) {
      add(T0 + read * (SESSION_GAP_SECONDS - 60), {
        kind: 'accessLogged',
        provider: DOCTOR,
        recordIds: [BigInt(read + 1)],
        purpose: TREATMENT,
      });
    }
    add(T0 + 5 * (SESSION_GAP_SECONDS - 60) + SESSION_GAP_SECONDS + 1, {
      kind: 'accessLogged',
      provider: DOCTOR,
      recordIds: [9n],
      purpose: TREATMENT,
    });
    assert.deepEqual(auditStory(PATIENT, events).map(text), [
      'Dr. Ada Okafor read 1 record for treatment',
      'Dr. Ada Okafor read 6 records for treatment',
      'You registered as a patient',
    ]);
  });

  it('keeps two providers reading at the same time apart, and counts each record once', () => {
    const { events, add } = trail();
    add(T0, { kind: 'accessLogged', provider: DOCTOR, recordIds: [1n, 2n], purpose: TREATMENT });
    add(T0 + 10, { kind: 'accessLogged', provider: LAB, recordIds: [1n], purpose: TREATMENT });
    add(T0 + 20, { kind: 'accessLogged', provider: DOCTOR, recordIds: [2n, 3n], purpose: TREATMENT });
    assert.deepEqual(auditStory(PATIENT, events).map(text), [
      'Dr. Ada Okafor read 3 records for treatment',
      'Northside Lab read 1 record for treatment',
    ]);
  });

  it('says each purpose as a sentence says it', () => {
    const { events, add } = trail();
    add(T0, {
      kind: 'accessLogged',
      provider: DOCTOR,
      recordIds: [1n],
      purpose: purposeNamed('patient-request')!.value,
    });
    add(T0 + 10, { kind: 'accessLogged', provider: LAB, recordIds: [1n], purpose: purposeNamed('emergency')!.value });
    assert.deepEqual(auditStory(PATIENT, events).map(text), [
      'Northside Lab read 1 record for emergency treatment',
      'Dr. Ada Okafor read 1 record at the patient’s request',
    ]);
  });

  it('ends a sitting when its person does something else in between', () => {
    const { events, add } = trail();
    add(T0, { kind: 'recordAdded', recordId: 1n, author: PATIENT, category: observation, supersedes: 0n });
    add(T0 + 10, {
      kind: 'accessGranted',
      provider: LAB,
      scopes: readScope(observation),
      expiry: T0 + 86_400,
      keyring: '0x01',
    });
    add(T0 + 20, { kind: 'recordAdded', recordId: 2n, author: PATIENT, category: observation, supersedes: 0n });
    add(T0 + 30, { kind: 'recordAdded', recordId: 3n, author: LAB, category: observation, supersedes: 0n });
    add(T0 + 40, { kind: 'recordAdded', recordId: 4n, author: PATIENT, category: observation, supersedes: 1n });
    const story = auditStory(PATIENT, events).map(text);
    assert.equal(story.length, 4);
    assert.deepEqual(story.slice(0, 2), ['You added 1 record and corrected 1', 'Northside Lab added 1 record']);
    assert.match(story[2]!, /^You gave Northside Lab access until /, 'the grant ends the first sitting');
    assert.equal(story[3], 'You added 1 record');
  });

  it('tells consent changes as sentences with the provider named, the scopes beneath', () => {
    const { events, add } = trail();
    add(T0, { kind: 'accessRequested', provider: DOCTOR, scopes: readScope(observation) | readScope(condition) });
    add(T0 + 60, { kind: 'requestDenied', provider: DOCTOR });
    add(T0 + 120, {
      kind: 'accessGranted',
      provider: LAB,
      scopes: readScope(observation),
      expiry: T0 + 86_400,
      keyring: '0x01',
    });
    add(T0 + 180, { kind: 'accessRevoked', provider: LAB, keyEpoch: 1 });
    add(T0 + 180, { kind: 'keyringShared', provider: DOCTOR, keyEpoch: 1, keyring: '0x02' }, true);
    const story = auditStory(PATIENT, events);
    assert.deepEqual(
      story.map((entry) => entry.kind),
      ['keysShared', 'revoked', 'granted', 'denied', 'requested'],
      'the revocation and the key share of one transaction, in chain order, newest first',
    );
    const sentences = story.map(text);
    assert.equal(sentences[0], 'You shared new keys with Dr. Ada Okafor');
    assert.equal(sentences[1], 'You revoked access for Northside Lab');
    assert.match(sentences[2]!, /^You gave Northside Lab access until \S/);
    assert.equal(sentences[3], 'You declined a request from Dr. Ada Okafor');
    assert.equal(sentences[4], 'Dr. Ada Okafor asked for access');
    assert.deepEqual(story[2]!.sentence.slice(0, 3), [{ who: PATIENT }, ' gave ', { who: LAB }]);
    assert.equal(story[2]!.summary, 'Read Observations');
    assert.equal(story[4]!.summary, 'Read Observations, Conditions');
    assert.equal(story[0]!.counterpart, DOCTOR);
  });

  it('puts every event in exactly one entry, so the exports of the entries are the whole trail', () => {
    const { events, add } = imported();
    add(T0 + 4_000, { kind: 'accessLogged', provider: DOCTOR, recordIds: [2n, 3n], purpose: TREATMENT });
    add(T0 + 4_100, { kind: 'accessLogged', provider: DOCTOR, recordIds: [4n], purpose: RISK });
    const story = auditStory(PATIENT, events);
    const rows = storyRows(story);
    assert.deepEqual(
      rows.map((row) => row.id),
      auditRows(PATIENT, events).map((row) => row.id),
      'one row per event, newest first, as the exports always listed them',
    );

    const csv = auditCsv(rows, () => undefined).split('\r\n');
    assert.ok(csv.some((line) => line.includes(`,${DOCTOR},,Opened 2 records,treatment,`)));
    assert.ok(csv.some((line) => line.includes(`,${DOCTOR},,Opened 1 record,risk-assessment,`)));
    const bundle = auditBundle(rows, {
      patient: PATIENT,
      chainId: 31337,
      contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      nameOf: () => undefined,
    });
    const purposes = bundle.entry!.flatMap((entry) => entry.resource!.purposeOfEvent ?? []);
    assert.deepEqual(
      purposes.map((purpose) => [purpose.coding?.[0]?.system, purpose.coding?.[0]?.code, purpose.text]),
      [
        ['https://medledger.dev/fhir/CodeSystem/purpose-of-use', 'risk-assessment', 'risk assessment'],
        ['http://terminology.hl7.org/CodeSystem/v3-ActReason', 'TREAT', 'treatment'],
      ],
    );
  });

  it('is newest first by when each entry ended', () => {
    const { events, add } = imported();
    add(T0 + 70, { kind: 'accessLogged', provider: DOCTOR, recordIds: [2n], purpose: TREATMENT });
    const story = auditStory(PATIENT, events);
    assert.deepEqual(story.map(text), [
      'You added 161 records',
      'Dr. Ada Okafor read 1 record for treatment',
      'You registered as a patient',
    ]);
  });
});
