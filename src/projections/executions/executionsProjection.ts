import type pg from 'pg';
import {
  EXECUTION_STREAM_PREFIX,
  ExecutionError,
  evolveExecution,
  executionExists,
  initialExecutionState,
  isTerminalStatus,
  parseExecutionStreamName,
  type Execution,
  type ExecutionEvent,
  type ExecutionState,
} from '../../domain/execution';
import type { GlobalPosition, RecordedEvent } from '../../domain/ports/eventStore';
import { BoundedCache } from '../boundedCache';
import {
  ProjectionError,
  type ApplierOptions,
  type PipelinedApplier,
  type PreparedBatch,
  type ProjectionApplier,
  type ProjectionDefinition,
  type TableSet,
} from '../projection';
import { executionEventParser } from './executionEventParser';
import { executionEventRow, type ExecutionEventRow } from './executionEventRow';
import { loadExecutionStates, loadExecutionStatesFromStore } from './loadExecutionStates';
import { tradeExecutionRow, type TradeExecutionRow } from './tradeExecutionRow';
import {
  addDelta,
  contributionOf,
  zeroContribution,
  type UserExecutionStatsRow,
} from './userExecutionStatsRow';
import {
  copyExecutionEventsFromStore,
  writeExecutionEvents,
  writeTradeExecutions,
  writeUserStatsDeltas,
  type AuditCopyRange,
} from './writeExecutionRows';

export const EXECUTIONS_PROJECTION = 'executions';
/** In-flight executions whose state is kept between batches; terminal ones accept no more events. */
const DEFAULT_STATE_CACHE_SIZE = 20_000;
/** Events folded between two turns of the event loop. */
const FOLD_YIELD_EVENTS = 200;

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

interface PreparedExecutions extends PreparedBatch {
  readonly executionRows: TradeExecutionRow[];
  /** Rows of executions that start in this batch. */
  readonly newExecutionRows: TradeExecutionRow[];
  readonly auditRows: ExecutionEventRow[];
  readonly auditCopy: AuditCopyRange | null;
  readonly deltas: UserExecutionStatsRow[];
}

/** The states before each execution's given stream revision (its first in the batch). */
type StateLoader = (before: ReadonlyMap<string, bigint>) => Promise<Map<string, ExecutionState>>;

class ExecutionsApplier implements ProjectionApplier, PipelinedApplier {
  /** States of prepared batches not yet committed, newest wins. */
  private staged = new Map<string, ExecutionState>();
  readonly pipeline: PipelinedApplier = this;
  private readonly parseEvent = executionEventParser();

  constructor(
    private readonly tables: TableSet,
    private readonly cache: BoundedCache<ExecutionState>,
    private readonly options: ApplierOptions,
  ) {}

  async apply(client: pg.ClientBase, events: readonly RecordedEvent[]): Promise<void> {
    const prepared = await this.fold(events, (before) =>
      loadExecutionStates(client, this.tables, [...before.keys()], EXECUTIONS_PROJECTION),
    );
    await this.write(client, prepared);
  }

  prepare(events: readonly RecordedEvent[], db: pg.Pool): Promise<PreparedBatch> {
    // A rebuild's fresh audit log gets its key only after the load: read the store's events instead.
    if (this.options.eventsTableInDatabase) {
      return this.fold(events, (before) =>
        loadExecutionStatesFromStore(db, EXECUTION_STREAM_PREFIX, before, EXECUTIONS_PROJECTION),
      );
    }
    return this.fold(events, (before) =>
      loadExecutionStates(db, this.tables, [...before.keys()], EXECUTIONS_PROJECTION),
    );
  }

  async write(client: pg.ClientBase, batch: PreparedBatch): Promise<void> {
    const prepared = batch as PreparedExecutions;
    await writeTradeExecutions(client, this.tables, prepared.executionRows, prepared.newExecutionRows);
    if (prepared.auditCopy) await copyExecutionEventsFromStore(client, this.tables, prepared.auditCopy);
    else await writeExecutionEvents(client, this.tables, prepared.auditRows);
    await writeUserStatsDeltas(client, this.tables, prepared.deltas);
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

  /** The in-memory part: fold each execution's new events with the domain's evolveExecution. */
  private async fold(events: readonly RecordedEvent[], load: StateLoader): Promise<PreparedExecutions> {
    const groups = groupByExecution(events);
    const starts = await this.startingStates(groups, load);
    const executionRows: TradeExecutionRow[] = [];
    const newExecutionRows: TradeExecutionRow[] = [];
    const auditRows: ExecutionEventRow[] = [];
    const positions: GlobalPosition[] = [];
    const deltas = new Map<string, UserExecutionStatsRow>();
    const copyAudit = this.options.eventsTableInDatabase === true;
    let sinceYield = 0;
    for (const group of groups.values()) {
      // Let the event loop breathe: a rebuild writes the previous batch while this one folds, and
      // every statement of that write needs the loop to send the next one.
      sinceYield += group.events.length;
      if (sinceYield >= FOLD_YIELD_EVENTS) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
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
        if (copyAudit) positions.push(recorded.position);
        else auditRows.push(executionEventRow(group.clientOrderId, recorded, event));
        lastApplied = recorded;
      }
      if (!lastApplied || !executionExists(state)) continue;
      (before.status === 'NONE' ? newExecutionRows : executionRows).push(
        tradeExecutionRow(state, lastApplied.position),
      );
      this.addUserDelta(deltas, before, state);
      this.staged.set(group.clientOrderId, state);
    }
    const last = events.at(-1);
    // Every event of the batch applied (the usual case): the range alone names them, no list needed.
    const auditCopy =
      copyAudit && last
        ? {
            after: beforeFirst(events),
            last: last.position,
            prefix: EXECUTION_STREAM_PREFIX,
            positions: positions.length === events.length ? null : positions.map((p) => p.prepare.toString()),
          }
        : null;
    return {
      events: events.length,
      executionRows,
      newExecutionRows,
      auditRows,
      auditCopy,
      deltas: [...deltas.values()],
    };
  }

  /** The state before each stream's first event of the batch: staged or cached, else loaded. */
  private async startingStates(
    groups: Map<string, StreamBatch>,
    load: StateLoader,
  ): Promise<Map<string, ExecutionState>> {
    const starts = new Map<string, ExecutionState>();
    const missing = new Map<string, bigint>();
    for (const group of groups.values()) {
      const firstRevision = group.events[0]?.revision ?? 0n;
      if (firstRevision === 0n) continue;
      const cached = this.staged.get(group.clientOrderId) ?? this.cache.get(group.clientOrderId);
      if (cached && BigInt(cached.version) === firstRevision) starts.set(group.clientOrderId, cached);
      else missing.set(group.clientOrderId, firstRevision);
    }
    if (missing.size > 0) {
      for (const [clientOrderId, state] of await load(missing)) starts.set(clientOrderId, state);
    }
    return starts;
  }

  private parse(recorded: RecordedEvent, clientOrderId: string) {
    try {
      return this.parseEvent(recorded);
    } catch (error) {
      throw this.invalid(recorded, clientOrderId, error);
    }
  }

  private evolve(
    state: ExecutionState,
    event: ExecutionEvent,
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

/**
 * Just before the batch's first event: the copy range's exclusive lower bound. Positions in the
 * PostgreSQL store are (transaction id, sequence); anything below the first event will do, and the
 * positions list pins the copy to exactly the batch's events anyway.
 */
function beforeFirst(events: readonly RecordedEvent[]): GlobalPosition | undefined {
  const first = events[0];
  if (!first || first.position.prepare <= 0n) return undefined;
  return { commit: first.position.commit, prepare: first.position.prepare - 1n };
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
    // The audit log's primary key: its writes say ON CONFLICT DO NOTHING without naming it.
    keysAfterLoad: ['execution_events'],
    createApplier(tables: TableSet, applierOptions: ApplierOptions = {}): ProjectionApplier {
      return new ExecutionsApplier(
        tables,
        new BoundedCache(options.stateCacheSize ?? DEFAULT_STATE_CACHE_SIZE),
        applierOptions,
      );
    },
  };
}
