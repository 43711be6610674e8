import type { Logger } from 'pino';
import { decideExecution, expectedRevisionOf, type Execution } from '../../domain/execution';
import type { Clock } from '../../domain/ports/clock';
import type { Exchange } from '../../domain/ports/exchange';
import {
  classifySweep,
  isSendWindowElapsed,
  requiredSweepRange,
  sendWindowClosesMs,
  SWEEP_LIMIT,
  type ReconcileSettings,
} from '../../domain/reconcile';
import { WrongExpectedVersion } from '../../domain/ports/eventStore';
import { ApplicationError, ConcurrentModification, NotFound } from '../errors';
import { isExecution } from './submitOutcome';
import { stateAfter, type AppendContext, type ExecutionRepository } from './executionRepository';

export interface AbandonExecutionDeps {
  readonly repository: ExecutionRepository;
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The send window (access window + clock skew) and the sweep rule are reconcile's. */
  readonly settings: ReconcileSettings;
}

/**
 * An operator closes a SUBMITTING execution that reconciliation could not resolve (DESIGN §3: "when
 * evidence runs out ... an operator resolves it"). The operator's word alone is not enough: the
 * exchange is asked once more by clientOrderId and must answer a real 240 (not found); the latest
 * send's window must have closed (a delayed copy of it could still execute); and a GET /orders sweep
 * over the whole window must not list the order (GET /order may not find a completed one). A found
 * order is refused (reconcile it instead); a failed or incomplete lookup is refused (it proves
 * nothing). Only then is `ExecutionAbandoned{operator_resolved}` recorded with the operator and note.
 */
export class AbandonExecutionService {
  constructor(private readonly deps: AbandonExecutionDeps) {}

  async abandon(
    clientOrderId: string,
    note: string,
    context: AppendContext & { actor: string },
  ): Promise<Execution> {
    const { repository, exchange, clock } = this.deps;
    const { state } = await repository.load(clientOrderId);
    if (!isExecution(state)) throw new NotFound(`no execution ${clientOrderId}`);
    if (state.status !== 'SUBMITTING') {
      throw new ApplicationError(
        'NOT_IN_FLIGHT',
        409,
        `execution ${clientOrderId} is ${state.status}, not SUBMITTING`,
      );
    }
    const lookup = await exchange.getOrderByClientOrderId(state.market, clientOrderId);
    if (lookup.ok) {
      throw new ApplicationError(
        'ORDER_FOUND_ON_EXCHANGE',
        409,
        `the exchange has order ${lookup.value.orderId} for ${clientOrderId}: reconcile it instead of abandoning it`,
      );
    }
    if (lookup.errorClass !== 'NOT_FOUND') {
      throw new ApplicationError(
        'LOOKUP_FAILED',
        503,
        `the exchange lookup failed (${lookup.errorClass}): nothing proves the order is absent, try again`,
      );
    }
    await this.requireSweptAbsent(state);
    const decision = decideExecution(
      { type: 'AbandonExecution', operatorId: context.actor, note },
      state,
      new Date(clock.nowMs()).toISOString(),
    );
    if (!decision.ok) throw new ApplicationError(decision.error.code, 422, decision.error.message);
    try {
      await repository.append(clientOrderId, decision.events, expectedRevisionOf(state), context);
    } catch (error) {
      // A reconcile recorded something in between: the operator should look again.
      if (error instanceof WrongExpectedVersion)
        throw new ConcurrentModification(`${clientOrderId} changed meanwhile: look again`);
      throw error;
    }
    this.deps.logger.warn({ clientOrderId, actor: context.actor }, 'execution abandoned by an operator');
    const after = stateAfter(state, decision.events);
    if (!isExecution(after)) throw new Error('abandon produced no execution');
    return after;
  }

  /** The send window has closed and a sweep of GET /orders over all of it does not list the order. */
  private async requireSweptAbsent(state: Execution): Promise<void> {
    const { exchange, clock, settings } = this.deps;
    const nowMs = clock.nowMs();
    if (!isSendWindowElapsed(state, nowMs, settings)) {
      const closesAt = new Date(sendWindowClosesMs(state, settings) + 1).toISOString();
      throw new ApplicationError(
        'SEND_WINDOW_OPEN',
        409,
        `a delayed copy of the latest send could still execute until ${closesAt}: try again after that`,
      );
    }
    const range = requiredSweepRange(state, nowMs, settings);
    const listed = await exchange.listOrders(state.market, {
      startMs: range.fromMs,
      endMs: range.toMs,
      limit: SWEEP_LIMIT,
    });
    const swept = classifySweep(state, { ...range, limit: SWEEP_LIMIT, result: listed }, nowMs, settings);
    if (swept.result === 'found') {
      throw new ApplicationError(
        'ORDER_FOUND_ON_EXCHANGE',
        409,
        `the exchange lists order ${swept.order.orderId} for ${state.clientOrderId}: reconcile it instead of abandoning it`,
      );
    }
    if (swept.result === 'lookup_error') {
      throw new ApplicationError(
        'LOOKUP_FAILED',
        503,
        `the GET /orders sweep did not prove the order absent (${swept.message}), try again`,
      );
    }
  }
}
