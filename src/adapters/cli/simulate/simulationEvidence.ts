import type { App } from '../../../app';
import type { RunningSimulator } from '../../exchange/simulator/startSimulator';
import { OPERATIONAL_STALE_SUBMITTING_MS } from '../invariants/runSqlInvariants';
import { scanExecutionStreams, type ScanResult } from '../invariants/scanExecutionStreams';
import type { ReadModelCounts, SimOrder } from './stagingMetrics';

/*
 * What a staging run is judged on, gathered after quiescence: the event store replayed, the read
 * models, and the simulator's own order book (the exchange's side of the story).
 */

/** The read models must keep moving: give up after this long without progress (or the hard cap). */
const READ_MODEL_STALL_MS = 15_000;
const READ_MODEL_MAX_WAIT_MS = 5 * 60_000;

async function countRows(app: App, table: string): Promise<number | null> {
  try {
    const result = await app.context.pool.query<{ count: string }>(`SELECT count(*) FROM ${table}`);
    return Number(result.rows[0]?.count ?? 0);
  } catch {
    return null;
  }
}

/** Execution events in the PostgreSQL store, counted in SQL: what a complete scan must have read. */
async function storedExecutionEvents(app: App): Promise<number> {
  const result = await app.context.pool.query<{ count: string }>(
    "SELECT count(*) FROM events WHERE starts_with(stream_id, 'execution-')",
  );
  return Number(result.rows[0]?.count ?? 0);
}

/**
 * The invariant scan over the whole store. A reader of the global order only sees transactions older
 * than every running one, so a scan can end short while some transaction is still open: on the
 * PostgreSQL store the scan is repeated (bounded) until it read every event the table holds.
 */
export async function completeScan(
  app: App,
  nowMs: number,
  storeIsPostgres: boolean,
): Promise<ScanResult & { expectedEvents: number | null }> {
  for (let attempt = 1; ; attempt++) {
    const scan = await scanExecutionStreams(app.context.eventStore, {
      batchSize: 1_000,
      nowMs,
      staleSubmittingAfterMs: OPERATIONAL_STALE_SUBMITTING_MS,
    });
    if (!storeIsPostgres) return { ...scan, expectedEvents: null };
    const expectedEvents = await storedExecutionEvents(app);
    if (scan.eventsRead === expectedEvents || attempt >= 5) return { ...scan, expectedEvents };
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** Waits (bounded) until the read models hold every stream and every event. */
export async function readModelCounts(
  app: App,
  streams: number,
  events: number,
): Promise<ReadModelCounts | null> {
  const startedMs = Date.now();
  let progressAtMs = startedMs;
  let last = -1;
  for (;;) {
    const [executions, audit] = await Promise.all([
      countRows(app, 'trade_executions'),
      countRows(app, 'execution_events'),
    ]);
    if (executions === null || audit === null) return null;
    const caughtUp = executions >= streams && audit >= events;
    const now = Date.now();
    if (executions + audit > last) progressAtMs = now;
    last = executions + audit;
    if (caughtUp || now - progressAtMs > READ_MODEL_STALL_MS || now - startedMs > READ_MODEL_MAX_WAIT_MS) {
      return { executions, events: audit, caughtUp };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function fetchSimOrders(simulator: RunningSimulator): Promise<SimOrder[]> {
  const response = await fetch(`${simulator.controlUrl}/orders`);
  if (!response.ok) throw new Error(`the simulator did not list its orders: HTTP ${response.status}`);
  const body = (await response.json()) as { orders: { orderId: string; clientOrderId?: string }[] };
  return body.orders.map((order) => ({ orderId: order.orderId, clientOrderId: order.clientOrderId }));
}
