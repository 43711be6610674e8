import type pg from 'pg';
import {
  EXECUTION_STREAM_PREFIX,
  ExecutionError,
  evolveExecution,
  executionExists,
  fromRecordedEvent,
  initialExecutionState,
  isTerminalStatus,
  parseExecutionStreamName,
  type Execution,
  type ExecutionState,
} from '../../domain/execution';
import type { RecordedEvent } from '../../domain/ports/eventStore';
import { BoundedCache } from '../boundedCache';
import {
  ProjectionError,
  type ProjectionApplier,
  type ProjectionDefinition,
  type TableSet,
} from '../projection';
import { executionEventRow, type ExecutionEventRow } from './executionEventRow';
import { loadExecutionStates } from './loadExecutionStates';
import { tradeExecutionRow, type TradeExecutionRow } from './tradeExecutionRow';
import {
  addDelta,
  contributionOf,
  zeroContribution,
  type UserExecutionStatsRow,
} from './userExecutionStatsRow';
import { writeExecutionEvents, writeTradeExecutions, writeUserStatsDeltas } from './writeExecutionRows';

export const EXECUTIONS_PROJECTION = 'executions';
/** In-flight executions whose state is kept between batches; terminal ones accept no more events. */
const DEFAULT_STATE_CACHE_SIZE = 20_000;

interface StreamBatch {
  readonly clientOrderId: string;
  readonly events: RecordedEvent[];
}

function groupByExecution(events: readonly RecordedEvent[]): Map<string, StreamBatch> {
  const groups = new Map<string, StreamBatch>();
  for (const event of events) {
    const clientOrderId = parseExecutionStreamName(event.streamId);
    if (clientOrderId === null) continue;
    let group = groups.get(clientOrderId);
    if (!group) {
      group = { clientOrderId, events: [] };
      groups.set(clientOrderId, group);
    }
    group.events.push(event);
  }
  return groups;
}

class ExecutionsApplier implements ProjectionApplier {
  private staged = new Map<string, ExecutionState>();

  constructor(
    private readonly tables: TableSet,
    private readonly cache: BoundedCache<ExecutionState>,
  ) {}

  async apply(client: pg.ClientBase, events: readonly RecordedEvent[]): Promise<void> {
    const groups = groupByExecution(events);
    const starts = await this.startingStates(client, groups);
    const executionRows: TradeExecutionRow[] = [];
    const auditRows: ExecutionEventRow[] = [];
    const deltas = new Map<string, UserExecutionStatsRow>();
    for (const group of groups.values()) {
      const before = starts.get(group.clientOrderId) ?? initialExecutionState();
      let state = before;
      let lastApplied: RecordedEvent | undefined;
      for (const recorded of group.events) {
        // Keyed by stream revision: an event already folded into the state is a redelivery.
        if (recorded.revision < BigInt(state.version)) continue;
        if (recorded.revision > BigInt(state.version)) {
          throw new ProjectionError(
            'PROJECTION_INCONSISTENT',
            `execution ${group.clientOrderId}: event revision ${recorded.revision} after ${state.version} folded events`,
            EXECUTIONS_PROJECTION,
          );
        }
        const event = this.parse(recorded, group.clientOrderId);
        state = this.evolve(state, event, recorded, group.clientOrderId);
        auditRows.push(executionEventRow(group.clientOrderId, recorded, event));
        lastApplied = recorded;
      }
      if (!lastApplied || !executionExists(state)) continue;
      executionRows.push(tradeExecutionRow(state, lastApplied.position));
      this.addUserDelta(deltas, before, state);
      this.staged.set(group.clientOrderId, state);
    }
    await writeTradeExecutions(client, this.tables, executionRows);
    await writeExecutionEvents(client, this.tables, auditRows);
    await writeUserStatsDeltas(client, this.tables, [...deltas.values()]);
  }

  committed(): void {
    for (const [clientOrderId, state] of this.staged) {
      if (isTerminalStatus(state.status)) this.cache.delete(clientOrderId);
      else this.cache.set(clientOrderId, state);
    }
    this.staged = new Map();
  }

  rolledBack(): void {
    this.staged = new Map();
  }

  /** The state before each stream's first event of the batch: cache, else the audit log. */
  private async startingStates(
    client: pg.ClientBase,
    groups: Map<string, StreamBatch>,
  ): Promise<Map<string, ExecutionState>> {
    const starts = new Map<string, ExecutionState>();
    const missing: string[] = [];
    for (const group of groups.values()) {
      const firstRevision = group.events[0]?.revision ?? 0n;
      if (firstRevision === 0n) continue;
      const cached = this.staged.get(group.clientOrderId) ?? this.cache.get(group.clientOrderId);
      if (cached && BigInt(cached.version) === firstRevision) starts.set(group.clientOrderId, cached);
      else missing.push(group.clientOrderId);
    }
    if (missing.length > 0) {
      const loaded = await loadExecutionStates(client, this.tables, missing, EXECUTIONS_PROJECTION);
      for (const [clientOrderId, state] of loaded) starts.set(clientOrderId, state);
    }
    return starts;
  }

  private parse(recorded: RecordedEvent, clientOrderId: string) {
    try {
      return fromRecordedEvent(recorded);
    } catch (error) {
      throw this.invalid(recorded, clientOrderId, error);
    }
  }

  private evolve(
    state: ExecutionState,
    event: ReturnType<typeof fromRecordedEvent>,
    recorded: RecordedEvent,
    clientOrderId: string,
  ): ExecutionState {
    try {
      const next = evolveExecution(state, event);
      if (executionExists(next) && next.clientOrderId !== clientOrderId) {
        throw new Error(`the event names execution ${next.clientOrderId}`);
      }
      return next;
    } catch (error) {
      throw this.invalid(recorded, clientOrderId, error);
    }
  }

  private invalid(recorded: RecordedEvent, clientOrderId: string, error: unknown): ProjectionError {
    const code = error instanceof ExecutionError ? ` ${error.code}` : '';
    return new ProjectionError(
      'PROJECTION_INVALID_EVENT',
      `execution ${clientOrderId} event #${recorded.revision} (${recorded.type}) refused${code}: ${(error as Error).message}`,
      EXECUTIONS_PROJECTION,
    );
  }

  private addUserDelta(deltas: Map<string, UserExecutionStatsRow>, before: ExecutionState, after: Execution) {
    let row = deltas.get(after.userId);
    if (!row) {
      row = { user_id: after.userId, ...zeroContribution(), updated_at: after.updatedAt };
      deltas.set(after.userId, row);
    }
    addDelta(row, contributionOf(before), contributionOf(after));
    if (Date.parse(after.updatedAt) > Date.parse(row.updated_at)) row.updated_at = after.updatedAt;
  }
}

export interface ExecutionsProjectionOptions {
  readonly stateCacheSize?: number;
}

/** trade_executions, the audit log execution_events and user_execution_stats, from `execution-*`. */
export function executionsProjection(options: ExecutionsProjectionOptions = {}): ProjectionDefinition {
  return {
    name: EXECUTIONS_PROJECTION,
    description: 'trade_executions, execution_events (audit log) and user_execution_stats',
    streamPrefixes: [EXECUTION_STREAM_PREFIX],
    tables: ['trade_executions', 'execution_events', 'user_execution_stats'],
    createApplier(tables: TableSet): ProjectionApplier {
      return new ExecutionsApplier(
        tables,
        new BoundedCache(options.stateCacheSize ?? DEFAULT_STATE_CACHE_SIZE),
      );
    },
  };
}
