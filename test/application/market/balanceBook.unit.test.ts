import { describe, expect, it } from 'vitest';
import { BalanceBook } from '../../../src/application/market/balanceBook';
import { ExactDecimal } from '../../../src/domain/policy/decimalString';
import { ManualClock } from '../../../src/domain/ports/clock';
import type { Balance, Exchange, ExchangeResult } from '../../../src/domain/ports/exchange';

/** An exchange that only answers GET /balance, from a value the test sets, counting the calls. */
function balanceExchange(initial: Record<string, string>) {
  let balances = initial;
  let calls = 0;
  let pending: ((value: ExchangeResult<Balance[]>) => void)[] = [];
  let hold = false;
  const answer = (): ExchangeResult<Balance[]> => ({
    ok: true,
    value: Object.entries(balances).map(([symbol, available]) => ({ symbol, available, inOrder: '0' })),
  });
  const exchange = {
    getBalance: () => {
      calls += 1;
      if (hold) return new Promise<ExchangeResult<Balance[]>>((resolve) => pending.push(resolve));
      return Promise.resolve(answer());
    },
  } as unknown as Exchange;
  return {
    exchange,
    set: (next: Record<string, string>) => (balances = next),
    calls: () => calls,
    holdAnswers: () => (hold = true),
    releaseAnswers: () => {
      hold = false;
      const waiting = pending;
      pending = [];
      for (const resolve of waiting) resolve(answer());
    },
  };
}

const d = (value: string) => new ExactDecimal(value);

describe('BalanceBook', () => {
  it('refreshes only when the snapshot is older than maxAge, sharing one call among concurrent callers', async () => {
    const clock = new ManualClock(0);
    const fake = balanceExchange({ EUR: '100' });
    const book = new BalanceBook(fake.exchange, clock, { maxAgeMs: 5_000 });
    await Promise.all([book.ensureFresh(), book.ensureFresh(), book.ensureFresh()]);
    expect(fake.calls()).toBe(1);
    clock.advanceMs(4_999);
    await book.ensureFresh();
    expect(fake.calls()).toBe(1);
    clock.advanceMs(1);
    await book.ensureFresh();
    expect(fake.calls()).toBe(2);
  });

  it('subtracts other orders’ reservations, not the order’s own, and never goes below zero', async () => {
    const book = new BalanceBook(balanceExchange({ EUR: '100', BTC: '1' }).exchange, new ManualClock(0));
    await book.ensureFresh();
    book.reserve('a', 'EUR', d('30'));
    book.reserve('b', 'EUR', d('50.5'));
    expect(book.availableFor('a')).toEqual({ EUR: '49.5', BTC: '1' });
    expect(book.availableFor('c')).toEqual({ EUR: '19.5', BTC: '1' });
    book.reserve('c', 'EUR', d('80'));
    expect(book.availableFor('d')['EUR']).toBe('0');
    // Reserving the same key again replaces it (concurrent requests for one key reserve once).
    book.reserve('c', 'EUR', d('10'));
    expect(book.availableFor('d')['EUR']).toBe('9.5');
    book.release('c');
    expect(book.availableFor('d')['EUR']).toBe('19.5');
  });

  it('keeps a settled reservation until a refresh that started after the settle', async () => {
    const fake = balanceExchange({ EUR: '100' });
    const book = new BalanceBook(fake.exchange, new ManualClock(0));
    await book.refresh();
    book.reserve('a', 'EUR', d('40'));
    // A refresh already running when the order is acknowledged may not include it.
    fake.holdAnswers();
    const running = book.refresh();
    book.settle('a');
    fake.set({ EUR: '60' });
    fake.releaseAnswers();
    await running;
    expect(book.availableFor('x')['EUR']).toBe('20');
    // The next refresh began after the settle: the snapshot has it, the reservation goes.
    await book.refresh();
    expect(book.availableFor('x')['EUR']).toBe('60');
    expect(book.reservationCount()).toBe(0);
  });

  it('an in-flight reservation survives refreshes; it expires only after its TTL', async () => {
    const clock = new ManualClock(0);
    const book = new BalanceBook(balanceExchange({ EUR: '100' }).exchange, clock, {
      reservationTtlMs: 60_000,
    });
    await book.refresh();
    book.reserve('a', 'EUR', d('40'));
    await book.refresh();
    expect(book.availableFor('x')['EUR']).toBe('60');
    clock.advanceMs(60_001);
    expect(book.availableFor('x')['EUR']).toBe('100');
    expect(book.reservationCount()).toBe(0);
  });

  it('bounds the number of reservations', async () => {
    const book = new BalanceBook(balanceExchange({ EUR: '100' }).exchange, new ManualClock(0), {
      maxReservations: 3,
    });
    await book.refresh();
    for (const id of ['a', 'b', 'c', 'd']) book.reserve(id, 'EUR', d('1'));
    expect(book.reservationCount()).toBe(3);
    expect(book.availableFor('x')['EUR']).toBe('97');
  });

  it('invalidate forces the next ensureFresh to ask the exchange', async () => {
    const fake = balanceExchange({ EUR: '100' });
    const book = new BalanceBook(fake.exchange, new ManualClock(0));
    await book.ensureFresh();
    book.invalidate();
    fake.set({ EUR: '5' });
    await book.ensureFresh();
    expect(fake.calls()).toBe(2);
    expect(book.availableFor('x')['EUR']).toBe('5');
  });
});
