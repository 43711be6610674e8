import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsdbEventStore } from '../../../src/adapters/eventstore/esdb/esdbEventStore';
import type { EventStore } from '../../../src/domain/ports/eventStore';
import { executionStreamName, toEventToAppend } from '../../../src/domain/execution';
import { startEsdbDouble, type EsdbDouble } from '../../support/esdb/esdbDouble';
import { CLIENT_ORDER_ID, OTHER_CLIENT_ORDER_ID, sampleEvent } from '../../support/executionFixtures';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { runLedger } from './support/runLedger';

// The same tools on the other store: EVENTSTORE_URL selects EventStoreDB (here the in-process double).
let database: TestDatabase;
let double: EsdbDouble;
let store: EventStore;
const NOW = new Date().toISOString();

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  double = await startEsdbDouble();
  store = createEsdbEventStore(double.connectionString);
  await store.appendToStream(
    executionStreamName(CLIENT_ORDER_ID),
    [
      sampleEvent('ExecutionSubmitting', {}, NOW),
      sampleEvent('Submitted', {}, NOW),
      sampleEvent('FillRecorded', {}, NOW),
      sampleEvent('Filled', {}, NOW),
    ].map((event) => toEventToAppend(event)),
    { expectedRevision: 'no_stream' },
  );
  // A fill recorded after the end: an illegal history the replay must name.
  await store.appendToStream(
    executionStreamName(OTHER_CLIENT_ORDER_ID),
    [
      sampleEvent('ExecutionSubmitting', { clientOrderId: OTHER_CLIENT_ORDER_ID }, NOW),
      sampleEvent('Submitted', { exchangeOrderId: 'order-2' }, NOW),
      sampleEvent('Filled', {}, NOW),
      sampleEvent('FillRecorded', { fillId: 'late-fill' }, NOW),
    ].map((event) => toEventToAppend(event)),
    { expectedRevision: 'no_stream' },
  );
});

afterAll(async () => {
  await store?.close();
  await double?.close();
  await database?.drop();
});

describe('ledger replay / invariants --replay on EventStoreDB', () => {
  it('replays from EventStoreDB and finds the illegal event in one pass over $all', async () => {
    const env = { DATABASE_URL: database.connectionString, EVENTSTORE_URL: double.connectionString };
    const replay = await runLedger(['replay', CLIENT_ORDER_ID], env);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/FillRecorded\s+PARTIALLY_FILLED/);
    expect(replay.stdout).toContain('final state: FILLED');

    const scan = await runLedger(['invariants', '--replay', '--json', '--batch-size', '3'], env);
    expect(scan.code).toBe(1);
    const body = JSON.parse(scan.stdout) as {
      streamsChecked: number;
      eventsRead: number;
      findings: { check: string; clientOrderId: string }[];
    };
    expect(body.streamsChecked).toBe(2);
    expect(body.eventsRead).toBe(8);
    expect(body.findings.map((finding) => [finding.check, finding.clientOrderId])).toContainEqual([
      'legal_transitions',
      OTHER_CLIENT_ORDER_ID,
    ]);
  });
});
