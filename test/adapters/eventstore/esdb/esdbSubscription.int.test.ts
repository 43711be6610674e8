import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEsdbEventStore,
  type EsdbEventStore,
} from '../../../../src/adapters/eventstore/esdb/esdbEventStore';
import {
  comparePositions,
  EventStoreUnavailable,
  type EventToAppend,
  type RecordedEvent,
  type SubscribeToAllOptions,
} from '../../../../src/domain/ports/eventStore';
import { startEsdbDouble, type EsdbDouble } from '../../../support/esdb/esdbDouble';

const event = (type: string, data: Record<string, unknown> = {}): EventToAppend => ({ type, data });
const sleep = (durationMs: number) => new Promise((resolve) => setTimeout(resolve, durationMs));

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(10);
}

function expectExactlyOnceInOrder(received: RecordedEvent[], expectedCount: number): void {
  expect(received).toHaveLength(expectedCount);
  expect(new Set(received.map((e) => e.id)).size).toBe(expectedCount);
  for (let index = 1; index < received.length; index++) {
    expect(comparePositions(received[index - 1]!.position, received[index]!.position)).toBe(-1);
  }
}

describe('EsdbEventStore subscriptions and $all filtering', () => {
  let double: EsdbDouble;
  let store: EsdbEventStore;
  const reconnect = { maxAttemptsInRow: 30, baseDelayMs: 10, maxDelayMs: 100 };

  beforeEach(async () => {
    double = await startEsdbDouble();
    store = createEsdbEventStore(double.connectionString, { reconnect });
  });
  afterEach(async () => {
    await store.close();
    await double.close();
  });

  function collect(options: Partial<SubscribeToAllOptions> = {}) {
    const received: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = store.subscribeToAll({
      batchSize: 5,
      ...options,
      onEvents:
        options.onEvents ??
        (async (events) => {
          received.push(...events);
        }),
      onCaughtUp: () => {
        caughtUp = true;
      },
    });
    return { received, subscription, isCaughtUp: () => caughtUp };
  }

  it("sees only the ledger's streams by default: no system streams, no system event types, no other prefixes", async () => {
    const suffix = randomUUID();
    await store.appendToStream(`$system-${suffix}`, [event('$statistics-collected')], {
      expectedRevision: 'any',
    });
    await store.appendToStream(`other-${suffix}`, [event('Foreign')], { expectedRevision: 'any' });
    await store.appendToStream(`execution-${suffix}`, [event('Ledger1'), event('$metadata')], {
      expectedRevision: 'any',
    });
    await store.appendToStream(`user-policy-${suffix}`, [event('Ledger2')], { expectedRevision: 'any' });
    await store.appendToStream('trading-control', [event('Ledger3')], { expectedRevision: 'any' });
    await store.appendToStream(`exec-${suffix}`, [event('AlmostLedger')], { expectedRevision: 'any' });

    const read = await store.readAll({ maxCount: 100 });
    expect(read.events.map((e) => e.type)).toEqual(['Ledger1', 'Ledger2', 'Ledger3']);
    expect(
      (await store.readAll({ maxCount: 100, streamPrefixes: ['user-policy-'] })).events.map((e) => e.type),
    ).toEqual(['Ledger2']);
    // Even a prefix that matches everything never lets a system event through.
    expect((await store.readAll({ maxCount: 100, streamPrefixes: [''] })).events.map((e) => e.type)).toEqual([
      'Foreign',
      'Ledger1',
      'Ledger2',
      'Ledger3',
      'AlmostLedger',
    ]);

    const live = collect();
    await until(() => live.isCaughtUp());
    await store.appendToStream(`$system-${suffix}`, [event('$statistics-collected')], {
      expectedRevision: 'any',
    });
    await store.appendToStream(`other-${suffix}`, [event('Foreign')], { expectedRevision: 'any' });
    await store.appendToStream(`execution-${suffix}`, [event('Ledger4')], { expectedRevision: 'any' });
    await until(() => live.received.length >= 4);
    await sleep(100);
    await live.subscription.stop();
    expect(live.received.map((e) => e.type)).toEqual(['Ledger1', 'Ledger2', 'Ledger3', 'Ledger4']);
  });

  it('signals caught-up only after every event committed before it was handled', async () => {
    const stream = `execution-${randomUUID()}`;
    await store.appendToStream(
      stream,
      Array.from({ length: 12 }, (_, n) => event(`E${n}`)),
      { expectedRevision: 'no_stream' },
    );
    const calls: string[] = [];
    const subscription = store.subscribeToAll({
      batchSize: 5,
      onEvents: async (events) => {
        calls.push(`events:${events.length}`);
      },
      onCaughtUp: () => calls.push('caughtUp'),
    });
    await until(() => calls.includes('caughtUp'));
    await subscription.stop();
    expect(calls).toEqual(['events:5', 'events:5', 'events:2', 'caughtUp']);
  });

  it('awaits the handler: one batch at a time, never more than batchSize, while the server keeps writing', async () => {
    const stream = `execution-${randomUUID()}`;
    let inFlight = 0;
    let overlapped = false;
    const sizes: number[] = [];
    const { received, subscription, isCaughtUp } = collect({
      batchSize: 4,
      onEvents: async (events) => {
        overlapped ||= inFlight > 0;
        inFlight += 1;
        sizes.push(events.length);
        await sleep(5);
        received.push(...events);
        inFlight -= 1;
      },
    });
    await until(isCaughtUp);
    let revision: bigint | 'no_stream' = 'no_stream';
    for (let append = 0; append < 10; append++) {
      const batch = Array.from({ length: 6 }, (_, n) => event('Tick', { append, n }));
      revision = (await store.appendToStream(stream, batch, { expectedRevision: revision }))
        .nextExpectedRevision;
    }
    await until(() => received.length >= 60);
    await subscription.stop();
    expect(overlapped).toBe(false);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expectExactlyOnceInOrder(received, 60);
  });

  it('resubscribes after dropped subscriptions from the last handled event: every event exactly once', async () => {
    const prefix = `execution-${randomUUID().slice(0, 8)}`;
    await store.appendToStream(
      `${prefix}-before`,
      Array.from({ length: 30 }, (_, n) => event('Before', { n })),
      {
        expectedRevision: 'no_stream',
      },
    );
    const { received, subscription, isCaughtUp } = collect({
      streamPrefixes: [prefix],
      batchSize: 3,
      onEvents: async (events) => {
        await sleep(2); // slow enough that drops land mid-stream, with events still in flight
        received.push(...events);
      },
    });
    await until(isCaughtUp);
    const readsBefore = double.calls.read;
    let drops = 0;
    const writers = Array.from({ length: 5 }, async (_, writer) => {
      let revision: bigint | 'no_stream' = 'no_stream';
      for (let append = 0; append < 10; append++) {
        const batch = [event('Live', { writer, append, n: 0 }), event('Live', { writer, append, n: 1 })];
        revision = (await store.appendToStream(`${prefix}-w${writer}`, batch, { expectedRevision: revision }))
          .nextExpectedRevision;
        await sleep(5);
      }
    });
    let writing = true;
    const written = Promise.all(writers).finally(() => (writing = false));
    // Cut the live subscription again and again while events flow (bounded: 1000 rounds).
    for (let round = 0; round < 1000 && (writing || received.length < 130); round++) {
      await sleep(15);
      drops += double.dropSubscriptions();
    }
    await written;
    await until(() => received.length >= 130);
    await sleep(200); // nothing more may arrive
    await subscription.stop();
    expect(drops).toBeGreaterThan(3);
    expect(double.calls.read - readsBefore).toBeGreaterThan(3); // it really subscribed again
    expectExactlyOnceInOrder(received, 130);
  });

  it('keeps going across a node restart on the same address', async () => {
    const stream = `execution-${randomUUID()}`;
    await store.appendToStream(stream, [event('E0'), event('E1')], { expectedRevision: 'no_stream' });
    const { received, subscription, isCaughtUp } = collect();
    await until(isCaughtUp);
    await until(() => received.length >= 2);
    const { port, log } = double;
    await double.close();
    await sleep(150); // the subscription retries against a closed port meanwhile
    double = await startEsdbDouble({ port, log });
    await store.appendToStream(stream, [event('E2'), event('E3')], { expectedRevision: 1n });
    await until(() => received.length >= 4);
    await sleep(100);
    await subscription.stop();
    expect(received.map((e) => e.type)).toEqual(['E0', 'E1', 'E2', 'E3']);
  });

  it('starts while the server is down and catches up once it is back', async () => {
    const stream = `execution-${randomUUID()}`;
    await store.appendToStream(stream, [event('E0')], { expectedRevision: 'no_stream' });
    const { port, log } = double;
    await double.close();
    const { received, subscription, isCaughtUp } = collect();
    await sleep(150); // catch-up reads fail meanwhile and are retried
    expect(isCaughtUp()).toBe(false);
    double = await startEsdbDouble({ port, log });
    await until(isCaughtUp);
    await store.appendToStream(stream, [event('E1')], { expectedRevision: 0n });
    await until(() => received.length >= 2);
    await subscription.stop();
    expect(received.map((e) => e.type)).toEqual(['E0', 'E1']);
  });

  it('gives up with EventStoreUnavailable when the server stays down, after bounded retries', async () => {
    const quick = createEsdbEventStore(double.connectionString, {
      reconnect: { maxAttemptsInRow: 3, baseDelayMs: 10, maxDelayMs: 20 },
    });
    const { subscription } = { subscription: quick.subscribeToAll({ onEvents: async () => undefined }) };
    await sleep(100);
    const startedMs = Date.now();
    await double.close();
    await expect(subscription.done).rejects.toBeInstanceOf(EventStoreUnavailable);
    expect(Date.now() - startedMs).toBeLessThan(10_000);
    await quick.close();
  });

  it('gives up after bounded retries when the server confirms every resubscription and then drops it', async () => {
    const quick = createEsdbEventStore(double.connectionString, {
      reconnect: { maxAttemptsInRow: 3, baseDelayMs: 10, maxDelayMs: 20, stableAfterMs: 5_000 },
    });
    const subscription = quick.subscribeToAll({ onEvents: async () => undefined });
    let outcome: unknown = 'still running';
    subscription.done.then(
      () => (outcome = 'ended'),
      (error: unknown) => (outcome = error),
    );
    // Each resubscription is confirmed and then dropped within 30 ms: never a stable subscription.
    for (let round = 0; round < 100 && outcome === 'still running'; round++) {
      await sleep(30);
      double.dropSubscriptions();
    }
    expect(outcome).toBeInstanceOf(EventStoreUnavailable);
    await quick.close();
  });

  it('stops for good, without a retry, when the handler throws during the live phase', async () => {
    const stream = `execution-${randomUUID()}`;
    const subscription = store.subscribeToAll({
      onEvents: async () => {
        throw new Error('projection failed');
      },
    });
    await sleep(100);
    await store.appendToStream(stream, [event('Boom')], { expectedRevision: 'no_stream' });
    await expect(subscription.done).rejects.toThrow('projection failed');
  });
});
