import type { Logger } from 'pino';
import { isMarketAllowed } from '../../domain/control';
import { expectedRevisionOf, type Execution } from '../../domain/execution';
import type { Clock } from '../../domain/ports/clock';
import { WrongExpectedVersion } from '../../domain/ports/eventStore';
import type { Exchange } from '../../domain/ports/exchange';
import {
  decideReconcile,
  planReconcile,
  type ReconcileAction,
  type ReconcileSettings,
  type SweepLookup,
} from '../../domain/reconcile';
import type { TradingControlService } from '../control/tradingControlService';
import { NotFound } from '../errors';
import { stateAfter, type AppendContext, type ExecutionRepository } from '../executions/executionRepository';
import { recordSendOutcome } from '../executions/recordSendOutcome';
import { isExecution } from '../executions/submitOutcome';
import type { BalanceBook } from '../market/balanceBook';
import type { UserPolicyService } from '../policy/userPolicyService';

/**
 * What one reconcile round did. Besides the decider's actions: `not_in_flight` (nothing to do, it is
 * not SUBMITTING), `concurrent` (another round appended first; this one wrote and sent nothing),
 * `attempts_exhausted` (left for an operator), `deferred` (an exchange ban or the soft retry delay:
 * nothing looked up, recorded or sent; `retryAtMs` says when a round can act).
 */
export type ReconcileRoundAction =
  ReconcileAction | 'not_in_flight' | 'concurrent' | 'attempts_exhausted' | 'deferred';

export interface ReconcileReport {
  readonly action: ReconcileRoundAction;
  readonly reason: string;
  readonly execution: Execution;
  /** True when this round re-sent the order. */
  readonly resent: boolean;
  /** Several exchange orders carry this clientOrderId (a double placement): ops must act. */
  readonly duplicateOrderIds?: readonly string[];
  /** For `deferred`: the earliest moment (ms since the epoch) a round can act. */
  readonly retryAtMs?: number;
}

export interface ReconcileDeps {
  readonly repository: ExecutionRepository;
  readonly exchange: Exchange;
  readonly control: TradingControlService;
  readonly policy: UserPolicyService;
  readonly balanceBook: BalanceBook;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: ReconcileSettings;
  /** As for submissions: a re-send whose intent took longer than this to record is not sent now. */
  readonly maxIntentAgeMs: number;
  /** When the exchange client's known rate-limit ban ends (`null`: none known); no lookups before. */
  readonly exchangeBannedUntilMs?: () => number | null;
}

/**
 * One reconcile round for one execution (DESIGN §3 step 6), for the API, the sweeper job and start-up:
 * look the order up by clientOrderId (and sweep GET /orders when that can complete the evidence),
 * let the pure `decideReconcile` say what it means, append that with the stream's expected revision
 * (two rounds in parallel: one appends, the other appends and sends nothing), and re-send only after
 * the SubmissionRetried is safely recorded. Never FAILED on a timer; lookups are bounded by the
 * settings' maxReconcileAttempts, after which an operator resolves it.
 */
export class ReconcileService {
  constructor(private readonly deps: ReconcileDeps) {}

  async reconcile(clientOrderId: string, context: AppendContext = {}): Promise<ReconcileReport> {
    const { deps } = this;
    const { state } = await deps.repository.load(clientOrderId);
    if (!isExecution(state)) throw new NotFound(`no execution ${clientOrderId}`);
    if (state.status !== 'SUBMITTING') {
      return {
        action: 'not_in_flight',
        reason: `execution is ${state.status}`,
        execution: state,
        resent: false,
      };
    }
    // Taken before the lookups: a lookup counts as "after the window" only if it was made after it.
    const nowMs = deps.clock.nowMs();
    const plan = planReconcile(state, nowMs, deps.settings, deps.exchangeBannedUntilMs?.() ?? null);
    if (plan.kind === 'defer') {
      const until = new Date(plan.retryAtMs).toISOString();
      const reason =
        plan.reason === 'exchange_banned'
          ? `the exchange has banned this key until ${until}: no lookup before`
          : `the latest send answered SOFT: no lookup or re-send before ${until} (soft retry delay)`;
      return { action: 'deferred', reason, execution: state, resent: false, retryAtMs: plan.retryAtMs };
    }
    if (plan.kind === 'skip') {
      const reason = `${state.reconcileAttempts} lookups recorded (limit ${deps.settings.maxReconcileAttempts}): an operator must resolve it`;
      return { action: 'attempts_exhausted', reason, execution: state, resent: false };
    }
    const [getOrder, sweep, gatesStillPass] = await Promise.all([
      deps.exchange.getOrderByClientOrderId(plan.market, plan.clientOrderId),
      plan.sweep === null
        ? Promise.resolve(null)
        : deps.exchange
            .listOrders(plan.market, {
              startMs: plan.sweep.fromMs,
              endMs: plan.sweep.toMs,
              limit: plan.sweep.limit,
            })
            .then((result): SweepLookup => ({ ...plan.sweep!, result })),
      this.gatesStillPass(state, nowMs),
    ]);
    const decided = decideReconcile({
      state,
      getOrder,
      sweep,
      nowMs,
      settings: deps.settings,
      gatesStillPass,
    });
    if (!decided.ok) throw decided.error;
    const { decision } = decided;
    if (decision.events.length === 0) {
      return { action: decision.action, reason: decision.reason, execution: state, resent: false };
    }
    try {
      await deps.repository.append(clientOrderId, decision.events, expectedRevisionOf(state), context);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      const current = (await deps.repository.load(clientOrderId)).state;
      return {
        action: 'concurrent',
        reason: 'another reconcile or send recorded first; this round wrote and sent nothing',
        execution: isExecution(current) ? current : state,
        resent: false,
      };
    }
    let after = stateAfter(state, decision.events) as Execution;
    let resent = false;
    if (decision.action === 'resend' && decision.resend !== null) {
      const intentAgeMs = deps.clock.nowMs() - nowMs;
      if (intentAgeMs > deps.maxIntentAgeMs) {
        deps.logger.warn(
          { clientOrderId, intentAgeMs },
          're-send intent recorded too slowly; not sending this round',
        );
      } else {
        const sentAt = new Date(deps.clock.nowMs()).toISOString();
        const result = await deps.exchange.placeOrder(decision.resend);
        resent = true;
        const recorded = await recordSendOutcome(deps, after, sentAt, result, context);
        if (isExecution(recorded)) after = recorded;
      }
    }
    this.updateBalanceBook(after);
    deps.logger.info(
      { clientOrderId, action: decision.action, status: after.status, resent },
      `reconcile: ${decision.reason}`,
    );
    if (decision.duplicateOrderIds) {
      deps.logger.error(
        { clientOrderId, exchangeOrderIds: decision.duplicateOrderIds },
        'several exchange orders carry one clientOrderId',
      );
    }
    return {
      action: decision.action,
      reason: decision.reason,
      execution: after,
      resent,
      ...(decision.duplicateOrderIds ? { duplicateOrderIds: decision.duplicateOrderIds } : {}),
    };
  }

  /** A re-send is a new order: the kill switch, the user's policy, the allowlist and the expiry must still allow it. */
  private async gatesStillPass(execution: Execution, nowMs: number): Promise<boolean> {
    const [control, policy] = await Promise.all([
      this.deps.control.read(),
      this.deps.policy.read(execution.userId),
    ]);
    return (
      !control.killSwitch.engaged &&
      isMarketAllowed(control, execution.market) &&
      policy.tradingEnabled &&
      nowMs < Date.parse(execution.expiresAt)
    );
  }

  private updateBalanceBook(execution: Execution): void {
    if (execution.status === 'SUBMITTING') return;
    if (execution.exchangeOrderId !== null) this.deps.balanceBook.settle(execution.clientOrderId);
    else this.deps.balanceBook.release(execution.clientOrderId);
  }
}
