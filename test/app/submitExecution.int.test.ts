import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionStreamName } from '../../src/domain/execution';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

/** The flow of DESIGN §3 with the gates of DESIGN §4, over the HTTP API, real PostgreSQL and the simulator. */
describe('POST /v1/executions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = (body: Record<string, unknown>, key = t.keys.alice) =>
    t.request('POST', '/v1/executions', { key, body });
  const streamTypes = async (clientOrderId: string) => {
    const result = await t.db.pool.query<{ event_type: string }>(
      'SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_revision',
      [executionStreamName(clientOrderId)],
    );
    return result.rows.map((row) => row.event_type);
  };

  it('TEST 1 idempotency: the same key twice gives 201 then 200 and one order at the exchange', async () => {
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    const first = await submit(body);
    expect(first.status).toBe(201);
    const execution = first.body['execution'] as Record<string, unknown>;
    expect(execution).toMatchObject({
      clientOrderId: id,
      userId: 'alice',
      status: 'FILLED',
      rejectCode: null,
    });
    expect(typeof execution['exchangeOrderId']).toBe('string');
    const second = await submit(body);
    expect(second.status).toBe(200);
    expect(second.body['execution']).toEqual(execution);
    expect(await simOrdersFor(t.control, id)).toHaveLength(1);
    expect(await streamTypes(id)).toEqual(['ExecutionSubmitting', 'Submitted', 'FillRecorded', 'Filled']);
  });

  it('the same key in upper case is the same execution: 200, nothing sent again, and GET finds it', async () => {
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(201);
    const upper = await submit({ ...body, clientOrderId: id.toUpperCase() });
    expect(upper.status).toBe(200);
    expect((upper.body['execution'] as Record<string, unknown>)['clientOrderId']).toBe(id);
    expect(await simOrdersFor(t.control, id)).toHaveLength(1);
    const read = await t.request('GET', `/v1/executions/${id.toUpperCase()}`, { key: t.keys.alice });
    expect(read.status).toBe(200);
    expect(await streamTypes(id.toUpperCase())).toEqual([]);
  });

  it('answers with exactly the execution shape of the API, and GET adds the event timeline', async () => {
    const body = marketBuy({ orderType: 'limit', amountQuote: undefined, amount: '0.0001', price: '50000' });
    const created = await submit(body);
    expect(created.status).toBe(201);
    const execution = created.body['execution'] as Record<string, unknown>;
    expect(Object.keys(execution).sort()).toEqual(
      [
        'clientOrderId',
        'userId',
        'market',
        'side',
        'orderType',
        'amount',
        'amountQuote',
        'price',
        'status',
        'exchangeOrderId',
        'reconcileAttempts',
        'filledAmount',
        'filledAmountQuote',
        'feePaid',
        'rejectCode',
        'lastError',
        'submittingAt',
        'updatedAt',
        'revision',
      ].sort(),
    );
    // A resting limit order: acknowledged, not filled.
    expect(execution).toMatchObject({
      status: 'SUBMITTED',
      amount: '0.0001',
      amountQuote: null,
      price: '50000',
      filledAmount: '0',
      revision: 1,
    });
    const got = await t.request('GET', `/v1/executions/${body['clientOrderId']}`, { key: t.keys.alice });
    expect(got.status).toBe(200);
    expect(got.body['execution']).toEqual(execution);
    const events = got.body['events'] as Record<string, unknown>[];
    expect(events.map((event) => [event['revision'], event['type']])).toEqual([
      [0, 'ExecutionSubmitting'],
      [1, 'Submitted'],
    ]);
    expect(typeof events[0]!['position']).toBe('string');
    expect(events[0]!['data']).toMatchObject({
      userId: 'alice',
      gateEvidence: { confidenceLevel: 'TRAINING', limitEur: '25.00' },
    });
  });

  it('409 IDEMPOTENCY_KEY_REUSED for the same key with a different body; nothing is appended or sent', async () => {
    const body = marketBuy();
    expect((await submit(body)).status).toBe(201);
    const before = await t.eventCount();
    const reused = await submit({ ...body, amountQuote: '11' });
    expect(reused.status).toBe(409);
    expect(reused.body).toEqual({ error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String) } });
    // Another user using the same key is a different request too (and learns nothing about it).
    const other = await submit(body, t.keys.bob);
    expect(other.status).toBe(409);
    expect(other.body['execution']).toBeUndefined();
    expect(await t.eventCount()).toBe(before);
    expect(await simOrdersFor(t.control, body['clientOrderId'] as string)).toHaveLength(1);
  });

  it('400 VALIDATION_FAILED for an invalid body; nothing is recorded', async () => {
    const before = await t.eventCount();
    for (const body of [
      marketBuy({ amount: '0.001' }), // market order with amount and amountQuote
      marketBuy({ clientOrderId: 'not-a-uuid' }),
      marketBuy({ amountQuote: '-5' }),
      marketBuy({ amountQuote: 10 }),
      marketBuy({ expiresAt: 'tomorrow' }),
      marketBuy({ orderType: 'limit' }),
      marketBuy({ surprise: true }),
      marketBuy({ userId: 'alice' }),
    ]) {
      const response = await submit(body, body['userId'] ? t.keys.ops : t.keys.alice);
      if (body['userId']) {
        // An ops key must say for whom; this one does, so it is valid: check the others only.
        expect(response.status).toBe(201);
        continue;
      }
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((response.body['error'] as Record<string, unknown>)['code']).toBe('VALIDATION_FAILED');
    }
    const opsWithoutUser = await submit(marketBuy(), t.keys.ops);
    expect(opsWithoutUser.status).toBe(400);
    expect(await t.eventCount()).toBe(before + 4);
  });

  it('order limit by level: €25 passes and €25.01 fails at TRAINING; the override only lowers it', async () => {
    expect((await submit(marketBuy({ amountQuote: '25' }))).status).toBe(201);
    const over = await submit(marketBuy({ amountQuote: '25.01' }));
    expect(over.status).toBe(422);
    expect(over.body['error']).toMatchObject({ code: 'ORDER_LIMIT_EXCEEDED' });
    expect(over.body['execution']).toMatchObject({ status: 'REJECTED', rejectCode: 'ORDER_LIMIT_EXCEEDED' });

    const raise = await t.request('PUT', '/v1/ops/users/alice/policy', {
      key: t.keys.ops,
      body: { orderLimitEur: '30', reason: 'try to raise' },
    });
    expect(raise.status).toBe(422);
    expect(raise.body['error']).toMatchObject({ code: 'LIMIT_OVERRIDE_ABOVE_LEVEL' });

    const lower = await t.request('PUT', '/v1/ops/users/alice/policy', {
      key: t.keys.ops,
      body: { orderLimitEur: '10', reason: 're-enable at €10 after an incident' },
    });
    expect(lower.status).toBe(200);
    expect(lower.body).toMatchObject({
      orderLimitEur: '10.00',
      effectiveLimitEur: '10.00',
      confidenceLevel: 'TRAINING',
      changed: true,
    });
    expect((await submit(marketBuy({ amountQuote: '10' }))).status).toBe(201);
    const overOverride = await submit(marketBuy({ amountQuote: '10.01' }));
    expect(overOverride.status).toBe(422);
    expect(overOverride.body['error']).toMatchObject({ code: 'ORDER_LIMIT_EXCEEDED' });

    const level = await t.request('PUT', '/v1/ops/users/alice/policy', {
      key: t.keys.ops,
      body: { confidenceLevel: 'MATURE', reason: 'not here' },
    });
    expect(level.status).toBe(422);
    expect(level.body['error']).toMatchObject({ code: 'CONFIDENCE_LEVEL_READ_ONLY' });
    const cleared = await t.request('PUT', '/v1/ops/users/alice/policy', {
      key: t.keys.ops,
      body: { orderLimitEur: null, reason: 'incident closed' },
    });
    expect(cleared.body).toMatchObject({ orderLimitEur: null, effectiveLimitEur: '25.00' });
  });

  it('a new user starts at TRAINING with trading disabled until an operator enables it', async () => {
    const carol = (await t.app.services.keys.create({ role: 'trader', userId: 'carol' })).key;
    const policy = await t.request('GET', '/v1/ops/users/carol/policy', { key: t.keys.ops });
    expect(policy.body).toMatchObject({
      userId: 'carol',
      tradingEnabled: false,
      confidenceLevel: 'TRAINING',
      revision: -1,
    });
    const refused = await submit(marketBuy(), carol);
    expect(refused.status).toBe(422);
    expect(refused.body['error']).toMatchObject({ code: 'USER_TRADING_DISABLED' });
    const enabled = await t.request('PUT', '/v1/ops/users/carol/policy', {
      key: t.keys.ops,
      body: { tradingEnabled: true, reason: 'checklist step 6' },
    });
    expect(enabled.body).toMatchObject({ tradingEnabled: true, revision: 0 });
    const events = await t.db.pool.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM events WHERE stream_id = 'user-policy-carol'",
    );
    expect(events.rows[0]!.data).toMatchObject({ actor: 'ops:test-ops', reason: 'checklist step 6' });
    expect((await submit(marketBuy(), carol)).status).toBe(201);
  });

  it('TEST 4 kill switch: stops the very next request, the refusal is permanent, release lets new keys through', async () => {
    const engage = await t.request('PUT', '/v1/ops/kill-switch', {
      key: t.keys.ops,
      body: { engaged: true, reason: 'exchange incident' },
    });
    expect(engage.status).toBe(200);
    expect(engage.body).toMatchObject({
      engaged: true,
      reason: 'exchange incident',
      changedBy: 'ops:test-ops',
      changed: true,
    });
    const ordersBefore = (await t.control.orders()).length;
    const body = marketBuy();
    const refused = await submit(body);
    expect(refused.status).toBe(422);
    expect(refused.body['error']).toMatchObject({ code: 'KILL_SWITCH' });
    expect(await streamTypes(body['clientOrderId'] as string)).toEqual(['ExecutionRejected']);

    const release = await t.request('PUT', '/v1/ops/kill-switch', {
      key: t.keys.ops,
      body: { engaged: false, reason: 'incident over' },
    });
    expect(release.body).toMatchObject({ engaged: false, changed: true });
    // An outcome once reached is permanent: the same key stays rejected.
    const again = await submit(body);
    expect(again.status).toBe(422);
    expect(again.body['error']).toMatchObject({ code: 'KILL_SWITCH' });
    expect((await t.control.orders()).length).toBe(ordersBefore);
    expect((await submit(marketBuy())).status).toBe(201);
    const audit = await t.db.pool.query<{ event_type: string; data: Record<string, unknown> }>(
      "SELECT event_type, data FROM events WHERE stream_id = 'trading-control' ORDER BY stream_revision",
    );
    expect(audit.rows.map((row) => [row.event_type, row.data['actor'], row.data['reason']])).toEqual([
      ['KillSwitchEngaged', 'ops:test-ops', 'exchange incident'],
      ['KillSwitchReleased', 'ops:test-ops', 'incident over'],
    ]);
  });

  it('TEST 5 allowlist: a market off the list is refused until an operator allows it', async () => {
    const markets = await t.request('GET', '/v1/ops/markets', { key: t.keys.ops });
    expect(markets.body).toMatchObject({ allowed: ['BTC-EUR', 'ETH-EUR'] });
    const refused = await submit(marketBuy({ market: 'SOL-EUR' }));
    expect(refused.status).toBe(422);
    expect(refused.body['error']).toMatchObject({ code: 'MARKET_NOT_ALLOWED' });
    const changed = await t.request('PUT', '/v1/ops/markets', {
      key: t.keys.ops,
      body: { allowed: ['BTC-EUR', 'ETH-EUR', 'SOL-EUR'], reason: 'listing SOL' },
    });
    expect(changed.body).toMatchObject({ allowed: ['BTC-EUR', 'ETH-EUR', 'SOL-EUR'], changed: true });
    expect((await submit(marketBuy({ market: 'SOL-EUR' }))).status).toBe(201);
    const notEur = await t.request('PUT', '/v1/ops/markets', {
      key: t.keys.ops,
      body: { allowed: ['BTC-USDC'], reason: 'wrong quote' },
    });
    expect(notEur.status).toBe(422);
    expect(notEur.body['error']).toMatchObject({ code: 'MARKET_NOT_EUR' });
    await t.request('PUT', '/v1/ops/markets', {
      key: t.keys.ops,
      body: { allowed: ['BTC-EUR', 'ETH-EUR'], reason: 'back' },
    });
  });

  it('EDGE 1 expired proposal: 422 PROPOSAL_EXPIRED, recorded, nothing sent', async () => {
    const body = marketBuy({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
    const refused = await submit(body);
    expect(refused.status).toBe(422);
    expect(refused.body['error']).toMatchObject({ code: 'PROPOSAL_EXPIRED' });
    expect(await streamTypes(body['clientOrderId'] as string)).toEqual(['ExecutionRejected']);
    expect(await simOrdersFor(t.control, body['clientOrderId'] as string)).toHaveLength(0);
  });

  it('a trader cannot submit for another user; ops can', async () => {
    const forBob = marketBuy({ userId: 'bob' });
    const refused = await submit(forBob, t.keys.alice);
    expect(refused.status).toBe(403);
    const byOps = await submit(forBob, t.keys.ops);
    expect(byOps.status).toBe(201);
    expect(byOps.body['execution']).toMatchObject({ userId: 'bob' });
    expect(
      (await t.request('GET', `/v1/executions/${forBob['clientOrderId']}`, { key: t.keys.bob })).status,
    ).toBe(200);
    expect(
      (await t.request('GET', `/v1/executions/${forBob['clientOrderId']}`, { key: t.keys.alice })).status,
    ).toBe(403);
    expect((await t.request('GET', `/v1/executions/${randomUUID()}`, { key: t.keys.alice })).status).toBe(
      404,
    );
  });
});
