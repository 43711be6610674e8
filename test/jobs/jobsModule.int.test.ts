import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { LedgerMetrics } from '../../src/adapters/metrics/ledgerMetrics';
import { TradingControlService } from '../../src/application/control/tradingControlService';
import { ManualClock } from '../../src/domain/ports/clock';
import { jobsModule, type JobsModule } from '../../src/jobs/jobsModule';
import { listJobRuns } from '../../src/jobs/scheduler/jobRunsRepository';
import { testProjectionsModule } from '../adapters/http/support/testProjectionsModule';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

type Json = Record<string, unknown>;

/** Polls the read model until the execution shows `status` (the projection runs in the background). */
async function projected(
  t: TestApp,
  clientOrderId: string,
  status: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await t.db.pool.query<{ status: string }>(
      'SELECT status FROM trade_executions WHERE client_order_id = $1',
      [clientOrderId],
    );
    if (result.rows[0]?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${clientOrderId} never showed ${status} in trade_executions`);
}

describe('jobs in the app: reconcile sweeper, fill follower, metrics', () => {
  let t: TestApp;
  let jobs: JobsModule;
  const clock = new ManualClock(Date.now());
  const notifier = new RecordingNotifier();
  const metrics = new LedgerMetrics({ defaultMetrics: false });

  beforeAll(async () => {
    jobs = jobsModule({ clock, notifier, metrics, autoStartScheduler: false, startupReconciliation: false });
    t = await startTestApp({
      listen: true,
      overrides: {
        modules: [testProjectionsModule(), jobs],
        // A limit far above any test's use, so that the simulator sends the bitvavo-ratelimit-* headers.
        exchange: { client: { hooks: metrics.exchangeHooks }, simulator: { rateLimitPerMin: 1_000_000 } },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** GET /metrics with the ops key: the Prometheus text. */
  const scrape = async () => {
    const response = await t.app.server.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${t.keys.ops}` },
    });
    expect(response.statusCode).toBe(200);
    return response.body;
  };
  const submit = (body: Json) => t.request('POST', '/v1/executions', { key: t.keys.alice, body });
  const timeline = async (id: string) =>
    ((await t.request('GET', `/v1/executions/${id}`, { key: t.keys.ops })).body['events'] as Json[]).map(
      (event) => event['type'],
    );
  /** Moves the jobs' clock to "now + ms" and runs every job that is due then. */
  const tickAfter = async (ms: number) => {
    clock.setMs(Date.now() + ms);
    return jobs.handles().scheduler!.tick();
  };

  it('the sweeper resolves a drop_after_commit execution by itself, without the reconcile endpoint', async () => {
    await t.control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order' }]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);
    await projected(t, id, 'SUBMITTING');

    // Younger than RECONCILE_MIN_AGE_MS (10 s): the sweeper leaves it to its own request.
    const early = await tickAfter(5_000);
    expect(early.find((report) => report.job === 'reconcile')?.detail).toMatchObject({ listed: 0 });
    expect(await timeline(id)).toEqual(['ExecutionSubmitting', 'SubmissionOutcomeUnknown']);

    const reports = await tickAfter(11_000);
    const sweep = reports.find((report) => report.job === 'reconcile');
    expect(sweep).toMatchObject({
      outcome: 'succeeded',
      detail: { rounds: 1, resolved: 1, actions: { found: 1 } },
    });
    expect(await timeline(id)).toEqual([
      'ExecutionSubmitting',
      'SubmissionOutcomeUnknown',
      'ReconcileAttempted',
      'Submitted',
      'FillRecorded',
      'Filled',
    ]);
    const orders = await simOrdersFor(t.control, id);
    expect(orders).toHaveLength(1);
    // Recorded by the sweeper itself (the API's reconcile endpoint would record an ops actor).
    const actors = await t.db.pool.query<{ actor: string }>(
      `SELECT DISTINCT metadata->>'actor' AS actor FROM events WHERE stream_id = $1 AND stream_revision >= 2`,
      [`execution-${id}`],
    );
    expect(actors.rows).toEqual([{ actor: 'reconcile-sweeper' }]);
    const runs = await listJobRuns(t.db.pool, { job: 'reconcile' });
    expect(runs[0]).toMatchObject({ outcome: 'succeeded', trigger: 'interval', detail: { resolved: 1 } });
    expect(notifier.alerts).toEqual([]);
  });

  it('the fill follower records a resting order fill once and follows a cancel to CANCELLED', async () => {
    const restingBuy = (price: string) =>
      marketBuy({ orderType: 'limit', amountQuote: undefined, amount: '0.0001', price });
    const toFill = restingBuy('59000');
    const toCancel = restingBuy('50000');
    expect((await submit(toFill)).status).toBe(201);
    expect((await submit(toCancel)).status).toBe(201);
    const fillId = toFill['clientOrderId'] as string;
    const cancelId = toCancel['clientOrderId'] as string;
    await projected(t, fillId, 'SUBMITTED');
    await projected(t, cancelId, 'SUBMITTED');

    // Nothing happened on the exchange yet: looked at, nothing recorded.
    const quiet = await tickAfter(60_000);
    expect(quiet.find((report) => report.job === 'fills')?.detail).toMatchObject({
      looked: 2,
      updated: 0,
      ended: 0,
    });

    await t.control.price('BTC-EUR', '58000');
    const cancelled = await t.app.context.exchange.client.cancelOrder('BTC-EUR', { clientOrderId: cancelId });
    expect(cancelled.ok).toBe(true);
    const followed = await tickAfter(120_000);
    expect(followed.find((report) => report.job === 'fills')?.detail).toMatchObject({
      looked: 2,
      ended: 2,
      fillsRecorded: 1,
    });
    expect(await timeline(fillId)).toEqual(['ExecutionSubmitting', 'Submitted', 'FillRecorded', 'Filled']);
    expect(await timeline(cancelId)).toEqual(['ExecutionSubmitting', 'Submitted', 'Cancelled']);
    await projected(t, fillId, 'FILLED');
    await projected(t, cancelId, 'CANCELLED');

    // Followed again (a redelivered look): nothing is recorded twice.
    const again = await jobs.handles().fillFollower.follow(fillId);
    expect(again).toEqual({ result: 'skipped', fills: 0 });
    expect(await timeline(fillId)).toHaveLength(4);
  });

  it('GET /metrics: ops key only; executions by status, failures, exchange latency, rate limit, jobs', async () => {
    expect((await t.request('GET', '/metrics')).status).toBe(401);
    expect((await t.request('GET', '/metrics', { key: t.keys.alice })).status).toBe(403);
    const response = await t.app.server.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${t.keys.ops}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toMatch(/ledger_executions\{status="FILLED"\} [1-9]/);
    expect(text).toMatch(/ledger_executions\{status="CANCELLED"\} 1/);
    expect(text).toMatch(/ledger_execution_soft_failures 1/);
    expect(text).toMatch(/ledger_execution_hard_failures 0/);
    expect(text).toMatch(/ledger_reconcile_attempts 1/);
    expect(text).toMatch(/ledger_submissions_total\{outcome="pending"\} 1/);
    expect(text).toMatch(/ledger_submissions_total\{outcome="created"\} 2/);
    expect(text).toMatch(/ledger_reconcile_rounds_total\{source="sweeper",action="found"\} 1/);
    expect(text).toMatch(
      /ledger_exchange_request_duration_seconds_count\{method="GET",endpoint="\/order",outcome="ACKNOWLEDGED"\} [1-9]/,
    );
    expect(text).toMatch(/ledger_exchange_rate_limit_remaining \d+/);
    expect(text).toMatch(/ledger_job_last_success_timestamp_seconds\{ledger_job="reconcile"\} \d+/);
    expect(text).toMatch(/ledger_job_last_success_timestamp_seconds\{ledger_job="fills"\} \d+/);
    // Never `job`: a Prometheus scrape sets that label itself and would rename ours `exported_job`.
    expect(text).not.toMatch(/[{,]job="/);
    expect(text).toMatch(/ledger_projection_lag_events\{projection="executions"\} \d+/);
    expect(text).toContain('# TYPE ledger_invariant_violations gauge');
  });

  it('a failing job is recorded, counted and alerted (warning, once per hour per job)', async () => {
    await t.db.pool.query('DROP FUNCTION refresh_execution_stats_24h()');
    const scheduler = jobs.handles().scheduler!;
    const first = await scheduler.runNow('stats');
    await scheduler.runNow('stats');
    expect(first).toMatchObject({
      outcome: 'failed',
      detail: { error: expect.stringContaining('refresh_execution_stats_24h') },
    });
    expect(notifier.alerts.filter((alert) => alert.title === 'Job stats failed')).toEqual([
      expect.objectContaining({ severity: 'warning', dedupeKey: 'job-failed:stats' }),
      expect.objectContaining({ severity: 'warning', dedupeKey: 'job-failed:stats' }),
    ]);
    const metricsText = (await metrics.render()).body;
    expect(metricsText).toMatch(/ledger_job_runs_total\{ledger_job="stats",outcome="failed"\} 2/);
  });

  it('GET /metrics: the exchange rate-limit reset time, as the simulator last stated it', async () => {
    const beforeMs = Date.now();
    // A signed call now, so that the last stated window is the current one whatever ran before.
    expect((await t.app.context.exchange.client.getBalance('EUR')).ok).toBe(true);
    const resetS = Number(
      /^ledger_exchange_rate_limit_reset_timestamp_seconds (\S+)$/m.exec(await scrape())?.[1],
    );
    // The simulator's window is one minute from its first request in it.
    expect(resetS * 1000).toBeGreaterThan(beforeMs);
    expect(resetS * 1000).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('GET /metrics: kill switch and allowlist read from trading-control at every scrape', async () => {
    expect(await scrape()).toMatch(/^ledger_kill_switch_engaged 0$/m);
    expect(await scrape()).toMatch(/^ledger_allowed_markets 2$/m);

    const engaged = await t.request('PUT', '/v1/ops/kill-switch', {
      key: t.keys.ops,
      body: { engaged: true, reason: 'metrics test' },
    });
    expect(engaged.status).toBe(200);
    expect(await scrape()).toMatch(/^ledger_kill_switch_engaged 1$/m);

    // Released by another writer of the stream (as `ledger kill-switch release` does): seen at once.
    const cli = new TradingControlService(t.app.context.eventStore, clock);
    await cli.execute({ type: 'ReleaseKillSwitch', actor: 'ops:cli', reason: 'metrics test done' });
    expect(await scrape()).toMatch(/^ledger_kill_switch_engaged 0$/m);

    const narrowed = await t.request('PUT', '/v1/ops/markets', {
      key: t.keys.ops,
      body: { allowed: ['BTC-EUR'], reason: 'metrics test' },
    });
    expect(narrowed.status).toBe(200);
    expect(await scrape()).toMatch(/^ledger_allowed_markets 1$/m);
    await cli.execute({
      type: 'ChangeMarketAllowlist',
      allowed: ['BTC-EUR', 'ETH-EUR'],
      actor: 'ops:cli',
      reason: 'metrics test done',
    });
    expect(await scrape()).toMatch(/^ledger_allowed_markets 2$/m);
  });
});
