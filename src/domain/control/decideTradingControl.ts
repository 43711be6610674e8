import { isValidActor, isValidIsoTimestamp, isValidReason } from '../policy/auditFields';
import type { TradingControlCommand } from './tradingControlCommands';
import { TradingControlError } from './tradingControlErrors';
import {
  marketIdSchema,
  MAX_ALLOWED_MARKETS,
  parseTradingControlEvent,
  type TradingControlEvent,
} from './tradingControlEvents';
import { normalizeMarkets, type TradingControlState } from './tradingControlState';

export type TradingControlDecision =
  | { readonly ok: true; readonly events: TradingControlEvent[] }
  | { readonly ok: false; readonly error: TradingControlError };

/**
 * Decides a trading-control command. Idempotent by design: engaging an engaged switch, releasing a
 * released one, or setting the allowlist it already has returns NO events (and no error), so an
 * operator who presses the kill switch twice, or a retried request, never sees a failure on the path
 * that must always work. The caller can tell "changed" from "already so" by the empty result.
 * Invalid input (no actor, no reason, a malformed or non-EUR market) is refused with a
 * TradingControlError; nothing is thrown for a refused command.
 */
export function decideTradingControl(
  command: TradingControlCommand,
  state: TradingControlState,
  nowIso: string,
): TradingControlDecision {
  try {
    return { ok: true, events: decideOrThrow(command, state, nowIso) };
  } catch (error) {
    if (error instanceof TradingControlError) return { ok: false, error };
    throw error;
  }
}

function decideOrThrow(
  command: TradingControlCommand,
  state: TradingControlState,
  nowIso: string,
): TradingControlEvent[] {
  if (!isValidIsoTimestamp(nowIso)) {
    throw new TradingControlError('INVALID_TIMESTAMP', `not a UTC ISO-8601 time: ${nowIso}`);
  }
  if (!isValidActor(command.actor)) {
    throw new TradingControlError('ACTOR_REQUIRED', 'actor is required (1–100 characters)');
  }
  if (!isValidReason(command.reason)) {
    throw new TradingControlError('REASON_REQUIRED', 'a reason is required (1–1000 characters)');
  }
  const audit = { schemaVersion: 1 as const, actor: command.actor, reason: command.reason, at: nowIso };

  switch (command.type) {
    case 'EngageKillSwitch':
      if (state.killSwitch.engaged) return [];
      return [parseTradingControlEvent({ type: 'KillSwitchEngaged', data: audit })];
    case 'ReleaseKillSwitch':
      if (!state.killSwitch.engaged) return [];
      return [parseTradingControlEvent({ type: 'KillSwitchReleased', data: audit })];
    case 'ChangeMarketAllowlist': {
      const allowed = validateAllowlist(command.allowed);
      const previous = normalizeMarkets(state.allowedMarkets);
      if (sameList(allowed, previous)) return [];
      return [
        parseTradingControlEvent({ type: 'MarketAllowlistChanged', data: { ...audit, allowed, previous } }),
      ];
    }
  }
}

function validateAllowlist(markets: readonly string[]): string[] {
  if (markets.length > MAX_ALLOWED_MARKETS) {
    throw new TradingControlError('ALLOWLIST_TOO_LONG', `at most ${MAX_ALLOWED_MARKETS} markets`);
  }
  for (const market of markets) {
    if (!marketIdSchema.safeParse(market).success) {
      throw new TradingControlError(
        'INVALID_MARKET',
        `"${market.slice(0, 40)}" is not a market id like BTC-EUR`,
      );
    }
    if (!market.endsWith('-EUR')) {
      throw new TradingControlError('MARKET_NOT_EUR', `${market} is not a EUR market; limits are in EUR`);
    }
  }
  return normalizeMarkets(markets);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
