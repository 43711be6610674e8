import type { Logger } from 'pino';
import {
  decideExecution,
  initialExecutionState,
  placeOrderRequestOf,
  type Execution,
  type ExecutionProposal,
} from '../../domain/execution';
import { validateProposal } from '../../domain/gates';
import type { Clock } from '../../domain/ports/clock';
import { WrongExpectedVersion } from '../../domain/ports/eventStore';
import type { Exchange } from '../../domain/ports/exchange';
import type { TradingControlService } from '../control/tradingControlService';
import { ApplicationError, ServiceUnavailable } from '../errors';
import type { BalanceBook } from '../market/balanceBook';
import type { UserPolicyService } from '../policy/userPolicyService';
import type { Readiness } from '../readiness';
import { stateAfter, type ExecutionRepository } from './executionRepository';
import { checkGates, toTradeProposal, type GateCheckDeps } from './gateCheck';
import { readSubmissionStreams, type SubmissionStreamDeps } from './readSubmissionStreams';
import { recordSendOutcome } from './recordSendOutcome';
import { requestHashOf } from './requestHash';
import { answerFromStream, isExecution, outcomeOf, type SubmitOutcome } from './submitOutcome';

export interface SubmitRequest {
  readonly proposal: ExecutionProposal;
  /** Who asked (recorded in the events' metadata). */
  readonly actor: string;
  readonly requestId?: string;
}

export interface SubmitExecutionDeps extends GateCheckDeps, SubmissionStreamDeps {
  readonly control: TradingControlService;
  readonly policy: UserPolicyService;
  readonly repository: ExecutionRepository;
  readonly exchange: Exchange;
  readonly balanceBook: BalanceBook;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * If recording the intent took longer than this, the order is not sent (it stays SUBMITTING for
   * reconcile): the send window is computed from the intent's time, and a send much later than that
   * would eat into the clock-skew margin that makes "not found after the window" trustworthy.
   */
  readonly maxIntentAgeMs: number;
}

/**
 * DESIGN §3: submit a trade exactly once.
 * 1. (the HTTP layer validated the body) 2. the key exists → answer from its stream, send nothing;
 * 3. gates → refused: ExecutionRejected (no stream) → 422; 4. ExecutionSubmitting with expected
 * revision "no stream" — the lock: whoever loses answers from the stream; 5. send, classify, record.
 */
export class SubmitExecutionService {
  constructor(private readonly deps: SubmitExecutionDeps) {}

  async submit(request: SubmitRequest): Promise<SubmitOutcome> {
    const { deps } = this;
    const { proposal } = request;
    deps.readiness.assertAcceptingSubmissions();
    const validation = validateProposal(toTradeProposal(proposal));
    if (!validation.ok) throw new ApplicationError('VALIDATION_FAILED', 400, validation.reason);
    const requestHash = requestHashOf(proposal);
    const context = {
      actor: request.actor,
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
    };

    const { existing, control, policy } = await readSubmissionStreams(
      deps,
      proposal.clientOrderId,
      proposal.userId,
    );
    if (isExecution(existing.state)) return answerFromStream(existing.state, requestHash);

    const gate = await checkGates(deps, proposal, { control, policy });
    const decidedAtMs = deps.clock.nowMs();
    const initial = initialExecutionState();
    const decision = decideExecution(
      { type: 'StartExecution', proposal, requestHash, gate },
      initial,
      new Date(decidedAtMs).toISOString(),
    );
    if (!decision.ok) {
      deps.balanceBook.release(proposal.clientOrderId);
      throw decision.error;
    }
    try {
      await deps.repository.append(proposal.clientOrderId, decision.events, 'no_stream', context);
    } catch (error) {
      if (error instanceof WrongExpectedVersion) {
        // Another request for this key won the lock: its stream is the answer.
        const winner = await deps.repository.load(proposal.clientOrderId);
        if (isExecution(winner.state)) {
          if (gate.ok) this.alignReservation(winner.state);
          return answerFromStream(winner.state, requestHash);
        }
      }
      if (gate.ok && !(error instanceof WrongExpectedVersion))
        deps.balanceBook.release(proposal.clientOrderId);
      throw error;
    }
    const intent = stateAfter(initial, decision.events) as Execution;
    if (!gate.ok) return this.logged(outcomeOf(intent, true));

    const intentAgeMs = deps.clock.nowMs() - decidedAtMs;
    if (intentAgeMs > deps.maxIntentAgeMs) {
      deps.logger.warn(
        { clientOrderId: proposal.clientOrderId, intentAgeMs },
        'recording the intent was too slow; not sending now, reconcile will decide',
      );
      return this.logged(outcomeOf(intent, true));
    }
    return this.logged(await this.send(intent, context));
  }

  private async send(
    intent: Execution,
    context: { actor: string; requestId?: string },
  ): Promise<SubmitOutcome> {
    const { deps } = this;
    const sentAt = new Date(deps.clock.nowMs()).toISOString();
    const result = await deps.exchange.placeOrder(placeOrderRequestOf(intent));
    if (result.ok) deps.balanceBook.settle(intent.clientOrderId);
    else if (result.errorClass === 'HARD') {
      deps.balanceBook.release(intent.clientOrderId);
      // 216: the exchange sees less than we did; refresh before the next order.
      if (result.errorCode === 216) deps.balanceBook.invalidate();
    }
    const recorded = await recordSendOutcome(deps, intent, sentAt, result, context);
    if (!isExecution(recorded)) throw new ServiceUnavailable('the execution vanished from its stream');
    return outcomeOf(recorded, true);
  }

  /**
   * Reservations are keyed by clientOrderId, so the one this request just made is the winner's too:
   * keep it while the winner's send is in flight, let it go when the winner placed nothing.
   */
  private alignReservation(winner: Execution): void {
    if (winner.status === 'SUBMITTING') return;
    if (winner.exchangeOrderId === null) this.deps.balanceBook.release(winner.clientOrderId);
    else this.deps.balanceBook.settle(winner.clientOrderId);
  }

  private logged(outcome: SubmitOutcome): SubmitOutcome {
    if (outcome.kind !== 'key_reused') {
      const { execution } = outcome;
      this.deps.logger.info(
        {
          clientOrderId: execution.clientOrderId,
          userId: execution.userId,
          outcome: outcome.kind,
          status: execution.status,
        },
        'execution submitted',
      );
    }
    return outcome;
  }
}
