import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXECUTION_EVENT_TYPES,
  EXECUTION_TRANSITIONS,
  evolveExecution,
  fromRecordedEvent,
  IllegalTransition,
  isTerminalStatus,
  replayExecution,
  statusAfterEventTypes,
  toEventToAppend,
  type ExecutionEventType,
} from '../../../src/domain/execution';
import { executionHistoryArb } from '../../support/arbitraries/executionHistory';
import { sampleEvent } from '../../support/executionFixtures';

const RUNS = { numRuns: 300 };

describe('execution properties over generated legal histories', () => {
  it('every legal history replays, to the same state twice (determinism)', () => {
    fc.assert(
      fc.property(executionHistoryArb(), (history) => {
        const first = replayExecution(history.events);
        const second = replayExecution(history.events);
        expect(second).toEqual(first);
        expect(first).toEqual(history.state);
        expect(first.version).toBe(history.events.length);
      }),
      RUNS,
    );
  });

  it('the state is a function of the stored events alone (write, serialize, read, replay)', () => {
    fc.assert(
      fc.property(executionHistoryArb(), (history) => {
        const stored = history.events.map(
          (event) => JSON.parse(JSON.stringify(toEventToAppend(event))) as ReturnType<typeof toEventToAppend>,
        );
        const read = stored.map((event) => fromRecordedEvent(event));
        expect(replayExecution(read)).toEqual(replayExecution(history.events));
      }),
      RUNS,
    );
  });

  it('the status is a function of the event types alone (the table)', () => {
    fc.assert(
      fc.property(executionHistoryArb(), (history) => {
        expect(statusAfterEventTypes(history.events.map((event) => event.type))).toBe(
          replayExecution(history.events).status,
        );
      }),
      RUNS,
    );
  });

  it('every event type outside the table is refused with a clear error, after any legal prefix', () => {
    fc.assert(
      fc.property(
        executionHistoryArb(),
        fc.nat(),
        fc.constantFrom(...EXECUTION_EVENT_TYPES),
        (history, cut, type) => {
          const prefix = history.events.slice(0, cut % (history.events.length + 1));
          const state = replayExecution(prefix);
          fc.pre(EXECUTION_TRANSITIONS[state.status][type] === undefined);
          expect(() => evolveExecution(state, sampleEvent(type))).toThrow(IllegalTransition);
          expect(() => evolveExecution(state, sampleEvent(type))).toThrow(
            `illegal transition: ${type} in status ${state.status}`,
          );
        },
      ),
      RUNS,
    );
  });

  it('terminal states stay terminal: no event of any type is accepted', () => {
    const terminalHistory = executionHistoryArb().filter((history) => isTerminalStatus(history.state.status));
    fc.assert(
      fc.property(
        terminalHistory,
        fc.constantFrom(...EXECUTION_EVENT_TYPES),
        (history, type: ExecutionEventType) => {
          expect(() => evolveExecution(history.state, sampleEvent(type))).toThrow(IllegalTransition);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('filled amount never exceeds the order amount and fill ids are unique', () => {
    fc.assert(
      fc.property(executionHistoryArb(), (history) => {
        const state = history.state;
        if (state.status === 'NONE') return;
        expect(new Set(state.fillIds).size).toBe(state.fillIds.length);
        if (state.amount !== null) expect(new Decimal(state.filledAmount).lte(state.amount)).toBe(true);
      }),
      RUNS,
    );
  });

  it('the generator reaches every status (so the properties above are not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(executionHistoryArb(), (history) => {
        seen.add(history.state.status);
      }),
      { numRuns: 500, seed: 7 },
    );
    expect([...seen].sort()).toEqual(
      [
        'CANCELLED',
        'EXPIRED',
        'FAILED',
        'FILLED',
        'PARTIALLY_FILLED',
        'REJECTED',
        'SUBMITTED',
        'SUBMITTING',
      ].sort(),
    );
  });
});
