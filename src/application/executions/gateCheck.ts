import type { TradingControlState } from '../../domain/control';
import type { ExecutionProposal } from '../../domain/execution';
import {
  computeOrderNotional,
  evaluateGates,
  type GateCode,
  type GateInput,
  type GateResult,
  type TradeProposal,
} from '../../domain/gates';
import { ExactDecimal } from '../../domain/policy/decimalString';
import type { UserPolicyState } from '../../domain/policy';
import type { Clock } from '../../domain/ports/clock';
import type { BalanceBook } from '../market/balanceBook';
import type { MarketData } from '../market/marketData';

/** Gates that look at no market data: when one refuses, the exchange is not asked at all. */
const GATES_WITHOUT_MARKET_DATA: ReadonlySet<GateCode> = new Set([
  'KILL_SWITCH',
  'USER_TRADING_DISABLED',
  'MARKET_NOT_ALLOWED',
  'PROPOSAL_EXPIRED',
]);

export interface GateCheckDeps {
  readonly marketData: MarketData;
  readonly balanceBook: BalanceBook;
  readonly clock: Clock;
  /**
   * "Insufficient balance" from a snapshot older than this is re-checked against a fresh balance
   * before the order is refused (a deposit may have arrived). Also bounds GET /balance under a flood
   * of too-large orders.
   */
  readonly balanceRecheckMinAgeMs: number;
}

export function toTradeProposal(proposal: ExecutionProposal): TradeProposal {
  return {
    market: proposal.market,
    side: proposal.side,
    orderType: proposal.orderType,
    expiresAt: proposal.expiresAt,
    ...(proposal.amount === null ? {} : { amount: proposal.amount }),
    ...(proposal.amountQuote === null ? {} : { amountQuote: proposal.amountQuote }),
    ...(proposal.price === null ? {} : { price: proposal.price }),
  };
}

/**
 * DESIGN §3 step 3: with the policy and control streams as just read (fresh, for every submission),
 * fetch market data (cached briefly) and run the pure gates. A pass reserves the order's funds in the balance book in the same tick as the
 * final evaluation, so that two orders in flight can never both spend the same euro.
 */
export async function checkGates(
  deps: GateCheckDeps,
  proposal: ExecutionProposal,
  streams: { readonly control: TradingControlState; readonly policy: UserPolicyState },
): Promise<GateResult> {
  const trade = toTradeProposal(proposal);
  const base = { proposal: trade, control: streams.control, policy: streams.policy };

  // Placeholder market data: only the refusals of the first four gates (which ignore it) are used.
  const early = evaluateGates({
    ...base,
    nowMs: deps.clock.nowMs(),
    balances: {},
    price: '1',
    marketRules: undefined,
  });
  if (!early.ok && GATES_WITHOUT_MARKET_DATA.has(early.code)) return early;

  const [price, marketRules, balanceAgeMs] = await Promise.all([
    deps.marketData.tickerPrice(proposal.market),
    deps.marketData.marketRules(proposal.market),
    deps.balanceBook.ensureFresh(),
  ]);
  const evaluate = (): GateResult => {
    const input: GateInput = {
      ...base,
      nowMs: deps.clock.nowMs(),
      balances: deps.balanceBook.availableFor(proposal.clientOrderId),
      price,
      marketRules,
    };
    return evaluateGates(input);
  };
  let result = evaluate();
  if (!result.ok && result.code === 'INSUFFICIENT_BALANCE' && balanceAgeMs >= deps.balanceRecheckMinAgeMs) {
    await deps.balanceBook.refresh();
    result = evaluate();
  }
  if (!result.ok) return result;

  // No await between the evaluation above and this reservation: nothing else can spend it meanwhile.
  const notional = computeOrderNotional(trade, new ExactDecimal(price));
  const needed = proposal.side === 'buy' ? notional.notionalEur : notional.baseAmount;
  deps.balanceBook.reserve(proposal.clientOrderId, result.evidence.balanceCurrency, needed);
  return result;
}
