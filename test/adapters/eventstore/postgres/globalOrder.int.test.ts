import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgresEventStore';
import { comparePositions, type RecordedEvent } from '../../../../src/domain/ports/eventStore';
import { createTestDatabase, type TestDatabase } from '../../../support/testDatabase';

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

const appendSql = `INSERT INTO events (stream_id, stream_revision, event_id, event_type, data) VALUES ($1, 0, $2, 'Late', '{}') RETURNING global_position AS last_position`;

describe('PostgreSQL global order', () => {
  it('never lets a reader skip a transaction that took a lower position but commits late', async () => {
    const prefix = `execution-${randomUUID().slice(0, 8)}`;
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({
      streamPrefixes: [prefix],
      onEvents: async (events) => {
        received.push(...events);
      },
    });

    // Transaction A takes its position first and stays open.
    const slow = await database.pool.connect();
    await slow.query('BEGIN');
    const late = await slow.query<{ last_position: string }>(appendSql, [`${prefix}-late`, randomUUID()]);
    // Transaction B appends after it (a higher position) and commits at once.
    const early = await store.appendToStream(`${prefix}-early`, [{ type: 'Early', data: {} }], {
      expectedRevision: 'no_stream',
    });
    expect(BigInt(late.rows[0]!.last_position)).toBeLessThan(early.position.prepare);

    // While A is open, a reader must not move past it: B is held back, A is not yet visible.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const visibleWhileOpen = await store.readAll({ maxCount: 100, streamPrefixes: [prefix] });
    expect(visibleWhileOpen.events.map((e) => e.type)).not.toContain('Late');
    const readerSawEarly = received.some((e) => e.type === 'Early');

    await slow.query('COMMIT');
    slow.release();
    for (let wait = 0; wait < 100 && received.length < 2; wait++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.stop();

    expect(received.map((e) => e.type).sort()).toEqual(['Early', 'Late']);
    expect(comparePositions(received[0]!.position, received[1]!.position)).toBe(-1);
    // If B had been delivered before A committed, A must still come after B in the global order.
    if (readerSawEarly) expect(received[0]!.type).toBe('Early');
    const all = await store.readAll({ maxCount: 100, streamPrefixes: [prefix] });
    expect(all.events.map((e) => e.id)).toEqual(received.map((e) => e.id));
  });

  it('rolls back an append whose transaction aborts: readers never see it', async () => {
    const prefix = `execution-${randomUUID().slice(0, 8)}`;
    const client = await database.pool.connect();
    await client.query('BEGIN');
    await client.query(appendSql, [`${prefix}-aborted`, randomUUID()]);
    await client.query('ROLLBACK');
    client.release();
    await store.appendToStream(`${prefix}-kept`, [{ type: 'Kept', data: {} }], {
      expectedRevision: 'no_stream',
    });
    // Other test files' open transactions may hold the read horizon back for a moment.
    let all = await store.readAll({ maxCount: 100, streamPrefixes: [prefix] });
    for (let wait = 0; wait < 100 && all.events.length === 0; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      all = await store.readAll({ maxCount: 100, streamPrefixes: [prefix] });
    }
    expect(all.events.map((e) => e.type)).toEqual(['Kept']);
  });
});
