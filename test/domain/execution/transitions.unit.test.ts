import { describe, expect, it } from 'vitest';
import {
  EXECUTION_EVENT_TYPES,
  EXECUTION_STATUSES,
  EXECUTION_TRANSITIONS,
  evolveExecution,
  IllegalTransition,
  isTerminalStatus,
  listExecutionTransitions,
  replayExecution,
  type ExecutionEventType,
  type ExecutionStatusOrNone,
} from '../../../src/domain/execution';
import { HISTORY_TO, sampleEvent } from '../../support/executionFixtures';

const ALL_STATUSES: ExecutionStatusOrNone[] = ['NONE', ...EXECUTION_STATUSES];
const PAIRS = ALL_STATUSES.flatMap((status) => EXECUTION_EVENT_TYPES.map((type) => [status, type] as const));

function stateIn(status: ExecutionStatusOrNone) {
  const history = HISTORY_TO[status];
  if (history === undefined) throw new Error(`no fixture history for ${status}`);
  const state = replayExecution(history);
  expect(state.status).toBe(status);
  return state;
}

/** A sample event of the type that is legal after the fixture history (fill ids and amounts fit). */
function eventFor(status: ExecutionStatusOrNone, type: ExecutionEventType) {
  if (type === 'FillRecorded' && status === 'PARTIALLY_FILLED')
    return sampleEvent('FillRecorded', { fillId: 'fill-2' });
  return sampleEvent(type);
}

describe('the transition table', () => {
  it('lists exactly the legal transitions of DESIGN §2', () => {
    expect(listExecutionTransitions().map((t) => `${t.from} --${t.event}--> ${t.to}`)).toEqual([
      'NONE --ExecutionSubmitting--> SUBMITTING',
      'NONE --ExecutionRejected--> REJECTED',
      'SUBMITTING --Submitted--> SUBMITTED',
      'SUBMITTING --SubmissionFailed--> FAILED',
      'SUBMITTING --SubmissionOutcomeUnknown--> SUBMITTING',
      'SUBMITTING --ReconcileAttempted--> SUBMITTING',
      'SUBMITTING --SubmissionRetried--> SUBMITTING',
      'SUBMITTING --ExecutionAbandoned--> FAILED',
      'SUBMITTED --FillRecorded--> PARTIALLY_FILLED',
      'SUBMITTED --Filled--> FILLED',
      'SUBMITTED --Cancelled--> CANCELLED',
      'SUBMITTED --Expired--> EXPIRED',
      'PARTIALLY_FILLED --FillRecorded--> PARTIALLY_FILLED',
      'PARTIALLY_FILLED --Filled--> FILLED',
      'PARTIALLY_FILLED --Cancelled--> CANCELLED',
      'PARTIALLY_FILLED --Expired--> EXPIRED',
    ]);
  });

  it('each event type leads to one status wherever it is legal (status follows from the type)', () => {
    for (const type of EXECUTION_EVENT_TYPES) {
      const targets = new Set(
        listExecutionTransitions()
          .filter((t) => t.event === type)
          .map((t) => t.to),
      );
      expect(targets.size).toBe(1);
    }
  });

  it('terminal statuses have no way out', () => {
    for (const status of EXECUTION_STATUSES) {
      if (isTerminalStatus(status)) expect(EXECUTION_TRANSITIONS[status]).toEqual({});
    }
    expect(EXECUTION_STATUSES.filter(isTerminalStatus)).toEqual([
      'REJECTED',
      'FILLED',
      'FAILED',
      'CANCELLED',
      'EXPIRED',
    ]);
  });

  describe.each(PAIRS)('given %s, when %s is applied', (status, type) => {
    const to = EXECUTION_TRANSITIONS[status][type];
    if (to !== undefined) {
      it(`then the status is ${to}`, () => {
        const next = evolveExecution(stateIn(status), eventFor(status, type));
        expect(next.status).toBe(to);
        expect(next.version).toBe((HISTORY_TO[status]?.length ?? 0) + 1);
      });
    } else {
      it('then it is refused as an illegal transition naming both', () => {
        const state = stateIn(status);
        let thrown: unknown;
        try {
          evolveExecution(state, eventFor(status, type));
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(IllegalTransition);
        const error = thrown as IllegalTransition;
        expect(error.code).toBe('ILLEGAL_TRANSITION');
        expect(error.message).toContain(`${type} in status ${status}`);
        expect(error.fromStatus).toBe(status);
        expect(error.eventType).toBe(type);
      });
    }
  });
});
