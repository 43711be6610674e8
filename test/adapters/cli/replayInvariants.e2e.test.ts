import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgresEventStore';
import { executionStreamName, toEventToAppend, type ExecutionEvent } from '../../../src/domain/execution';
import { CLIENT_ORDER_ID, OTHER_CLIENT_ORDER_ID, sampleEvent } from '../../support/executionFixtures';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { runLedger } from './support/runLedger';

let database: TestDatabase;
let env: Record<string, string>;
/** Event times of today: the stale-SUBMITTING check compares them with the recorded times. */
const NOW = new Date().toISOString();

async function append(clientOrderId: string, events: readonly ExecutionEvent[]) {
  const store = new PostgresEventStore(database.pool);
  const stream = executionStreamName(clientOrderId);
  let expected: 'no_stream' | bigint = 'no_stream';
  try {
    const existing = await store.readStream(stream);
    expected = existing.at(-1)!.revision;
  } catch {
    expected = 'no_stream';
  }
  await store.appendToStream(
    stream,
    events.map((event) => toEventToAppend(event)),
    { expectedRevision: expected },
  );
}

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  env = { DATABASE_URL: database.connectionString };
  await append(CLIENT_ORDER_ID, [
    sampleEvent('ExecutionSubmitting', {}, NOW),
    sampleEvent('SubmissionOutcomeUnknown', {}, NOW),
  ]);
  await append(CLIENT_ORDER_ID, [
    sampleEvent(
      'ReconcileAttempted',
      { result: 'found', exchangeOrderId: 'order-1', httpStatus: 200, errorCode: null },
      NOW,
    ),
    sampleEvent('Submitted', { via: 'reconcile' }, NOW),
    sampleEvent('Filled', {}, NOW),
  ]);
});

afterAll(async () => {
  await database?.drop();
});

describe('ledger replay / invariants as child processes', () => {
  it('replays one execution as JSON, and as of a global position', async () => {
    const run = await runLedger(['replay', CLIENT_ORDER_ID, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body.ok).toBe(true);
    expect(body.execution.timeline.map((row: { statusAfter: string }) => row.statusAfter)).toEqual([
      'SUBMITTING',
      'SUBMITTING',
      'SUBMITTING',
      'SUBMITTED',
      'FILLED',
    ]);
    expect(body.execution.state).toMatchObject({
      status: 'FILLED',
      exchangeOrderId: 'order-1',
      reconcileAttempts: 1,
    });
    const secondPosition = body.execution.timeline[1].position as string;

    const cut = await runLedger(['replay', CLIENT_ORDER_ID, '--as-of', secondPosition], env);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toContain('2 events as of global position');
    expect(cut.stdout).toContain('final state: SUBMITTING');
    expect(cut.stdout).toContain('invariants: ✅ all hold');
  });

  it('finds an execution by its clientOrderId typed in upper case (the API stores it lower-cased)', async () => {
    const run = await runLedger(['replay', CLIENT_ORDER_ID.toUpperCase(), '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body.execution.clientOrderId).toBe(CLIENT_ORDER_ID);
    expect(body.execution.finalStatus).toBe('FILLED');
  });

  it('checks every stream (0 on a sound ledger), then finds an order claimed twice (1) in the replay and the user view', async () => {
    const sound = await runLedger(['invariants', '--replay', '--json'], env);
    expect(sound.code, sound.stderr).toBe(0);
    expect(JSON.parse(sound.stdout)).toMatchObject({
      mode: 'replay',
      streamsChecked: 1,
      findingsTotal: 0,
      ok: true,
    });

    await append(OTHER_CLIENT_ORDER_ID, [
      sampleEvent('ExecutionSubmitting', { clientOrderId: OTHER_CLIENT_ORDER_ID }, NOW),
      sampleEvent('Submitted', {}, NOW),
    ]);
    const broken = await runLedger(['invariants', '--replay'], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('❌ no_duplicates: 1');
    expect(broken.stdout).toContain(`exchange order order-1 is also claimed by execution ${CLIENT_ORDER_ID}`);
    expect(broken.stderr).toMatch(/replaying: 100% 7\/7 events · 2 streams checked, 1 violation/);

    const user = await runLedger(['replay', '--user', 'user-1'], env);
    expect(user.code).toBe(1);
    expect(user.stdout).toContain('2 executions of user user-1');
    expect(user.stdout).toMatch(new RegExp(`${OTHER_CLIENT_ORDER_ID}.*SUBMITTED.*order-1  ❌`));
  });

  it('runs the read-model SQL invariants, and refuses bad usage with exit 2', async () => {
    const sql = await runLedger(['invariants', '--json'], env);
    expect(sql.code, sql.stderr).toBe(0);
    const body = JSON.parse(sql.stdout);
    expect(body.checks.map((check: { function: string }) => check.function)).toEqual([
      'check_no_duplicates',
      'check_no_stale_submitting',
      'check_no_missing_order_id',
      'check_client_order_id_set',
    ]);
    const usage = await runLedger(['replay', 'not-a-uuid'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('is not a UUID');
    const backwards = await runLedger(
      ['replay', '--user', 'user-1', '--from', '2025-02-01', '--to', '2025-01-01'],
      env,
    );
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--from is after --to');
    const nonsense = await runLedger(['replay', CLIENT_ORDER_ID, '--as-of', '2025-01-01junk'], env);
    expect(nonsense.code).toBe(2);
  });
});
