import { TradingControlService } from './application/control/tradingControlService';
import { AbandonExecutionService } from './application/executions/abandonExecution';
import { ExecutionRepository } from './application/executions/executionRepository';
import { SubmitExecutionService } from './application/executions/submitExecution';
import { BalanceBook } from './application/market/balanceBook';
import { MarketData } from './application/market/marketData';
import { UserPolicyService } from './application/policy/userPolicyService';
import type { Readiness } from './application/readiness';
import { ReconcileService } from './application/reconcile/reconcileService';
import { ApiKeyStore } from './adapters/http/auth/apiKeyStore';
import type { AppContext, AppOverrides } from './app';
import type { Exchange } from './domain/ports/exchange';

/** The application services of the Command API, built once from the app's context. */
export interface AppServices {
  readonly repository: ExecutionRepository;
  readonly control: TradingControlService;
  readonly policy: UserPolicyService;
  readonly marketData: MarketData;
  readonly balanceBook: BalanceBook;
  readonly submit: SubmitExecutionService;
  readonly reconcile: ReconcileService;
  readonly abandon: AbandonExecutionService;
  readonly keys: ApiKeyStore;
}

export function buildServices(
  context: Omit<AppContext, 'services' | 'readiness'>,
  readiness: Readiness,
  overrides: AppOverrides,
): AppServices {
  const { eventStore, clock, logger, pool, reconcileSettings } = context;
  const exchange: Exchange = context.exchange.exchange;
  const repository = new ExecutionRepository(eventStore);
  const control = new TradingControlService(eventStore, clock);
  const policy = new UserPolicyService(eventStore, clock);
  const marketData = new MarketData(exchange, clock, {
    ...(overrides.tickerTtlMs === undefined ? {} : { tickerTtlMs: overrides.tickerTtlMs }),
    ...(overrides.marketRulesTtlMs === undefined ? {} : { rulesTtlMs: overrides.marketRulesTtlMs }),
  });
  const balanceBook = new BalanceBook(exchange, clock, {
    ...(overrides.balanceMaxAgeMs === undefined ? {} : { maxAgeMs: overrides.balanceMaxAgeMs }),
  });
  // Half the skew margin: a send later than this after its recorded intent is left to reconcile.
  const maxIntentAgeMs = Math.max(100, Math.floor(reconcileSettings.clockSkewMaxMs / 2));
  const submit = new SubmitExecutionService({
    repository,
    exchange,
    control,
    policy,
    marketData,
    balanceBook,
    readiness,
    clock,
    logger: logger.child({ component: 'submit' }),
    maxIntentAgeMs,
    balanceRecheckMinAgeMs: 1_000,
  });
  const reconcile = new ReconcileService({
    repository,
    exchange,
    control,
    policy,
    balanceBook,
    clock,
    logger: logger.child({ component: 'reconcile' }),
    settings: reconcileSettings,
    maxIntentAgeMs,
    exchangeBannedUntilMs: () => context.exchange.client.bannedUntilMs(),
  });
  const abandon = new AbandonExecutionService({
    repository,
    exchange,
    clock,
    logger: logger.child({ component: 'abandon' }),
    settings: reconcileSettings,
  });
  const keys = new ApiKeyStore(pool);
  return { repository, control, policy, marketData, balanceBook, submit, reconcile, abandon, keys };
}
