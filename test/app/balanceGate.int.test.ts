import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

/** EDGE 3: the balance gate works from a local balance book and re-checks it against the exchange. */
describe('balance gate', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A long cache: every refresh in these tests is one the book decided to make, not a timer.
    t = await startTestApp({ overrides: { balanceMaxAgeMs: 600_000 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = (body: Record<string, unknown>) =>
    t.request('POST', '/v1/executions', { key: t.keys.alice, body });
  const exchangeEur = async () => {
    const result = await t.app.context.exchange.client.getBalance('EUR');
    if (!result.ok) throw new Error(result.message);
    return result.value[0]!.available;
  };
  const code = (response: { body: Record<string, unknown> }) =>
    (response.body['error'] as Record<string, unknown> | undefined)?.['code'];

  it('EDGE 3 balance recheck: a balance that fell behind our back is refused by the exchange once, then by the gate', async () => {
    expect((await submit(marketBuy())).status).toBe(201); // the book now holds €10,000
    await t.control.balance('EUR', '5');
    const ordersBefore = (await t.control.orders()).length;

    const first = await submit(marketBuy());
    expect(first.status).toBe(422);
    expect(code(first)).toBe('EXCHANGE_REJECTED');
    expect(first.body['execution']).toMatchObject({ status: 'FAILED' });
    expect((first.body['execution'] as Record<string, unknown>)['lastError']).toMatch(/216/);

    // The HARD 216 invalidated the book: the next order is refused by the gate, nothing is sent.
    const second = await submit(marketBuy());
    expect(second.status).toBe(422);
    expect(code(second)).toBe('INSUFFICIENT_BALANCE');
    expect((await t.control.orders()).length).toBe(ordersBefore);
  });

  it('EDGE 3 balance recheck: "insufficient" from an older snapshot is re-checked before refusing (a deposit arrived)', async () => {
    await t.control.balance('EUR', '5');
    await t.app.services.balanceBook.refresh();
    expect(code(await submit(marketBuy()))).toBe('INSUFFICIENT_BALANCE');
    await t.control.balance('EUR', '1000');
    // Younger than the re-check age: the snapshot stands and the order is refused without asking.
    expect(code(await submit(marketBuy()))).toBe('INSUFFICIENT_BALANCE');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const body = marketBuy();
    const passed = await submit(body);
    expect(passed.status).toBe(201);
    expect(await simOrdersFor(t.control, body['clientOrderId'] as string)).toHaveLength(1);
  });

  it('orders in flight reserve their funds: two that together exceed the balance cannot both pass', async () => {
    await t.control.balance('EUR', '30');
    await t.app.services.balanceBook.refresh();
    // Hold the first order at the exchange so that it is still in flight when the second arrives.
    await t.control.faults([{ kind: 'delay', method: 'POST', path: '/order', ms: 700 }]);
    const first = marketBuy({ amountQuote: '20' });
    const firstResponse = submit(first);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await submit(marketBuy({ amountQuote: '20' }));
    expect(second.status).toBe(422);
    expect(code(second)).toBe('INSUFFICIENT_BALANCE');
    expect((await firstResponse).status).toBe(201);
    // The first one's funds stay reserved until a refresh that began after it was acknowledged.
    expect(t.app.services.balanceBook.reservationCount()).toBeGreaterThanOrEqual(1);
    await t.app.services.balanceBook.refresh();
    expect(t.app.services.balanceBook.reservationCount()).toBe(0);
    expect(t.app.services.balanceBook.availableFor('x')['EUR']).toBe(await exchangeEur());
  });

  it('a refused order holds no funds: a HARD failure releases its reservation at once', async () => {
    await t.control.balance('EUR', '100');
    await t.app.services.balanceBook.refresh();
    await t.control.faults([
      { kind: 'error_before_commit', method: 'POST', path: '/order', status: 400, errorCode: 216 },
    ]);
    const refused = await submit(marketBuy({ amountQuote: '20' }));
    expect(code(refused)).toBe('EXCHANGE_REJECTED');
    expect(t.app.services.balanceBook.reservationCount()).toBe(0);
    expect(t.app.services.balanceBook.availableFor('x')['EUR']).toBe('100');
  });
});
