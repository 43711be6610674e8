import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/adapters/exchange/bitvavo/signRequest';
import { SIMULATOR_API_KEY, SIMULATOR_API_SECRET } from '../../src/config';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

type Json = Record<string, unknown>;

const SOFT_RETRY_DELAY_MS = 1_500;
const BAN_MS = 2_000;
/** GET /v2/balance signed with the simulator's key, outside the ledger's client; the HTTP status. */
async function signedBalance(simUrl: string): Promise<number> {
  const path = '/v2/balance';
  const timestampMs = Date.now();
  const signature = signRequest(SIMULATOR_API_SECRET, { timestampMs, method: 'GET', path, body: '' });
  const response = await fetch(new URL(path, simUrl), {
    headers: {
      'bitvavo-access-key': SIMULATOR_API_KEY,
      'bitvavo-access-timestamp': String(timestampMs),
      'bitvavo-access-window': '10000',
      'bitvavo-access-signature': signature,
    },
  });
  await response.arrayBuffer();
  return response.status;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The soft retry delay over real HTTP to the simulator (the real Bitvavo client): after a send that
 * answered SOFT (107 here), no lookup and no re-send before RECONCILE_SOFT_RETRY_DELAY_MS; and during a
 * 105 ban the client knows of, no lookup is made or counted before the ban ends.
 */
describe('soft retry delay and exchange bans (simulator)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: { RECONCILE_SOFT_RETRY_DELAY_MS: String(SOFT_RETRY_DELAY_MS), JOBS_ENABLED: 'false' },
      // The simulator bans (429 / 105, "the ban expires at <ms>") a key that goes over 200 points a minute.
      overrides: { exchange: { simulator: { rateLimitPerMin: 200, rateLimitBanMs: BAN_MS } } },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = (body: Json) => t.request('POST', '/v1/executions', { key: t.keys.alice, body });
  const reconcile = (id: string) => t.request('POST', `/v1/executions/${id}/reconcile`, { key: t.keys.ops });
  const eventTypes = async (id: string) =>
    ((await t.request('GET', `/v1/executions/${id}`, { key: t.keys.ops })).body['events'] as Json[]).map(
      (event) => event['type'],
    );
  /** Reconcile until it acts (the delay or ban is over), at most `maxRounds` rounds 100 ms apart. */
  const reconcileWhenDue = async (id: string, maxRounds = 60) => {
    for (let round = 0; round < maxRounds; round++) {
      const report = await reconcile(id);
      if (report.body['action'] !== 'deferred') return { report, deferredRounds: round };
      await sleep(100);
    }
    throw new Error(`still deferred after ${maxRounds} rounds`);
  };

  it('a SOFT re-send followed by a 240 is not re-sent before the delay, and is re-sent after it', async () => {
    await t.control.faults([
      { kind: 'error_before_commit', method: 'POST', path: '/order', status: 503, errorCode: 107, count: 2 },
    ]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);
    const sentAtMs = Date.now();

    // Right after the SOFT answer: deferred, nothing looked up, recorded or sent.
    const early = await reconcile(id);
    expect(early.body).toMatchObject({
      action: 'deferred',
      resent: false,
      execution: { status: 'SUBMITTING', reconcileAttempts: 0 },
    });
    expect(Date.parse(early.body['retryAt'] as string)).toBeGreaterThan(Date.now());

    // After the delay: a real 240 → the first re-send, which answers SOFT again (the second 107).
    const first = await reconcileWhenDue(id);
    expect(Date.now() - sentAtMs).toBeGreaterThanOrEqual(SOFT_RETRY_DELAY_MS - 200);
    expect(first.report.body).toMatchObject({
      action: 'resend',
      resent: true,
      execution: { status: 'SUBMITTING', reconcileAttempts: 1 },
    });
    const resentAtMs = Date.now();
    expect((await eventTypes(id)).filter((type) => type === 'SubmissionRetried')).toHaveLength(1);

    // The re-send's SOFT answer starts a new delay: no second re-send before it ends.
    const second = await reconcileWhenDue(id);
    expect(second.deferredRounds).toBeGreaterThan(0);
    expect(Date.now() - resentAtMs).toBeGreaterThanOrEqual(SOFT_RETRY_DELAY_MS - 200);
    expect(second.report.body).toMatchObject({
      action: 'resend',
      resent: true,
      execution: { status: 'FILLED', reconcileAttempts: 2 },
    });
    expect(await simOrdersFor(t.control, id)).toHaveLength(1);
    const types = await eventTypes(id);
    expect(types.filter((type) => type === 'SubmissionRetried')).toHaveLength(2);
    expect(types.filter((type) => type === 'ReconcileAttempted')).toHaveLength(2);
  });

  it('during a 105 ban the client knows of: no lookup, nothing counted, until the ban ends', async () => {
    // An unanswered send (UNKNOWN): reconcile would look it up at once.
    await t.control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order' }]);
    const body = marketBuy();
    const id = body['clientOrderId'] as string;
    expect((await submit(body)).status).toBe(202);

    // Another user of the same API key goes over the simulator's budget (the ledger's client never
    // would): the simulator bans the key; the client learns it (and its end) from its next call.
    const simUrl = t.app.context.exchange.simulator!.url;
    for (let call = 0; call < 300; call++) {
      if ((await signedBalance(simUrl)) === 429) break;
    }
    const client = t.app.context.exchange.client;
    expect(await client.getBalance('EUR')).toMatchObject({ ok: false, errorCode: 105 });
    const bannedUntilMs = client.bannedUntilMs();
    expect(bannedUntilMs).not.toBeNull();

    const banned = await reconcile(id);
    expect(banned.body).toMatchObject({
      action: 'deferred',
      resent: false,
      execution: { status: 'SUBMITTING', reconcileAttempts: 0 },
    });
    expect(Date.parse(banned.body['retryAt'] as string)).toBe(bannedUntilMs);

    const after = await reconcileWhenDue(id, 50);
    expect(Date.now()).toBeGreaterThanOrEqual(bannedUntilMs!);
    expect(after.report.body).toMatchObject({ action: 'found', execution: { status: 'FILLED' } });
    expect(after.report.body).toMatchObject({ execution: { reconcileAttempts: 1 } });
  });
});
