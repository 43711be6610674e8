import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../../src/adapters/exchange/bitvavo/bitvavoHttp';
import { signRequest } from '../../../src/adapters/exchange/bitvavo/signRequest';
import { SIMULATOR_API_KEY, SIMULATOR_API_SECRET } from '../../../src/config';
import type { Clock } from '../../../src/domain/ports/clock';
import {
  rawBitvavoRequest,
  startSimulatorHarness,
  type SimulatorHarness,
} from '../../support/bitvavoSimulator';

const skewedClock = (offsetMs: number): Clock => ({ nowMs: () => Date.now() + offsetMs });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('authentication (403 with Bitvavo codes)', () => {
  let h: SimulatorHarness;

  beforeAll(async () => {
    h = await startSimulatorHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('a wrong secret gives 309 (HARD) and the secret never reaches the logs or the message', async () => {
    const secret = 'wrong-secret-do-not-log-4f8a';
    const client = h.newClient({ apiSecret: secret });
    const result = await client.getBalance();
    expect(result).toMatchObject({ ok: false, errorClass: 'HARD', httpStatus: 403, errorCode: 309 });
    const placed = await client.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: randomUUID(),
      amount: '0.01',
    });
    expect(placed).toMatchObject({ errorClass: 'HARD', errorCode: 309 });
    const logs = h.logLines.join('');
    expect(logs).toContain('"errorCode":309');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(SIMULATOR_API_SECRET);
    // A signature is 64 hex characters; none may appear in any log line.
    expect(logs).not.toMatch(/[0-9a-f]{64}/i);
    expect(JSON.stringify([result, placed])).not.toContain(secret);
  });

  it('an unknown key gives 305 (HARD)', async () => {
    const result = await h.newClient({ apiKey: 'not-a-key' }).getBalance();
    expect(result).toMatchObject({ ok: false, errorClass: 'HARD', httpStatus: 403, errorCode: 305 });
  });

  it('a stale timestamp gives 304 (SOFT_NOT_EXECUTED); syncing with GET /time fixes a skewed clock', async () => {
    const unsynced = h.newClient({ clock: skewedClock(-30_000), timeSyncIntervalMs: 0 });
    expect(await unsynced.getBalance()).toMatchObject({
      ok: false,
      errorClass: 'SOFT_NOT_EXECUTED',
      httpStatus: 403,
      errorCode: 304,
    });
    const ahead = h.newClient({ clock: skewedClock(+30_000), timeSyncIntervalMs: 0 });
    expect(await ahead.getBalance()).toMatchObject({ errorCode: 304 });

    const synced = h.newClient({ clock: skewedClock(-30_000) });
    expect(await synced.getBalance()).toMatchObject({ ok: true });
    expect(synced.serverTimeOffsetMs()).toBeGreaterThan(29_000);
    expect(synced.serverTimeOffsetMs()).toBeLessThan(31_000);
  });

  it('a slow clock sync does not move the access window: a too slow GET /time is not used, the order is signed at the call, and one that arrives too late is 304, not placed', async () => {
    // Reconcile trusts that an order lands only within the access window of the recorded send time.
    // A GET /time answered after 3 s would put the offset up to 1.5 s off and let the order land 3 s
    // after the call, past its 2 s window.
    const client = h.newClient({ accessWindowMs: 2_000, timeoutMs: 5_000 });
    await h.control.faults([{ kind: 'delay', method: 'GET', path: '/time', ms: 3_000 }]);
    const clientOrderId = randomUUID();
    const order = { market: 'BTC-EUR', side: 'buy', orderType: 'market', amount: '0.01' } as const;
    const placed = await client.placeOrder({ ...order, clientOrderId });
    expect(placed).toMatchObject({ ok: false, errorClass: 'SOFT_NOT_EXECUTED', errorCode: 304 });
    expect(Math.abs(client.serverTimeOffsetMs())).toBeLessThan(500);
    const orders = await h.control.orders();
    expect(orders.filter((o) => o.clientOrderId === clientOrderId)).toEqual([]);
    expect(h.logLines.join('')).toContain('bitvavo server time not used');
    // The next call does not sync again (the slow one counted as an attempt) and goes through.
    expect(await client.placeOrder({ ...order, clientOrderId: randomUUID() })).toMatchObject({ ok: true });
  });

  it('answers malformed authentication with 300, 302, 303 and 308', async () => {
    const noAuth = await fetch(`${h.sim.url}/balance`);
    expect(noAuth.status).toBe(403);
    expect(await noAuth.json()).toMatchObject({ errorCode: 300, error: expect.any(String) });
    const seconds = await rawBitvavoRequest(h.sim.url, {
      method: 'GET',
      pathAndQuery: '/balance',
      timestampMs: Math.floor(Date.now() / 1000),
    });
    expect(seconds).toMatchObject({ status: 403, body: { errorCode: 302 } });
    const window = await rawBitvavoRequest(h.sim.url, {
      method: 'GET',
      pathAndQuery: '/balance',
      headers: { 'bitvavo-access-window': '70000' },
    });
    expect(window).toMatchObject({ status: 403, body: { errorCode: 303 } });
    const format = await rawBitvavoRequest(h.sim.url, {
      method: 'GET',
      pathAndQuery: '/balance',
      headers: { 'bitvavo-access-signature': 'abc' },
    });
    expect(format).toMatchObject({ status: 403, body: { errorCode: 308 } });
  });

  it('signs the query string: a signature made for one query is 309 on another', async () => {
    expect(
      (await rawBitvavoRequest(h.sim.url, { method: 'GET', pathAndQuery: '/balance?symbol=EUR' })).status,
    ).toBe(200);
    const timestampMs = Date.now();
    const signature = signRequest(SIMULATOR_API_SECRET, {
      timestampMs,
      method: 'GET',
      path: '/v2/balance?symbol=EUR',
      body: '',
    });
    const tampered = await fetch(`${h.sim.url}/balance?symbol=BTC`, {
      headers: {
        'bitvavo-access-key': SIMULATOR_API_KEY,
        'bitvavo-access-timestamp': String(timestampMs),
        'bitvavo-access-signature': signature,
      },
    });
    expect(tampered.status).toBe(403);
    expect(await tampered.json()).toMatchObject({ errorCode: 309 });
  });
});

describe('rate limit (weights, 105 bans, local refusal)', () => {
  let h: SimulatorHarness;
  const events: RequestEvent[] = [];

  beforeAll(async () => {
    h = await startSimulatorHarness(
      { rateLimitPerMin: 40, rateLimitBanMs: 1_000 },
      { hooks: { onRequest: (event) => events.push(event) } },
    );
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.control.reset();
    events.length = 0;
  });

  it('the client learns the budget from the headers and refuses locally before the exchange would ban it', async () => {
    const client = h.newClient({ hooks: { onRequest: (event) => events.push(event) } });
    let refusedAt = -1;
    for (let i = 0; i < 20; i += 1) {
      const result = await client.getBalance(); // weight 5
      if (!result.ok) {
        expect(result).toMatchObject({
          errorClass: 'SOFT_NOT_EXECUTED',
          httpStatus: undefined,
          errorCode: undefined,
        });
        refusedAt = i;
        break;
      }
    }
    expect(refusedAt).toBeGreaterThan(3);
    expect(events.some((e) => e.errorCode === 105)).toBe(false);
    expect(events.at(-1)?.outcome).toBe('REFUSED_LOCALLY');
    // The reserve left for orders is still usable: an order goes through.
    const order = await client.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: randomUUID(),
      amount: '0.001',
    });
    expect(order.ok).toBe(true);
    expect(client.rateLimitRemaining()).toBeLessThan(5);
  });

  it('a caller that ignores the budget gets 429 / 105 with the ban end, and the client then waits it out', async () => {
    let lastStatus = 0;
    let banBody: Record<string, unknown> = {};
    for (let i = 0; i < 20 && lastStatus !== 429; i += 1) {
      const response = await rawBitvavoRequest(h.sim.url, { method: 'GET', pathAndQuery: '/balance' });
      lastStatus = response.status;
      banBody = response.body;
      if (response.status === 200) {
        expect(Number(response.headers.get('bitvavo-ratelimit-remaining'))).toBeLessThan(40);
        expect(Number(response.headers.get('bitvavo-ratelimit-resetat'))).toBeGreaterThan(Date.now());
      }
    }
    expect(lastStatus).toBe(429);
    expect(banBody).toMatchObject({ errorCode: 105 });
    expect(String(banBody.error)).toMatch(/ban expires at \d{13}/);

    // A client that has not spent anything yet sends once, learns of the ban, and stops sending.
    // (The ban is per API key; public calls without a key are limited per address.)
    const client = h.newClient({ hooks: { onRequest: (event) => events.push(event) } });
    expect(await client.getBalance()).toMatchObject({
      ok: false,
      errorClass: 'SOFT_NOT_EXECUTED',
      httpStatus: 429,
      errorCode: 105,
    });
    expect(await client.getBalance()).toMatchObject({ ok: false, httpStatus: undefined });
    const balanceCalls = events.filter((e) => e.endpoint === '/balance').map((e) => e.outcome);
    expect(balanceCalls).toEqual(['SOFT_NOT_EXECUTED', 'REFUSED_LOCALLY']);
    expect(client.rateLimitRemaining()).toBe(0);
    await sleep(1_100);
    expect(await client.getBalance()).toMatchObject({ ok: true });
  });

  it('rate limiting off (0) sends no budget headers and never bans', async () => {
    const unlimited = await startSimulatorHarness({ rateLimitPerMin: 0 });
    try {
      for (let i = 0; i < 60; i += 1) {
        expect(
          (await rawBitvavoRequest(unlimited.sim.url, { method: 'GET', pathAndQuery: '/balance' })).status,
        ).toBe(200);
      }
      const response = await rawBitvavoRequest(unlimited.sim.url, {
        method: 'GET',
        pathAndQuery: '/balance',
      });
      expect(response.headers.get('bitvavo-ratelimit-remaining')).toBeNull();
    } finally {
      await unlimited.close();
    }
  });
});
