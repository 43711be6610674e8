import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

type Json = Record<string, unknown>;

/** TEST 2: a retry storm of identical requests over a real listening socket (not `inject`). */
describe('retry storm over real HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ listen: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  const storm = async (body: Json, count: number) => {
    const send = async () => {
      const response = await fetch(`${t.url}/v1/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.keys.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Json };
    };
    return Promise.all(Array.from({ length: count }, send));
  };

  for (const [label, delayMs] of [
    ['an exchange that answers at once', 0],
    ['an exchange that takes 300 ms (requests pile up while one is in flight)', 300],
  ] as const) {
    it(`50 concurrent identical requests → exactly one order; every answer is 201, 200 or 202 for the same execution (${label})`, async () => {
      if (delayMs > 0)
        await t.control.faults([{ kind: 'delay', method: 'POST', path: '/order', ms: delayMs }]);
      const body = marketBuy();
      const id = body['clientOrderId'] as string;
      const eventsBefore = await t.eventCount();
      const answers = await storm(body, 50);
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.every((status) => [200, 201, 202].includes(status)),
        statuses.join(','),
      ).toBe(true);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      for (const answer of answers) {
        expect((answer.body['execution'] as Json)['clientOrderId']).toBe(id);
        if (answer.status === 202) expect(answer.body['outcome']).toBe('soft_fail_reconcile_pending');
      }
      expect(await simOrdersFor(t.control, id)).toHaveLength(1);
      // One execution: intent, acknowledgement, fill, end. Nothing appended twice.
      expect((await t.eventCount()) - eventsBefore).toBe(4);
      const final = await t.request('GET', `/v1/executions/${id}`, { key: t.keys.alice });
      expect(final.body['execution']).toMatchObject({ status: 'FILLED' });
    });
  }
});
