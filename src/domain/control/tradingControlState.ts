import type { TradingControlEvent } from './tradingControlEvents';

/** Allowed when the `trading-control` stream does not exist yet. */
export const DEFAULT_ALLOWED_MARKETS: readonly string[] = ['BTC-EUR', 'ETH-EUR'];

export interface KillSwitchState {
  readonly engaged: boolean;
  /** Who engaged or released it last, when and why; `null` before the first change. */
  readonly changedBy: string | null;
  readonly changedAt: string | null;
  readonly reason: string | null;
}

export interface TradingControlState {
  readonly killSwitch: KillSwitchState;
  /** Sorted, no duplicates. */
  readonly allowedMarkets: readonly string[];
  /** Revision of the last event applied (0 for the first); -1 when the stream has no events. */
  readonly revision: number;
  readonly updatedAt: string | null;
}

export function initialTradingControlState(): TradingControlState {
  return {
    killSwitch: { engaged: false, changedBy: null, changedAt: null, reason: null },
    allowedMarkets: [...DEFAULT_ALLOWED_MARKETS],
    revision: -1,
    updatedAt: null,
  };
}

/**
 * Applies one event. Deliberately tolerant (unlike the execution and policy streams): a duplicate
 * engage or release means the same thing as one, and the safety switch's state must always replay.
 * A duplicate keeps who/when/why of the change that actually flipped the switch.
 */
export function evolveTradingControl(
  state: TradingControlState,
  event: TradingControlEvent,
): TradingControlState {
  const base = { ...state, revision: state.revision + 1, updatedAt: event.data.at };
  switch (event.type) {
    case 'KillSwitchEngaged':
    case 'KillSwitchReleased': {
      const engaged = event.type === 'KillSwitchEngaged';
      if (state.killSwitch.engaged === engaged && state.killSwitch.changedAt !== null) return base;
      return {
        ...base,
        killSwitch: {
          engaged,
          changedBy: event.data.actor,
          changedAt: event.data.at,
          reason: event.data.reason,
        },
      };
    }
    case 'MarketAllowlistChanged':
      return { ...base, allowedMarkets: normalizeMarkets(event.data.allowed) };
  }
}

export function foldTradingControl(events: readonly TradingControlEvent[]): TradingControlState {
  let state = initialTradingControlState();
  for (const event of events) state = evolveTradingControl(state, event);
  return state;
}

export function isMarketAllowed(state: TradingControlState, market: string): boolean {
  return state.allowedMarkets.includes(market);
}

/** Sorted and without duplicates, so that two lists compare equal when they allow the same markets. */
export function normalizeMarkets(markets: readonly string[]): string[] {
  return [...new Set(markets)].sort();
}
