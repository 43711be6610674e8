import type { Execution, ExecutionState } from '../../domain/execution';

/**
 * What a submission led to; the HTTP layer maps each kind to one status:
 * created 201, replayed 200, pending 202, rejected / failed 422, key_reused 409.
 */
export type SubmitOutcome =
  | { readonly kind: 'created'; readonly execution: Execution }
  | { readonly kind: 'replayed'; readonly execution: Execution }
  | { readonly kind: 'pending'; readonly execution: Execution }
  | {
      readonly kind: 'rejected';
      readonly execution: Execution;
      readonly code: string;
      readonly message: string;
    }
  | {
      readonly kind: 'failed';
      readonly execution: Execution;
      readonly code: string;
      readonly message: string;
    }
  | { readonly kind: 'key_reused'; readonly message: string };

/** A HARD exchange refusal: certainly not placed, recorded as SubmissionFailed. */
export const EXCHANGE_REJECTED = 'EXCHANGE_REJECTED';
/** Proven not placed and not re-sent, or resolved by an operator: recorded as ExecutionAbandoned. */
export const EXECUTION_ABANDONED = 'EXECUTION_ABANDONED';
export const IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';

function failedOutcome(execution: Execution): SubmitOutcome {
  if (execution.abandonNote !== null) {
    return { kind: 'failed', execution, code: EXECUTION_ABANDONED, message: execution.abandonNote };
  }
  return {
    kind: 'failed',
    execution,
    code: EXCHANGE_REJECTED,
    message: `the exchange refused the order: ${execution.lastError?.message ?? 'no reason given'}`,
  };
}

/**
 * The answer for an execution as it now stands, for the request that created it (`first`) or for a
 * repeat of the same key. An outcome once reached is permanent: a rejected key stays rejected.
 */
export function outcomeOf(execution: Execution, first: boolean): SubmitOutcome {
  switch (execution.status) {
    case 'REJECTED':
      return {
        kind: 'rejected',
        execution,
        code: execution.rejectCode ?? 'REJECTED',
        message: execution.rejectReason ?? 'a gate refused the order',
      };
    case 'FAILED':
      return failedOutcome(execution);
    case 'SUBMITTING':
      return { kind: 'pending', execution };
    default:
      return { kind: first ? 'created' : 'replayed', execution };
  }
}

/** Step 2 of DESIGN §3: the key exists, so answer from its stream and send nothing. */
export function answerFromStream(state: Execution, requestHash: string): SubmitOutcome {
  if (state.requestHash !== requestHash) {
    return {
      kind: 'key_reused',
      message: `clientOrderId ${state.clientOrderId} was already used for a different request`,
    };
  }
  return outcomeOf(state, false);
}

export function isExecution(state: ExecutionState): state is Execution {
  return state.status !== 'NONE';
}
