import { describe, expect, it } from 'vitest';
import { endpointWeight } from '../../../../src/adapters/exchange/bitvavo/endpointWeights';
import { RateLimitBudget } from '../../../../src/adapters/exchange/bitvavo/rateLimitBudget';

const T0 = 1_700_000_000_000;

describe('RateLimitBudget', () => {
  it('charges weights locally and refuses what does not fit, until the window resets', () => {
    const budget = new RateLimitBudget({ limitPerMin: 10, orderReserve: 0 });
    expect(budget.tryAcquire(5, 'read', T0)).toEqual({ ok: true });
    expect(budget.tryAcquire(5, 'read', T0 + 1)).toEqual({ ok: true });
    expect(budget.tryAcquire(1, 'order', T0 + 2)).toEqual({
      ok: false,
      reason: 'exhausted',
      retryAtMs: T0 + 60_000,
    });
    expect(budget.remainingPoints(T0 + 60_000)).toBe(10);
    expect(budget.tryAcquire(1, 'order', T0 + 60_000)).toEqual({ ok: true });
  });

  it('keeps a reserve that only orders may spend', () => {
    const budget = new RateLimitBudget({ limitPerMin: 10, orderReserve: 3 });
    expect(budget.tryAcquire(7, 'read', T0).ok).toBe(true);
    expect(budget.tryAcquire(1, 'read', T0).ok).toBe(false);
    expect(budget.tryAcquire(3, 'order', T0).ok).toBe(true);
    expect(budget.tryAcquire(1, 'order', T0).ok).toBe(false);
  });

  it('believes the lower of its own count and the headers within a window, and the headers in a new one', () => {
    const budget = new RateLimitBudget({ limitPerMin: 1000 });
    budget.tryAcquire(1, 'read', T0);
    budget.observeHeaders({ remaining: 400, resetAtMs: T0 + 30_000, limit: 1000 }, T0);
    expect(budget.remainingPoints(T0)).toBe(400);
    budget.observeHeaders({ remaining: 900, resetAtMs: T0 + 30_000 }, T0 + 1);
    expect(budget.remainingPoints(T0 + 1)).toBe(400);
    budget.observeHeaders({ remaining: 990, resetAtMs: T0 + 90_000 }, T0 + 30_001);
    expect(budget.remainingPoints(T0 + 30_001)).toBe(990);
  });

  it('refuses everything while banned and recovers after the ban', () => {
    const budget = new RateLimitBudget({ limitPerMin: 1000 });
    budget.observeBan(T0 + 5_000, T0);
    expect(budget.tryAcquire(1, 'order', T0 + 4_999)).toEqual({
      ok: false,
      reason: 'banned',
      retryAtMs: T0 + 5_000,
    });
    expect(budget.remainingPoints(T0 + 1)).toBe(0);
    expect(budget.tryAcquire(1, 'order', T0 + 5_000)).toEqual({ ok: true });
  });

  it('assumes a one-minute ban when the exchange does not say', () => {
    const budget = new RateLimitBudget();
    budget.observeBan(undefined, T0);
    expect(budget.tryAcquire(1, 'order', T0 + 59_999).ok).toBe(false);
    expect(budget.tryAcquire(1, 'order', T0 + 60_000).ok).toBe(true);
  });
});

describe('endpointWeight', () => {
  it('weighs the endpoints as Bitvavo does', () => {
    const none = new URLSearchParams();
    expect(endpointWeight('GET', '/balance', none)).toBe(5);
    expect(endpointWeight('GET', '/orders', new URLSearchParams('market=BTC-EUR'))).toBe(5);
    expect(endpointWeight('GET', '/ordersOpen', none)).toBe(25);
    expect(endpointWeight('GET', '/ordersOpen', new URLSearchParams('market=BTC-EUR'))).toBe(1);
    expect(endpointWeight('POST', '/order', none)).toBe(1);
    expect(endpointWeight('GET', '/order', none)).toBe(1);
    expect(endpointWeight('DELETE', '/order', none)).toBe(1);
    expect(endpointWeight('GET', '/time', none)).toBe(1);
  });
});
