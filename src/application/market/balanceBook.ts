import type { Decimal } from 'decimal.js';
import type { Clock } from '../../domain/ports/clock';
import type { Exchange } from '../../domain/ports/exchange';
import { ExactDecimal, toPlainString } from '../../domain/policy/decimalString';
import { ExchangeUnavailable } from '../errors';
import { SingleFlight } from './singleFlight';

export interface BalanceBookOptions {
  /** A snapshot older than this is refreshed before it is used. */
  readonly maxAgeMs?: number;
  /** An order whose outcome never resolves (no settle / release) stops holding funds after this. */
  readonly reservationTtlMs?: number;
  readonly maxReservations?: number;
}

/** 80 significant digits: sums of many 32-digit amounts stay exact. */
const ZERO = new ExactDecimal(0);

interface Reservation {
  readonly symbol: string;
  readonly amount: Decimal;
  readonly createdAtMs: number;
  /** The refresh epoch in which the exchange was known to reflect the order; undefined while in flight. */
  settledInEpoch: number | undefined;
}

interface Snapshot {
  readonly available: ReadonlyMap<string, Decimal>;
  readonly fetchedAtMs: number;
}

/**
 * The balance gate's view of the account without one GET /balance (weight 5) per order: the available
 * balances from the last refresh, minus what orders in flight have reserved.
 *
 * A reservation is held from just before an order is sent until a refresh that STARTED after the
 * exchange reflected the order (acknowledged, or found by reconcile): only such a snapshot already
 * contains its effect. An order that certainly was not placed releases its reservation at once.
 * Reservations are keyed by clientOrderId, so concurrent requests for the same key reserve once.
 */
export class BalanceBook {
  private readonly maxAgeMs: number;
  private readonly reservationTtlMs: number;
  private readonly maxReservations: number;
  private snapshot: Snapshot | undefined;
  private readonly reservations = new Map<string, Reservation>();
  /** Sum of the reservations per symbol, kept in step with `reservations` (no scan per order). */
  private readonly reservedTotals = new Map<string, Decimal>();
  private lastExpiryMs = -Infinity;
  /** Incremented when a refresh starts; a reservation settled in epoch E is covered by refresh E + 1. */
  private epoch = 0;
  private readonly flight = new SingleFlight<Snapshot>();

  constructor(
    private readonly exchange: Exchange,
    private readonly clock: Clock,
    options: BalanceBookOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5_000;
    this.reservationTtlMs = options.reservationTtlMs ?? 10 * 60_000;
    this.maxReservations = options.maxReservations ?? 100_000;
  }

  /** Makes sure a snapshot younger than `maxAgeMs` (or the given age) is there; returns its age. */
  async ensureFresh(maxAgeMs: number = this.maxAgeMs): Promise<number> {
    const nowMs = this.clock.nowMs();
    const current = this.snapshot;
    if (current !== undefined && nowMs - current.fetchedAtMs < maxAgeMs) return nowMs - current.fetchedAtMs;
    const refreshed = await this.refresh();
    return Math.max(0, this.clock.nowMs() - refreshed.fetchedAtMs);
  }

  /** Reads the balances now (one GET /balance shared by concurrent callers). */
  refresh(): Promise<Snapshot> {
    return this.flight.run('balance', async () => {
      this.epoch += 1;
      const epoch = this.epoch;
      const result = await this.exchange.getBalance();
      if (!result.ok) throw new ExchangeUnavailable(`balance unavailable: ${result.message}`);
      const available = new Map(
        result.value.map((entry) => [entry.symbol, new ExactDecimal(entry.available)]),
      );
      const snapshot = { available, fetchedAtMs: this.clock.nowMs() };
      this.snapshot = snapshot;
      for (const [id, reservation] of this.reservations) {
        if (reservation.settledInEpoch !== undefined && reservation.settledInEpoch < epoch) this.drop(id);
      }
      return snapshot;
    });
  }

  /** Available balances by symbol for the gates, minus other orders' reservations (never below zero). */
  availableFor(clientOrderId: string): Record<string, string> {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return {};
    this.expireReservations();
    const own = this.reservations.get(clientOrderId);
    const result: Record<string, string> = {};
    for (const [symbol, amount] of snapshot.available) {
      let reserved = this.reservedTotals.get(symbol) ?? ZERO;
      if (own !== undefined && own.symbol === symbol) reserved = reserved.minus(own.amount);
      const left = amount.minus(reserved);
      result[symbol] = toPlainString(left.isNegative() ? ZERO : left);
    }
    return result;
  }

  /** Holds `amount` of `symbol` for an order about to be sent. Call right after the gates (no await between). */
  reserve(clientOrderId: string, symbol: string, amount: Decimal): void {
    if (!this.reservations.has(clientOrderId) && this.reservations.size >= this.maxReservations) {
      const oldest = this.reservations.keys().next();
      if (!oldest.done) this.drop(oldest.value);
    }
    this.drop(clientOrderId);
    this.reservedTotals.set(symbol, (this.reservedTotals.get(symbol) ?? ZERO).plus(amount));
    this.reservations.set(clientOrderId, {
      symbol,
      amount,
      createdAtMs: this.clock.nowMs(),
      settledInEpoch: undefined,
    });
  }

  /** The exchange now reflects the order (acknowledged or found): the next refresh covers it. */
  settle(clientOrderId: string): void {
    const reservation = this.reservations.get(clientOrderId);
    if (reservation !== undefined && reservation.settledInEpoch === undefined)
      reservation.settledInEpoch = this.epoch;
  }

  /** The order certainly was not placed: its funds are free again. */
  release(clientOrderId: string): void {
    this.drop(clientOrderId);
  }

  /** The exchange disagreed with our view (e.g. insufficient balance): refresh before the next use. */
  invalidate(): void {
    this.snapshot = this.snapshot === undefined ? undefined : { ...this.snapshot, fetchedAtMs: -Infinity };
  }

  reservationCount(): number {
    return this.reservations.size;
  }

  /** At most once a second: a scan of every reservation is too dear for every order. */
  private expireReservations(): void {
    const nowMs = this.clock.nowMs();
    if (nowMs - this.lastExpiryMs < 1_000) return;
    this.lastExpiryMs = nowMs;
    const oldestAllowedMs = nowMs - this.reservationTtlMs;
    for (const [id, reservation] of this.reservations) {
      if (reservation.createdAtMs < oldestAllowedMs) this.drop(id);
    }
  }

  private drop(clientOrderId: string): void {
    const reservation = this.reservations.get(clientOrderId);
    if (reservation === undefined) return;
    this.reservations.delete(clientOrderId);
    const left = (this.reservedTotals.get(reservation.symbol) ?? ZERO).minus(reservation.amount);
    if (left.lte(0)) this.reservedTotals.delete(reservation.symbol);
    else this.reservedTotals.set(reservation.symbol, left);
  }
}
