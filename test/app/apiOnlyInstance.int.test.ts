import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketBuy, startTestApp, type TestApp } from '../support/appHarness';

/** PROJECTIONS_ENABLED=false (`ledger serve --no-projections`): an API instance whose read models another instance keeps. */
describe('an API-only instance', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { PROJECTIONS_ENABLED: 'false' }, listen: true });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('takes orders and answers from the streams, and applies no projection itself', async () => {
    const body = marketBuy();
    const created = await api.request('POST', '/v1/executions', { key: api.keys.alice, body });
    expect(created.status).toBe(201);
    const read = await api.request('GET', `/v1/executions/${String(body['clientOrderId'])}`, {
      key: api.keys.alice,
    });
    expect(read.status).toBe(200);

    // Long enough for a local runner to have applied it (they apply within ~25 ms of an append).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const checkpoints = await api.db.pool.query('SELECT name FROM projection_checkpoints');
    expect(checkpoints.rows).toEqual([]);
    const rows = await api.db.pool.query('SELECT count(*)::int AS n FROM trade_executions');
    expect(rows.rows[0]).toEqual({ n: 0 });

    // The read-model routes still answer (from what the projecting instance wrote: nothing yet).
    const list = await api.request('GET', '/v1/executions', { key: api.keys.alice });
    expect(list.status).toBe(200);
    expect(list.body['executions']).toEqual([]);
  });
});
