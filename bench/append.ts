import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../src/adapters/eventstore/postgres/postgresEventStore';
import { median, openBenchDatabase, throughput } from './support/benchDatabase';

/**
 * Appends/s with 8 concurrent writers, (a) one event to a new stream and (b) one event to an existing
 * stream, against plain single-row INSERTs into an equivalent table, in the same database and run.
 * Rounds alternate baseline and append so that drift of a shared machine hits both alike.
 */
export async function run(args: string[]): Promise<void> {
  const writers = 8;
  const roundMs = Number(args[0] ?? 3_000);
  const rounds = Number(args[1] ?? 3);
  const database = await openBenchDatabase(writers + 2);
  const { pool } = database;
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_plain_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL,
    event_id uuid NOT NULL UNIQUE, event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, revision))`);
  const store = new PostgresEventStore(pool);
  const data = {
    clientOrderId: randomUUID(),
    market: 'BTC-EUR',
    side: 'buy',
    amount: '0.001',
    schemaVersion: 1,
  };

  const insert = (stream: string, revision: number) =>
    pool.query(
      'INSERT INTO bench_plain_events (stream_id, revision, event_id, event_type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)',
      [stream, revision, randomUUID(), 'ExecutionSubmitting', JSON.stringify(data), '{}'],
    );
  const existing = Array.from({ length: writers }, () => ({
    stream: `execution-${randomUUID()}`,
    revision: -1n,
  }));

  const baseline: number[] = [];
  const newStream: number[] = [];
  const existingStream: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const prefix = randomUUID().slice(0, 8);
    baseline.push(
      await throughput(writers, roundMs, (writer, n) =>
        insert(`plain-${prefix}-${writer}-${n}`, 0).then(() => undefined),
      ),
    );
    newStream.push(
      await throughput(writers, roundMs, (writer, n) =>
        store
          .appendToStream(`execution-${prefix}-${writer}-${n}`, [{ type: 'ExecutionSubmitting', data }], {
            expectedRevision: 'no_stream',
          })
          .then(() => undefined),
      ),
    );
    existingStream.push(
      await throughput(writers, roundMs, async (writer) => {
        const slot = existing[writer]!;
        const result = await store.appendToStream(slot.stream, [{ type: 'FillRecorded', data }], {
          expectedRevision: slot.revision < 0n ? 'no_stream' : slot.revision,
        });
        slot.revision = result.nextExpectedRevision;
      }),
    );
  }
  const insertsPerS = median(baseline);
  const newPerS = median(newStream);
  const existingPerS = median(existingStream);
  console.log(
    `database: ${database.description}; ${writers} writers; ${rounds} rounds of ${roundMs} ms each`,
  );
  console.log(`plain_inserts_per_s=${insertsPerS.toFixed(0)}`);
  console.log(`append_new_stream_per_s=${newPerS.toFixed(0)} ratio=${(newPerS / insertsPerS).toFixed(3)}`);
  console.log(
    `append_existing_stream_per_s=${existingPerS.toFixed(0)} ratio=${(existingPerS / insertsPerS).toFixed(3)}`,
  );
  console.log(`append_ratio=${(Math.min(newPerS, existingPerS) / insertsPerS).toFixed(3)}`);
  await store.close();
  await database.close();
}
