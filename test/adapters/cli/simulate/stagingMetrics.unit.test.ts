import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../../src/adapters/cli/invariants/scanExecutionStreams';
import { planSimulation } from '../../../../src/adapters/cli/simulate/simulationPlan';
import {
  computeStagingMetrics,
  runFingerprint,
  type StagingInputs,
} from '../../../../src/adapters/cli/simulate/stagingMetrics';
import { replayExecution, type ExecutionEvent, type ExecutionState } from '../../../../src/domain/execution';
import { sampleEvent } from '../../../support/executionFixtures';

const planned = planSimulation({
  seed: 1,
  executions: 3,
  concurrency: 1,
  hours: 1,
  startMs: Date.UTC(2025, 0, 1),
});
const ids = planned.map((execution) => execution.clientOrderId);

function stateOf(clientOrderId: string, events: readonly ExecutionEvent[]): ExecutionState {
  const first = sampleEvent('ExecutionSubmitting', { clientOrderId });
  return replayExecution([first, ...events]);
}

const cleanScan: ScanResult = {
  eventsRead: 9,
  streamsChecked: 3,
  findingsTotal: 0,
  findings: [],
  countsByCheck: {},
  redelivered: 0,
};

function inputs(overrides: Partial<StagingInputs> = {}): StagingInputs {
  const states = new Map<string, ExecutionState>([
    [
      ids[0]!,
      stateOf(ids[0]!, [sampleEvent('Submitted', { exchangeOrderId: 'o-1' }), sampleEvent('Filled')]),
    ],
    [
      ids[1]!,
      stateOf(ids[1]!, [
        sampleEvent('SubmissionOutcomeUnknown'),
        sampleEvent('ReconcileAttempted', {
          result: 'found',
          exchangeOrderId: 'o-2',
          httpStatus: 200,
          errorCode: null,
        }),
        sampleEvent('Submitted', { exchangeOrderId: 'o-2', via: 'reconcile' }),
        sampleEvent('Filled'),
      ]),
    ],
    [ids[2]!, stateOf(ids[2]!, [sampleEvent('SubmissionFailed')])],
  ]);
  return {
    planned,
    states,
    storedEvents: 9,
    scan: cleanScan,
    sqlInvariants: null,
    readModel: { executions: 3, events: 9, caughtUp: true },
    simOrders: [
      { orderId: 'o-1', clientOrderId: ids[0] },
      { orderId: 'o-2', clientOrderId: ids[1] },
    ],
    ...overrides,
  };
}

const byName = (metrics: ReturnType<typeof computeStagingMetrics>) =>
  Object.fromEntries(metrics.map((metric) => [metric.name, metric]));

describe('computeStagingMetrics', () => {
  it('passes a clean run and reports the recovery rate as DESIGN §4 defines it', () => {
    const metrics = byName(computeStagingMetrics(inputs()));
    expect(Object.values(metrics).every((metric) => metric.ok)).toBe(true);
    expect(metrics['recovery_rate']!.value).toMatch(
      /^33\.33% needed reconciliation \(1\/3 past the gates\); 100\.00% of them resolved/,
    );
    expect(metrics['event_log_completeness']!.value).toContain(
      '100.00% (3/3 executions recorded; 2 exchange orders all accounted for',
    );
  });

  it('fails on an order placed twice, an order the ledger does not know, an unresolved SUBMITTING and a lagging audit log', () => {
    const stuck = stateOf(ids[2]!, [sampleEvent('SubmissionOutcomeUnknown')]);
    const metrics = byName(
      computeStagingMetrics(
        inputs({
          states: new Map([...inputs().states, [ids[2]!, stuck]]),
          simOrders: [
            { orderId: 'o-1', clientOrderId: ids[0] },
            { orderId: 'o-2', clientOrderId: ids[1] },
            { orderId: 'o-3', clientOrderId: ids[1] },
          ],
          readModel: { executions: 3, events: 8, caughtUp: false },
        }),
      ),
    );
    expect(metrics['duplicates']).toMatchObject({
      ok: false,
      value: expect.stringMatching(/^1 \(1 executions placed more than once/),
    });
    expect(metrics['event_log_completeness']!.ok).toBe(false);
    expect(metrics['event_log_completeness']!.detail.join('\n')).toMatch(
      /1 exchange orders the ledger does not record: o-3/,
    );
    expect(metrics['event_log_completeness']!.detail.join('\n')).toMatch(
      /execution_events has 8 rows for 9 stored events/,
    );
    expect(metrics['stale_submitting']).toMatchObject({
      ok: false,
      value: '1 still SUBMITTING after reconciliation ran to quiescence',
    });
    expect(metrics['recovery_rate']!.ok).toBe(false);
    expect(metrics['invariants']!.ok).toBe(true);
  });

  it('fails the invariants on a violation in the replayed streams or a read-model check that did not run', () => {
    const scan: ScanResult = { ...cleanScan, findingsTotal: 1, countsByCheck: { legal_transitions: 1 } };
    expect(byName(computeStagingMetrics(inputs({ scan })))['invariants']!.ok).toBe(false);
    const sqlInvariants = [
      {
        function: 'check_no_duplicates',
        invariant: 'no_duplicates' as const,
        ran: false,
        violations: 0,
        rows: [],
        error: 'missing',
      },
    ];
    expect(byName(computeStagingMetrics(inputs({ sqlInvariants })))['invariants']!.ok).toBe(false);
  });
});

describe('runFingerprint', () => {
  it('changes when any execution took a different path', () => {
    const types = new Map(ids.map((id) => [id, ['ExecutionSubmitting', 'Submitted', 'Filled']]));
    const same = runFingerprint(planned, new Map(types));
    expect(runFingerprint(planned, types)).toBe(same);
    types.set(ids[1]!, ['ExecutionSubmitting', 'SubmissionOutcomeUnknown']);
    expect(runFingerprint(planned, types)).not.toBe(same);
  });
});
