import type pg from 'pg';
import type { Logger } from 'pino';
import type { ExecutionRepository } from '../application/executions/executionRepository';
import { decideExecution, expectedRevisionOf, type Execution } from '../domain/execution';
import type { Clock } from '../domain/ports/clock';
import { WrongExpectedVersion } from '../domain/ports/eventStore';
import type { Exchange, ExchangeOrder, ExchangeResult } from '../domain/ports/exchange';
import { budgetAllows, type RateLimitRemaining } from './exchangeBudget';
import { MAX_LISTED } from './inFlightExecutions';
import type { JobDefinition, JobRunResult } from './scheduler/jobDefinition';

export const FILLS_JOB_NAME = 'fills';
export const FILL_FOLLOWER_ACTOR = 'fill-follower';
/** GET /order (1), and a GET /orders (5) when GET /order no longer finds a completed order. */
const LOOK_WEIGHT_POINTS = 6;

export interface FillFollowerSettings {
  readonly maxPerRun: number;
  readonly minRemainingPoints: number;
  /** The GET /orders fallback looks this far before the intent (clock skew). */
  readonly clockSkewMaxMs: number;
}

export const DEFAULT_FILL_FOLLOWER_SETTINGS: FillFollowerSettings = {
  maxPerRun: 10,
  minRemainingPoints: 150,
  clockSkewMaxMs: 5_000,
};

export interface FillFollowerDeps {
  readonly pool: pg.Pool;
  readonly repository: ExecutionRepository;
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rateLimitRemaining?: RateLimitRemaining;
  /** Metrics: events appended, by type. */
  readonly onEvents?: (types: readonly string[]) => void;
}

export interface FollowSummary {
  readonly looked: number;
  readonly updated: number;
  readonly ended: number;
  readonly fillsRecorded: number;
  readonly errors: number;
  /** Looks whose exchange lookup failed (an outage, a 5xx, an order not found): nothing was learnt. */
  readonly lookupFailures: number;
  readonly deferredForBudget: number;
}

type FollowResult = 'unchanged' | 'updated' | 'ended' | 'skipped' | 'lookup_failed';

/**
 * Follows acknowledged orders (SUBMITTED, PARTIALLY_FILLED) to the end: each look records fills not
 * yet recorded (deduplicated by fill id in the decider) and Filled / Cancelled / Expired once the
 * exchange says the order ended. Orders are looked at in turn: a walk in clientOrderId order that
 * goes on after the last one looked at and wraps round, so that every open order is looked at within
 * ceil(open / maxPerRun) runs the budget allows, however many open limit orders never change.
 */
export class FillFollower {
  /** The last clientOrderId this process looked at (the walk goes on after it); null: from the start. */
  private cursor: string | null = null;

  constructor(
    private readonly deps: FillFollowerDeps,
    private readonly settings: FillFollowerSettings = DEFAULT_FILL_FOLLOWER_SETTINGS,
  ) {}

  async followOnce(signal?: AbortSignal): Promise<FollowSummary> {
    const summary = {
      looked: 0,
      updated: 0,
      ended: 0,
      fillsRecorded: 0,
      errors: 0,
      lookupFailures: 0,
      deferredForBudget: 0,
    };
    const budget = {
      ...(this.deps.rateLimitRemaining === undefined ? {} : { remaining: this.deps.rateLimitRemaining }),
      minRemainingPoints: this.settings.minRemainingPoints,
    };
    const batch = await this.nextInTurn(Math.min(Math.max(0, this.settings.maxPerRun), MAX_LISTED));
    for (const [index, clientOrderId] of batch.entries()) {
      if (signal?.aborted) break;
      if (!budgetAllows(budget, LOOK_WEIGHT_POINTS)) {
        summary.deferredForBudget = batch.length - index;
        break;
      }
      // Only what was looked at moves the walk on: what the budget deferred comes first next run.
      this.cursor = clientOrderId;
      summary.looked += 1;
      try {
        const { result, fills } = await this.follow(clientOrderId);
        summary.fillsRecorded += fills;
        if (result === 'updated') summary.updated += 1;
        if (result === 'ended') summary.ended += 1;
        if (result === 'lookup_failed') summary.lookupFailures += 1;
      } catch (error) {
        summary.errors += 1;
        this.deps.logger.error({ clientOrderId, err: (error as Error).message }, 'fill follow failed');
      }
    }
    return summary;
  }

  /**
   * The next `limit` open orders of the walk: those after the cursor, then (wrapping round) those from
   * the start up to the cursor. Two bounded keyset reads on the clientOrderId index.
   */
  private async nextInTurn(limit: number): Promise<string[]> {
    if (limit === 0) return [];
    const after = await this.openOrders('after', limit);
    if (this.cursor === null || after.length >= limit) return after;
    return [...after, ...(await this.openOrders('upTo', limit - after.length))];
  }

  private async openOrders(side: 'after' | 'upTo', limit: number): Promise<string[]> {
    const bound =
      this.cursor === null ? '' : side === 'after' ? 'AND client_order_id > $2' : 'AND client_order_id <= $2';
    const result = await this.deps.pool.query<{ client_order_id: string }>(
      `SELECT client_order_id
         FROM trade_executions
        WHERE status IN ('SUBMITTED', 'PARTIALLY_FILLED') ${bound}
        ORDER BY client_order_id
        LIMIT $1`,
      this.cursor === null ? [limit] : [limit, this.cursor],
    );
    return result.rows.map((row) => row.client_order_id);
  }

  /** One look at one execution's order; appends what is new. */
  async follow(clientOrderId: string): Promise<{ result: FollowResult; fills: number }> {
    const { repository, clock, logger } = this.deps;
    const { state } = await repository.load(clientOrderId);
    if (state.status !== 'SUBMITTED' && state.status !== 'PARTIALLY_FILLED')
      return { result: 'skipped', fills: 0 };
    const lookup = await this.lookUp(state);
    if (!lookup.ok) {
      logger.warn(
        { clientOrderId, errorClass: lookup.errorClass, message: lookup.message },
        'fill follower: order lookup failed',
      );
      return { result: 'lookup_failed', fills: 0 };
    }
    const decision = decideExecution(
      { type: 'RecordOrderUpdate', order: lookup.value },
      state,
      new Date(clock.nowMs()).toISOString(),
    );
    if (!decision.ok) throw decision.error;
    if (decision.events.length === 0) return { result: 'unchanged', fills: 0 };
    try {
      await repository.append(clientOrderId, decision.events, expectedRevisionOf(state), {
        actor: FILL_FOLLOWER_ACTOR,
      });
    } catch (error) {
      // Someone else (reconcile, another instance) recorded first: the next look starts from theirs.
      if (error instanceof WrongExpectedVersion) return { result: 'unchanged', fills: 0 };
      throw error;
    }
    const types = decision.events.map((event) => event.type);
    this.deps.onEvents?.(types);
    const fills = types.filter((type) => type === 'FillRecorded').length;
    const ended = types.some((type) => type === 'Filled' || type === 'Cancelled' || type === 'Expired');
    return { result: ended ? 'ended' : 'updated', fills };
  }

  /** GET /order by clientOrderId; a 240 for an order we know exists means it completed: find it in GET /orders. */
  private async lookUp(execution: Execution): Promise<ExchangeResult<ExchangeOrder>> {
    const { exchange, clock } = this.deps;
    const direct = await exchange.getOrderByClientOrderId(execution.market, execution.clientOrderId);
    if (direct.ok || direct.errorClass !== 'NOT_FOUND') return direct;
    const fromMs = Date.parse(execution.submittingAt ?? execution.updatedAt) - this.settings.clockSkewMaxMs;
    const listed = await exchange.listOrders(execution.market, {
      startMs: fromMs,
      endMs: clock.nowMs(),
      limit: 1000,
    });
    if (!listed.ok) return listed;
    const order = listed.value.find(
      (candidate) =>
        candidate.clientOrderId === execution.clientOrderId ||
        (execution.exchangeOrderId !== null && candidate.orderId === execution.exchangeOrderId),
    );
    return order === undefined ? direct : { ok: true, value: order };
  }
}

export function fillFollowerJob(follower: FillFollower, everyMs: number): JobDefinition {
  return {
    name: FILLS_JOB_NAME,
    schedule: { everyMs },
    async run(context): Promise<JobRunResult> {
      const summary = await follower.followOnce(context.signal);
      // An exchange outage fails every lookup without throwing: it must fail the run (and alert) too.
      const failed = summary.errors + summary.lookupFailures;
      if (summary.looked > 0 && failed === summary.looked) {
        throw new Error(
          `every fill look failed (${summary.errors} errors, ${summary.lookupFailures} exchange lookups failed); see the log`,
        );
      }
      return {
        detail: { ...summary },
        idle: summary.updated === 0 && summary.ended === 0 && failed === 0,
      };
    },
  };
}
