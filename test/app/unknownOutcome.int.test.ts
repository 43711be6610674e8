import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

type Json = Record<string, unknown>;

/**
 * Unknown outcomes over real HTTP to the simulator: 202, then reconcile by clientOrderId. The harness
 * uses a 1 s client timeout, a 1 s access window and 2 s clock skew, so a send window closes 3 s
 * after the send.
 */
describe('unknown outcomes and reconcile', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = (body: Json) => t.request('POST', '/v1/executions', { key: t.keys.alice, body });
  const reconcile = (id: string) => t.request('POST', `/v1/executions/${id}/reconcile`, { key: t.keys.ops });
  const timeline = async (id: string) =>
    ((await t.request('GET', `/v1/executions/${id}`, { key: t.keys.ops })).body['events'] as Json[]).map(
      (event) => event['type'],
    );
  /** Reconcile rounds until the execution leaves SUBMITTING (bounded). */
  const reconcileUntilResolved = async (id: string, maxRounds = 20) => {
    for (let round = 1; round <= maxRounds; round++) {
      const report = await reconcile(id);
      expect(report.status).toBe(200);
      const execution = report.body['execution'] as Json;
      if (execution['status'] !== 'SUBMITTING') return { report: report.body, rounds: round };
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    throw new Error(`${id} still SUBMITTING after ${maxRounds} rounds`);
  };

  it('KILLER: drop_after_commit → 202 → reconcile finds the order → FILLED with the exchange order id; one order', async () => {
    await t.control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order' }]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    const pending = await submit(body);
    expect(pending.status).toBe(202);
    expect(pending.body['outcome']).toBe('soft_fail_reconcile_pending');
    expect(pending.body['execution']).toMatchObject({ status: 'SUBMITTING', exchangeOrderId: null });
    expect((pending.body['execution'] as Json)['lastError']).toMatch(/^send UNKNOWN/);

    // A repeat while unresolved is 202 too, and sends nothing.
    expect((await submit(body)).status).toBe(202);

    const report = await reconcile(id);
    expect(report.body).toMatchObject({ action: 'found', resent: false });
    const orders = await simOrdersFor(t.control, id);
    expect(orders).toHaveLength(1);
    expect(report.body['execution']).toMatchObject({
      status: 'FILLED',
      exchangeOrderId: orders[0]!['orderId'],
      reconcileAttempts: 1,
    });
    expect(await timeline(id)).toEqual([
      'ExecutionSubmitting',
      'SubmissionOutcomeUnknown',
      'ReconcileAttempted',
      'Submitted',
      'FillRecorded',
      'Filled',
    ]);
    expect((await submit(body)).status).toBe(200);
  });

  it('EDGE 2 timeout: 202 → not found (real 240s) → evidence after the window → re-sent with the same key → FILLED', async () => {
    await t.control.faults([{ kind: 'timeout', method: 'POST', path: '/order' }]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    const pending = await submit(body);
    expect(pending.status).toBe(202);

    // Right away: a real 240, but the send window is still open, so no evidence and no re-send.
    const early = await reconcile(id);
    expect(early.body).toMatchObject({
      action: 'not_found',
      resent: false,
      execution: { status: 'SUBMITTING' },
    });

    const { report } = await reconcileUntilResolved(id);
    expect(report).toMatchObject({ action: 'resend', resent: true, execution: { status: 'FILLED' } });
    expect(await simOrdersFor(t.control, id)).toHaveLength(1);
    const events = (await t.request('GET', `/v1/executions/${id}`, { key: t.keys.ops })).body[
      'events'
    ] as Json[];
    const lookups = events
      .filter((event) => event['type'] === 'ReconcileAttempted')
      .map((event) => event['data'] as Json);
    expect(lookups.every((lookup) => lookup['result'] === 'not_found')).toBe(true);
    expect(
      lookups
        .filter((lookup) => lookup['method'] === 'get_order')
        .every((lookup) => lookup['errorCode'] === 240),
    ).toBe(true);
    expect(
      lookups.some((lookup) => lookup['method'] === 'list_orders' && lookup['windowElapsed'] === true),
    ).toBe(true);
    const retried = events.find((event) => event['type'] === 'SubmissionRetried');
    expect(retried?.['data']).toMatchObject({ attempt: 1, evidence: 'window_elapsed_not_found' });
  });

  it('SOFT not executed (107): 202 → reconcile sees a 240 → re-sent at once → FILLED; one order', async () => {
    await t.control.faults([
      { kind: 'error_before_commit', method: 'POST', path: '/order', status: 503, errorCode: 107 },
    ]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);
    const report = await reconcile(id);
    expect(report.body).toMatchObject({ action: 'resend', resent: true, execution: { status: 'FILLED' } });
    expect(await simOrdersFor(t.control, id)).toHaveLength(1);
  });

  it('a failing lookup is never evidence: it stays SUBMITTING past the window, then resolves when lookups work', async () => {
    await t.control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order' }]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);
    await t.control.faults([
      { kind: 'error_before_commit', method: 'GET', path: '/order', status: 500, errorCode: 101, count: 4 },
    ]);
    for (let round = 0; round < 4; round++) {
      const report = await reconcile(id);
      expect(report.body).toMatchObject({
        action: 'lookup_error',
        resent: false,
        execution: { status: 'SUBMITTING' },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const found = await reconcile(id);
    expect(found.body).toMatchObject({
      action: 'found',
      execution: { status: 'FILLED', reconcileAttempts: 5 },
    });
    expect(await simOrdersFor(t.control, id)).toHaveLength(1);
  });

  it('the kill switch does not stop reconciliation, but it does stop a re-send (proven not placed → FAILED)', async () => {
    await t.control.faults([
      { kind: 'drop_after_commit', method: 'POST', path: '/order' },
      { kind: 'error_before_commit', method: 'POST', path: '/order', status: 503, errorCode: 107 },
    ]);
    const placed = marketBuy();
    const notPlaced = marketBuy();
    expect((await submit(placed)).status).toBe(202);
    expect((await submit(notPlaced)).status).toBe(202);
    await t.request('PUT', '/v1/ops/kill-switch', {
      key: t.keys.ops,
      body: { engaged: true, reason: 'drill' },
    });
    try {
      const found = await reconcile(placed['clientOrderId'] as string);
      expect(found.body).toMatchObject({ action: 'found', execution: { status: 'FILLED' } });
      const abandoned = await reconcile(notPlaced['clientOrderId'] as string);
      expect(abandoned.body).toMatchObject({
        action: 'abandon',
        resent: false,
        execution: { status: 'FAILED' },
      });
      expect(await simOrdersFor(t.control, notPlaced['clientOrderId'] as string)).toHaveLength(0);
      const repeat = await submit(notPlaced);
      expect(repeat.status).toBe(422);
      expect(repeat.body['error']).toMatchObject({ code: 'EXECUTION_ABANDONED' });
    } finally {
      await t.request('PUT', '/v1/ops/kill-switch', {
        key: t.keys.ops,
        body: { engaged: false, reason: 'drill over' },
      });
    }
  });

  it('HARD refusal by the exchange: 422 EXCHANGE_REJECTED, SubmissionFailed recorded, permanent', async () => {
    await t.control.faults([
      { kind: 'error_before_commit', method: 'POST', path: '/order', status: 400, errorCode: 217 },
    ]);
    const body = marketBuy();
    const refused = await submit(body);
    expect(refused.status).toBe(422);
    expect(refused.body['error']).toMatchObject({ code: 'EXCHANGE_REJECTED' });
    expect(await timeline(body['clientOrderId'] as string)).toEqual([
      'ExecutionSubmitting',
      'SubmissionFailed',
    ]);
    expect((await submit(body)).status).toBe(422);
  });

  it('reconcile of a resolved execution does nothing; of an unknown one is 404', async () => {
    const body = marketBuy();
    expect((await submit(body)).status).toBe(201);
    const report = await reconcile(body['clientOrderId'] as string);
    expect(report.body).toMatchObject({
      action: 'not_in_flight',
      resent: false,
      execution: { status: 'FILLED' },
    });
    expect((await reconcile('7b0c1d52-8f0e-4a51-9d0e-2f4a7f9b1c3d')).status).toBe(404);
  });
});
