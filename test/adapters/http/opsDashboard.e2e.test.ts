import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsDashboardModule } from '../../../src/adapters/http/opsDashboardModule';
import { LedgerMetrics } from '../../../src/adapters/metrics/ledgerMetrics';
import { jobsModule, type JobsModule } from '../../../src/jobs/jobsModule';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../../support/appHarness';
import { testProjectionsModule } from './support/testProjectionsModule';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
/** Short, so that the planted execution turns stale while the test watches (the real default is 10 min). */
const STALE_AFTER_MS = 1_500;
const UI_TIMEOUT_MS = 20_000;

async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'ops-dashboard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Console errors and failed requests: a CSP violation or a broken asset shows up here. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  return problems;
}

async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/ops`);
  await page.locator('#api-key').fill(key);
  await page.locator('#sign-in-form button[type=submit]').click();
}

async function confirmDialog(page: Page, text: string): Promise<void> {
  const dialog = page.locator('#confirm-dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await dialog.locator('#confirm-input').fill(text);
  await dialog.locator('#confirm-ok').click();
  await expect.poll(() => dialog.isVisible(), { timeout: UI_TIMEOUT_MS }).toBe(false);
}

describe('GET /ops in headless Chromium', () => {
  let t: TestApp;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let jobs: JobsModule;

  beforeAll(async () => {
    // As `ledger serve` wires it, but with the scheduler's timer off: the reconcile sweeper would
    // otherwise resolve the planted execution before the operator gets to it. Jobs run on demand.
    const metrics = new LedgerMetrics({ defaultMetrics: false });
    jobs = jobsModule({ metrics, schedulerEnabled: true, autoStartScheduler: false });
    t = await startTestApp({
      listen: true,
      env: { JOBS_ENABLED: 'false' },
      overrides: {
        exchange: { client: { hooks: metrics.exchangeHooks } },
        modules: [
          jobs,
          opsDashboardModule({ metrics, staleAfterMs: STALE_AFTER_MS }),
          testProjectionsModule(),
        ],
      },
    });
    url = t.url!;
    browser = await launchBrowser();
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses its data to a trader key (403) and to no key (401)', async () => {
    const get = (key?: string) =>
      fetch(`${url}/v1/ops/dashboard`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect((await get()).status).toBe(401);
    expect((await get('tl_notarealkeynotarealkeynotarealkey')).status).toBe(401);
    const asTrader = await get(t.keys.alice);
    expect(asTrader.status).toBe(403);
    expect(((await asTrader.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect((await get(t.keys.ops)).status).toBe(200);

    // The page itself holds no data: without a key, or with a trader key, it shows only the prompt.
    const page = await browser.context.newPage();
    await page.goto(`${url}/ops`);
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    await signIn(page, url, t.keys.alice);
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('not an ops key');
    expect(await page.locator('#dashboard').isVisible()).toBe(false);
    expect(await page.evaluate('window.sessionStorage.length')).toBe(0);
    await page.close();
  });

  it('signs in with an ops key, reconciles a stale execution, flips the kill switch and approves a promotion', async () => {
    // Some history for the chart: two fills and a gate refusal (over TRAINING's €25 limit).
    for (const amountQuote of ['10', '12']) {
      expect(
        (await t.request('POST', '/v1/executions', { key: t.keys.alice, body: marketBuy({ amountQuote }) }))
          .status,
      ).toBe(201);
    }
    expect(
      (
        await t.request('POST', '/v1/executions', {
          key: t.keys.alice,
          body: marketBuy({ amountQuote: '30' }),
        })
      ).status,
    ).toBe(422);
    // The planted stale execution: the exchange places the order and the answer is lost.
    await t.control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order', count: 1 }]);
    const planted = marketBuy();
    const lost = await t.request('POST', '/v1/executions', { key: t.keys.alice, body: planted });
    expect(lost.status).toBe(202);
    const plantedId = planted.clientOrderId as string;
    // A pending promotion, as the promotions job records it.
    await t.app.services.policy.execute('bob', [
      {
        type: 'ProposePromotion',
        actor: 'job:promotions',
        toLevel: 'VALIDATED',
        stats: { executionsPastGates: 150, successful: 149, reconciled: 2 },
        reason: 'eligible: 150 executions, 99.3 % success, 1.3 % recovery',
      },
    ]);

    // The hourly and daily jobs, run now (all green: nothing is 10 minutes old), then a violation as
    // the next hourly run would store it, naming the planted execution.
    const scheduler = jobs.handles().scheduler!;
    expect((await scheduler.runNow('invariants')).outcome).toBe('succeeded');
    expect((await scheduler.runNow('stats')).outcome).toBe('succeeded');
    await t.db.pool.query(
      `INSERT INTO invariant_check_results (check_name, ran_at, violations, details, ok)
       VALUES ('check_no_stale_submitting', now() + interval '1 second', 1, $1, false)`,
      [
        JSON.stringify([
          { client_order_id: plantedId, user_id: 'alice', market: 'BTC-EUR', age_seconds: 660 },
        ]),
      ],
    );

    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await signIn(page, url, t.keys.ops);
    await expect
      .poll(() => page.locator('body').getAttribute('data-loaded'), { timeout: UI_TIMEOUT_MS })
      .toBe('true');
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    expect(await page.evaluate('window.sessionStorage.length')).toBe(1);

    // The stale execution appears (after the projection and STALE_AFTER_MS), flagged stale.
    const row = page.locator(`#submitting-table tr[data-execution="${plantedId}"]`);
    await expect.poll(() => row.getAttribute('data-stale'), { timeout: UI_TIMEOUT_MS }).toBe('true');
    // The jobs that ran, and the violation with a link to the execution's event timeline.
    expect(await page.locator('#jobs-table tr[data-job="invariants"]').textContent()).toContain('succeeded');
    expect(await page.locator('#jobs-table tr[data-job="stats"]').textContent()).toContain('succeeded');
    // This instance's scheduler is not started: no heartbeat, so every expected job shows that no
    // live instance runs it (red), fills included though it never ran.
    expect(await page.locator('#jobs-table tr[data-job="fills"] td.instances').textContent()).toBe('none');
    expect(await page.locator('#jobs-table tr[data-job="fills"] td.instances .pill.alert').count()).toBe(1);
    const violation = page.locator('#invariants-table tr[data-check="check_no_stale_submitting"]');
    expect(await violation.getAttribute('data-state')).toBe('alert');
    expect(await page.locator('#invariants-table tr[data-state="ok"]').count()).toBe(3);
    await violation.locator(`a[data-execution="${plantedId}"]`).click();
    await expect.poll(() => page.locator('#timeline-id').textContent()).toBe(plantedId);
    await expect
      .poll(() => page.locator('#timeline-events li').allTextContents())
      .toEqual([
        expect.stringContaining('ExecutionSubmitting'),
        expect.stringContaining('SubmissionOutcomeUnknown'),
      ]);
    // The chart drew (a canvas from uPlot) and the pending promotion is listed.
    expect(await page.locator('#executions-chart canvas').count()).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('#promotions-table tr[data-user="bob"]').count(), { timeout: UI_TIMEOUT_MS })
      .toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'ops-dashboard.png'), fullPage: true });

    // Reconcile from the page: the order is found at the exchange, the row goes away.
    await row.locator('button.reconcile').click();
    await expect.poll(() => row.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    await expect.poll(() => page.locator('#timeline-events li[data-type="Submitted"]').count()).toBe(1);
    const after = await t.request('GET', `/v1/executions/${plantedId}`, { key: t.keys.ops });
    expect(['SUBMITTED', 'FILLED']).toContain((after.body.execution as { status: string }).status);
    expect(await simOrdersFor(t.control, plantedId)).toHaveLength(1);

    // Engage the kill switch: a reason is required, then it is engaged for the very next order.
    const badge = page.locator('#kill-switch-state');
    expect(await badge.getAttribute('data-state')).toBe('released');
    await page.locator('#kill-switch-toggle').click();
    await page.locator('#confirm-ok').click();
    await expect.poll(() => page.locator('#confirm-error').isVisible()).toBe(true);
    expect(await badge.getAttribute('data-state')).toBe('released');
    await confirmDialog(page, 'e2e: exchange incident drill');
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('engaged');
    const engaged = await t.request('GET', '/v1/ops/kill-switch', { key: t.keys.ops });
    expect(engaged.body).toMatchObject({ engaged: true, reason: 'e2e: exchange incident drill' });
    const refused = await t.request('POST', '/v1/executions', { key: t.keys.alice, body: marketBuy() });
    expect((refused.body.error as { code: string }).code).toBe('KILL_SWITCH');
    // Release it.
    await page.locator('#kill-switch-toggle').click();
    await confirmDialog(page, 'e2e: drill over');
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('released');
    expect((await t.request('GET', '/v1/ops/kill-switch', { key: t.keys.ops })).body).toMatchObject({
      engaged: false,
    });

    // Approve the promotion with a note.
    const promotion = page.locator('#promotions-table tr[data-user="bob"]');
    await promotion.locator('button.approve').click();
    await confirmDialog(page, 'e2e: reviewed, approved');
    await expect.poll(() => promotion.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    const policy = await t.request('GET', '/v1/ops/users/bob/policy', { key: t.keys.ops });
    expect(policy.body).toMatchObject({ confidenceLevel: 'VALIDATED' });

    await page.screenshot({ path: join(ARTIFACTS, 'ops-dashboard-after.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
