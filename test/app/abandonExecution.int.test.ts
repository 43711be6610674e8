import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

type Json = Record<string, unknown>;

/** An operator closes a stuck SUBMITTING execution, only when the exchange really does not have it. */
describe('POST /v1/executions/:id/abandon', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = (body: Json) => t.request('POST', '/v1/executions', { key: t.keys.alice, body });
  const abandon = (id: string, note: unknown, key = t.keys.ops) =>
    t.request('POST', `/v1/executions/${id}/abandon`, { key, body: { note } });
  /** Abandons once the send window (1 s access window + 2 s skew here) has closed; at most 8 s. */
  const abandonAfterWindow = async (id: string, note: string) => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const answer = await abandon(id, note);
      if ((answer.body as { error?: { code?: string } }).error?.code !== 'SEND_WINDOW_OPEN') return answer;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the send window did not close within 8 s');
  };

  it('records ExecutionAbandoned with the operator and the note when the exchange answers 240', async () => {
    await t.control.faults([{ kind: 'timeout', method: 'POST', path: '/order' }]); // never placed
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);

    expect((await abandon(id, 'x', t.keys.alice)).status).toBe(403);
    expect((await abandon(id, '   ')).status).toBe(400);
    // Unknown fields are refused (as on every other command body), before anything is looked up.
    const extra = await t.request('POST', `/v1/executions/${id}/abandon`, {
      key: t.keys.ops,
      body: { note: 'checked', force: true },
    });
    expect(extra.status).toBe(400);
    expect(extra.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    // Right after the send a delayed copy of it could still execute: no abandon yet.
    const early = await abandon(id, 'checked the Bitvavo UI by hand: no order');
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: 'SEND_WINDOW_OPEN' } });

    const closed = await abandonAfterWindow(id, 'checked the Bitvavo UI by hand: no order');
    expect(closed.status).toBe(200);
    expect(closed.body['execution']).toMatchObject({ status: 'FAILED', exchangeOrderId: null });
    const events = (await t.request('GET', `/v1/executions/${id}`, { key: t.keys.ops })).body[
      'events'
    ] as Json[];
    const last = events.at(-1)!;
    expect(last['type']).toBe('ExecutionAbandoned');
    expect(last['data']).toMatchObject({
      reason: 'operator_resolved',
      note: 'checked the Bitvavo UI by hand: no order',
    });
    expect(await simOrdersFor(t.control, id)).toHaveLength(0);
    // Terminal: a second abandon is refused, and the same key answers from the stream.
    expect((await abandon(id, 'again')).body).toMatchObject({ error: { code: 'NOT_IN_FLIGHT' } });
  });

  it('refuses when the exchange has the order (reconcile it instead), and records nothing', async () => {
    await t.control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order' }]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);
    const refused = await abandon(id, 'I think it is not there');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'ORDER_FOUND_ON_EXCHANGE' } });
    const state = (await t.request('GET', `/v1/executions/${id}`, { key: t.keys.ops })).body;
    expect(state['execution']).toMatchObject({ status: 'SUBMITTING' });
    expect((state['events'] as Json[]).map((e) => e['type'])).not.toContain('ExecutionAbandoned');
  });

  it('refuses when GET /order answers 240 but the GET /orders sweep lists the order (a completed order GET /order missed)', async () => {
    await t.control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order' }]); // placed, answer lost
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);
    expect(await simOrdersFor(t.control, id)).toHaveLength(1);
    await t.control.faults([
      { kind: 'error_before_commit', method: 'GET', path: '/order', status: 404, errorCode: 240, count: 40 },
    ]);
    const refused = await abandonAfterWindow(id, 'GET /order says 240');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'ORDER_FOUND_ON_EXCHANGE' } });
    await t.control.reset();
    const state = (await t.request('GET', `/v1/executions/${id}`, { key: t.keys.ops })).body;
    expect(state['execution']).toMatchObject({ status: 'SUBMITTING' });
  });

  it('refuses when the lookup itself fails: a failed lookup proves nothing', async () => {
    await t.control.faults([{ kind: 'timeout', method: 'POST', path: '/order' }]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);
    await t.control.faults([
      { kind: 'error_before_commit', method: 'GET', path: '/order', status: 500, errorCode: 101 },
    ]);
    const refused = await abandon(id, 'lookup will fail');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'LOOKUP_FAILED' } });
  });

  it('answers 404 for an unknown execution', async () => {
    expect((await abandon('7d9f7c1e-4b7a-4c53-9d42-6f0e4c2b9a11', 'no such thing')).status).toBe(404);
  });
});
