import { createHash } from 'node:crypto';
import type { ExecutionState } from '../../../domain/execution';
import type { SqlInvariantResult } from '../invariants/runSqlInvariants';
import type { ScanResult } from '../invariants/scanExecutionStreams';
import type { PlannedExecution } from './simulationPlan';

/** The checklist's five staging metrics, in its order. */
export const STAGING_METRICS = [
  'invariants',
  'event_log_completeness',
  'recovery_rate',
  'duplicates',
  'stale_submitting',
] as const;
export type StagingMetricName = (typeof STAGING_METRICS)[number];

export interface StagingMetric {
  readonly name: StagingMetricName;
  readonly ok: boolean;
  /** The number, as printed. */
  readonly value: string;
  /** Why it failed, or what it is made of. */
  readonly detail: readonly string[];
}

export interface SimOrder {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
}

export interface ReadModelCounts {
  readonly executions: number;
  readonly events: number;
  readonly caughtUp: boolean;
}

export interface StagingInputs {
  readonly planned: readonly PlannedExecution[];
  /** The final state of each planned execution, replayed from the event store. */
  readonly states: ReadonlyMap<string, ExecutionState>;
  /** Execution events in the store (all streams). */
  readonly storedEvents: number;
  readonly scan: ScanResult;
  /** `null` when the read models are not there to check. */
  readonly sqlInvariants: readonly SqlInvariantResult[] | null;
  readonly readModel: ReadModelCounts | null;
  /** Every order the simulator ever held. */
  readonly simOrders: readonly SimOrder[];
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '0.00%' : `${((100 * part) / whole).toFixed(2)}%`;
const list = (ids: readonly string[], max = 10) =>
  `${ids.slice(0, max).join(', ')}${ids.length > max ? ', …' : ''}`;

function invariantsMetric(inputs: StagingInputs): StagingMetric {
  const detail: string[] = [];
  const { scan } = inputs;
  const scanComplete = scan.eventsRead === inputs.storedEvents && scan.redelivered === 0;
  if (scan.eventsRead !== inputs.storedEvents)
    detail.push(`the replay read ${scan.eventsRead} of ${inputs.storedEvents} stored events`);
  if (scan.redelivered > 0) detail.push(`the store delivered ${scan.redelivered} events twice`);
  for (const [check, count] of Object.entries(scan.countsByCheck))
    detail.push(`replayed streams: ${check} ×${count}`);
  for (const finding of scan.findings.slice(0, 5))
    detail.push(`  ${finding.check} [${finding.clientOrderId}]: ${finding.message}`);
  let sqlFailures = 0;
  for (const result of inputs.sqlInvariants ?? []) {
    if (!result.ran) detail.push(`read models: ${result.function}() did not run: ${result.error}`);
    else if (result.violations > 0) detail.push(`read models: ${result.function}() ×${result.violations}`);
    if (!result.ran || result.violations > 0) sqlFailures += 1;
  }
  const sqlNote =
    inputs.sqlInvariants === null
      ? 'read models not checked'
      : `${inputs.sqlInvariants.length - sqlFailures}/${inputs.sqlInvariants.length} read-model checks hold`;
  return {
    name: 'invariants',
    ok: scan.findingsTotal === 0 && sqlFailures === 0 && scanComplete,
    value: `${scan.findingsTotal} violations over ${scan.streamsChecked} replayed streams; ${sqlNote}`,
    detail,
  };
}

function completenessMetric(inputs: StagingInputs): StagingMetric {
  const detail: string[] = [];
  const missing = inputs.planned.filter(
    (planned) =>
      inputs.states.get(planned.clientOrderId)?.status === 'NONE' ||
      !inputs.states.has(planned.clientOrderId),
  );
  if (missing.length > 0)
    detail.push(
      `${missing.length} planned executions have no stream: ${list(missing.map((p) => p.clientOrderId))}`,
    );
  const ledgerOrderOf = new Map<string, string | null>();
  for (const [clientOrderId, state] of inputs.states) {
    if (state.status !== 'NONE') ledgerOrderOf.set(clientOrderId, state.exchangeOrderId);
  }
  // Every order on the exchange is known to the ledger under its own execution.
  const unknown = inputs.simOrders.filter(
    (order) => order.clientOrderId === undefined || ledgerOrderOf.get(order.clientOrderId) !== order.orderId,
  );
  if (unknown.length > 0)
    detail.push(
      `${unknown.length} exchange orders the ledger does not record: ${list(unknown.map((o) => `${o.orderId} (${o.clientOrderId ?? 'no clientOrderId'})`))}`,
    );
  // Every order the ledger records exists on the exchange.
  const onExchange = new Set(inputs.simOrders.map((order) => order.orderId));
  const phantom = [...ledgerOrderOf.entries()].filter(
    ([, orderId]) => orderId !== null && !onExchange.has(orderId),
  );
  if (phantom.length > 0)
    detail.push(`${phantom.length} recorded orders not on the exchange: ${list(phantom.map(([id]) => id))}`);
  const streams = inputs.planned.length - missing.length;
  if (inputs.readModel !== null) {
    const { readModel } = inputs;
    if (!readModel.caughtUp) detail.push('the projections did not catch up in time');
    if (readModel.executions !== streams)
      detail.push(`trade_executions has ${readModel.executions} rows for ${streams} streams`);
    if (readModel.events !== inputs.storedEvents)
      detail.push(`execution_events has ${readModel.events} rows for ${inputs.storedEvents} stored events`);
  }
  const unaccounted = unknown.length + phantom.length;
  const orders = `${inputs.simOrders.length} exchange orders ${unaccounted === 0 ? 'all accounted for' : `(${unaccounted} unaccounted)`}`;
  const auditLog =
    inputs.readModel === null ? '' : `; audit log ${inputs.readModel.events}/${inputs.storedEvents} events`;
  return {
    name: 'event_log_completeness',
    ok: detail.length === 0,
    value: `${percent(streams, inputs.planned.length)} (${streams}/${inputs.planned.length} executions recorded; ${orders}${auditLog})`,
    detail,
  };
}

function recoveryMetric(inputs: StagingInputs): StagingMetric {
  let pastGates = 0;
  let needed = 0;
  let resolved = 0;
  let resent = 0;
  let abandoned = 0;
  const unresolved: string[] = [];
  for (const state of inputs.states.values()) {
    if (state.status === 'NONE' || state.gateEvidence === null) continue;
    pastGates += 1;
    if (state.retries > 0) resent += 1;
    if (state.abandonNote !== null) abandoned += 1;
    if (!state.neededReconciliation) continue;
    needed += 1;
    if (state.status === 'SUBMITTING') unresolved.push(state.clientOrderId);
    else resolved += 1;
  }
  return {
    name: 'recovery_rate',
    ok: unresolved.length === 0,
    value: `${percent(needed, pastGates)} needed reconciliation (${needed}/${pastGates} past the gates); ${percent(resolved, needed)} of them resolved (${resent} re-sent, ${abandoned} proven not placed)`,
    detail: unresolved.length === 0 ? [] : [`unresolved: ${list(unresolved)}`],
  };
}

function duplicatesMetric(inputs: StagingInputs): StagingMetric {
  const perClientOrderId = new Map<string, string[]>();
  for (const order of inputs.simOrders) {
    if (order.clientOrderId === undefined) continue;
    perClientOrderId.set(order.clientOrderId, [
      ...(perClientOrderId.get(order.clientOrderId) ?? []),
      order.orderId,
    ]);
  }
  const placedTwice = [...perClientOrderId.entries()].filter(([, orders]) => orders.length > 1);
  const ledger =
    (inputs.scan.countsByCheck['no_duplicates'] ?? 0) +
    (inputs.scan.countsByCheck['one_order_per_execution'] ?? 0);
  const total = placedTwice.length + ledger;
  return {
    name: 'duplicates',
    ok: total === 0,
    value: `${total} (${placedTwice.length} executions placed more than once on the exchange, ${ledger} in the ledger)`,
    detail: placedTwice
      .map(([clientOrderId, orders]) => `${clientOrderId}: orders ${orders.join(', ')}`)
      .slice(0, 10),
  };
}

function staleMetric(inputs: StagingInputs): StagingMetric {
  const stuck: string[] = [];
  for (const state of inputs.states.values())
    if (state.status === 'SUBMITTING') stuck.push(state.clientOrderId);
  return {
    name: 'stale_submitting',
    ok: stuck.length === 0,
    value: `${stuck.length} still SUBMITTING after reconciliation ran to quiescence`,
    detail: stuck.length === 0 ? [] : [list(stuck)],
  };
}

export function computeStagingMetrics(inputs: StagingInputs): StagingMetric[] {
  return [
    invariantsMetric(inputs),
    completenessMetric(inputs),
    recoveryMetric(inputs),
    duplicatesMetric(inputs),
    staleMetric(inputs),
  ];
}

/**
 * What "the same run" means: every execution's final status and event types, in plan order (exchange
 * order ids and wall-clock times are left out: they do not decide anything).
 */
export function runFingerprint(
  planned: readonly PlannedExecution[],
  eventTypes: ReadonlyMap<string, readonly string[]>,
): string {
  const hash = createHash('sha256');
  for (const execution of planned) {
    hash.update(`${execution.clientOrderId}:${(eventTypes.get(execution.clientOrderId) ?? []).join(',')}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}
