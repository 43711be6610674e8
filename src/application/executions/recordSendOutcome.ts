import type { Logger } from 'pino';
import {
  decideExecution,
  expectedRevisionOf,
  type Execution,
  type ExecutionState,
} from '../../domain/execution';
import type { Clock } from '../../domain/ports/clock';
import { WrongExpectedVersion } from '../../domain/ports/eventStore';
import type { ExchangeOrder, ExchangeResult } from '../../domain/ports/exchange';
import { ServiceUnavailable } from '../errors';
import { stateAfter, type AppendContext, type ExecutionRepository } from './executionRepository';
import { isExecution } from './submitOutcome';

/** A reconcile round may write between our send and our record; after this many tries we give up. */
const MAX_RECORD_ATTEMPTS = 3;

export interface RecordSendDeps {
  readonly repository: ExecutionRepository;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Records what a send answered (DESIGN §3 step 5) with the stream's expected revision. When another
 * writer (a reconcile round) appended meanwhile, the stream is re-read and the outcome decided again
 * on the new state; when someone else already recorded the outcome, their record stands.
 *
 * When the store is down, the answer is lost to the ledger but not to the exchange: the execution
 * stays SUBMITTING and reconcile will find the order. The in-memory state is returned (still
 * SUBMITTING) so that the caller answers "pending" rather than an error that would invite a re-send.
 */
export async function recordSendOutcome(
  deps: RecordSendDeps,
  execution: Execution,
  sentAt: string,
  result: ExchangeResult<ExchangeOrder>,
  context: AppendContext = {},
): Promise<ExecutionState> {
  let state: ExecutionState = execution;
  for (let attempt = 1; attempt <= MAX_RECORD_ATTEMPTS; attempt++) {
    const nowIso = new Date(deps.clock.nowMs()).toISOString();
    const decision = decideExecution({ type: 'RecordSendOutcome', sentAt, result }, state, nowIso);
    if (!decision.ok) {
      const code = decision.error.code;
      if (code === 'NOT_IN_FLIGHT' || code === 'OUTCOME_ALREADY_RECORDED') return state;
      throw decision.error;
    }
    if (decision.events.length === 0) return state;
    try {
      await deps.repository.append(
        execution.clientOrderId,
        decision.events,
        expectedRevisionOf(state),
        context,
      );
      return stateAfter(state, decision.events);
    } catch (error) {
      if (error instanceof WrongExpectedVersion) {
        state = (await deps.repository.load(execution.clientOrderId)).state;
        if (!result.ok && isExecution(state) && state.retries !== execution.retries) {
          // A re-send was recorded meanwhile: this failure answers an earlier send, and recorded now
          // it would pass for the re-send's outcome (a HARD one would end a re-send that may be placed
          // as FAILED, a SOFT one would count as evidence that it was not placed). It is dropped; an
          // acknowledgement is still recorded (the order exists, whichever send placed it).
          deps.logger.warn(
            { clientOrderId: execution.clientOrderId, errorClass: result.errorClass },
            'the answer of an earlier send arrived after a re-send; not recorded',
          );
          return state;
        }
        continue;
      }
      if (error instanceof ServiceUnavailable) {
        deps.logger.error(
          { clientOrderId: execution.clientOrderId, ok: result.ok },
          'could not record the send outcome (store unavailable); reconcile will resolve it',
        );
        return state;
      }
      throw error;
    }
  }
  deps.logger.warn(
    { clientOrderId: execution.clientOrderId },
    'the send outcome lost every append race; reconcile will resolve it',
  );
  return state;
}
